/* ascii.h - character classes of the mail protocols, independent of the
 * locale (ctype.h's answers depend on it, and on the sign of char). */
#ifndef SOCKMAIL_ASCII_H
#define SOCKMAIL_ASCII_H

static inline int
is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static inline int
is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static inline int
lower(int ch)
{
	return (ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch;
}

static inline int
upper(int ch)
{
	return (ch >= 'a' && ch <= 'z') ? ch - 'a' + 'A' : ch;
}

#endif
