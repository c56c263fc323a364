/* fmt.c - vsnprintf() for the formats a session formats all day. */
#include "fmt.h"

#include <limits.h>
#include <sys/types.h>
#include <stdio.h>
#include <string.h>

/* Is every conversion of fmt one fmt_v() does itself? */
static int
simple(const char *f)
{
	for (; (f = strchr(f, '%')) != NULL; f++) {
		f++;
		if (*f == '%')
			continue;
		if (*f == '.') {
			f++;
			if (*f == '*')
				f++;
			else if (*f >= '0' && *f <= '9')
				while (*f >= '0' && *f <= '9')
					f++;
			else
				return 0;
			if (*f != 's')
				return 0;
			continue;
		}
		if (*f == 'l')
			f += f[1] == 'l' ? 2 : 1;
		else if (*f == 'z')
			f++;
		if (*f == 's' || *f == 'c')
			if (f[-1] == 'l' || f[-1] == 'z')
				return 0;	/* %ls, %lc: wide */
		if (*f != 's' && *f != 'c' && *f != 'd' && *f != 'i' &&
		    *f != 'u')
			return 0;
	}
	return 1;
}

struct out {
	char	*d;
	size_t	 room;	/* octets that may still be written, NUL aside */
	size_t	 len;	/* octets the result has, written or not */
};

static void
put(struct out *o, const char *s, size_t n)
{
	size_t k = n < o->room ? n : o->room;

	memcpy(o->d, s, k);
	o->d += k;
	o->room -= k;
	o->len += n;
}

static void
put_num(struct out *o, unsigned long long v, int neg)
{
	char b[24], *p = b + sizeof(b);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (neg)
		*--p = '-';
	put(o, p, (size_t)(b + sizeof(b) - p));
}

int
fmt_v(char *dst, size_t size, const char *fmt, va_list ap)
{
	struct out o = { dst, size > 0 ? size - 1 : 0, 0 };
	const char *f = fmt, *pct, *s;
	long long sv;
	unsigned long long uv;
	int prec, lng;
	char c;

	if (!simple(fmt) || size > INT_MAX)
		return vsnprintf(dst, size, fmt, ap);
	while ((pct = strchr(f, '%')) != NULL) {
		put(&o, f, (size_t)(pct - f));
		f = pct + 1;
		prec = -1;
		lng = 0;
		if (*f == '%') {
			put(&o, "%", 1);
			f++;
			continue;
		}
		if (*f == '.') {
			f++;
			if (*f == '*') {
				prec = va_arg(ap, int);
				f++;
			} else
				for (prec = 0; *f >= '0' && *f <= '9'; f++)
					prec = prec * 10 + (*f - '0');
		}
		if (*f == 'l' && f[1] == 'l') {
			lng = 2;
			f += 2;
		} else if (*f == 'l') {
			lng = 1;
			f++;
		} else if (*f == 'z') {
			lng = 3;
			f++;
		}
		switch (*f++) {
		case 's':
			s = va_arg(ap, const char *);
			if (s == NULL)
				s = prec < 0 || prec >= 6 ? "(null)" : "";
			put(&o, s, prec < 0 ? strlen(s) :
			    strnlen(s, (size_t)prec));
			break;
		case 'c':
			c = (char)va_arg(ap, int);
			put(&o, &c, 1);
			break;
		case 'd':
		case 'i':
			sv = lng == 2 ? va_arg(ap, long long) :
			    lng == 1 ? va_arg(ap, long) :
			    lng == 3 ? (long long)va_arg(ap, ssize_t) :
			    va_arg(ap, int);
			put_num(&o, sv < 0 ? 0ULL - (unsigned long long)sv :
			    (unsigned long long)sv, sv < 0);
			break;
		default:	/* 'u', as simple() made sure */
			uv = lng == 2 ? va_arg(ap, unsigned long long) :
			    lng == 1 ? va_arg(ap, unsigned long) :
			    lng == 3 ? va_arg(ap, size_t) :
			    va_arg(ap, unsigned);
			put_num(&o, uv, 0);
			break;
		}
	}
	put(&o, f, strlen(f));
	if (size > 0)
		*o.d = '\0';
	return o.len > INT_MAX ? -1 : (int)o.len;
}
