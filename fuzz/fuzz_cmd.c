/* fuzz_cmd.c - libFuzzer target: a command line through smtpcmd_verb(),
 * then BDAT, xtext, the MAIL/RCPT path and the ESMTP parameters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/addr.h"
#include "mail/smtpcmd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Checking alone (out NULL) and decoding agree; the output fits. */
static void
xtext(const char *s)
{
	char small[8], big[SMTP_LINE_MAX + 1];
	int n, v;

	v = smtpcmd_xtext_decode(s, NULL, 0);
	n = smtpcmd_xtext_decode(s, big, sizeof(big));
	if (n < -1 || (v < 0 && n != -1) ||
	    (n >= 0 && (n != v || strlen(big) != (size_t)n ||
	    (size_t)n > strlen(s))))
		abort();
	n = smtpcmd_xtext_decode(s, small, sizeof(small));
	if ((v < 0 && n != -1) ||
	    (n >= 0 && (n != v || strlen(small) != (size_t)n)))
		abort();
}

/* An ORCPT taken is an atom, ';' and xtext: only printable ASCII. */
static void
orcpt(const char *v)
{
	const char *p;

	if (!smtpcmd_orcpt_ok(v))
		return;
	if (strlen(v) > SMTP_ORCPT_MAX || strchr(v, ';') == NULL ||
	    smtpcmd_xtext_decode(strchr(v, ';') + 1, NULL, 0) < 0)
		abort();
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p > '~')
			abort();
}

static void
params(char *s, const char *end)
{
	struct smtp_param p[SMTP_MAX_PARAMS];
	const char *why = NULL;
	int i, n;

	if ((n = smtpcmd_params(s, p, SMTP_MAX_PARAMS, &why)) < 0) {
		if (n != -1 || why == NULL)
			abort();
		return;
	}
	if (n > SMTP_MAX_PARAMS)
		abort();
	for (i = 0; i < n; i++) {
		if (p[i].key < s || p[i].key >= end || p[i].key[0] == '\0')
			abort();
		if (p[i].value == NULL)
			continue;
		if (p[i].value <= p[i].key || p[i].value > end ||
		    p[i].value[0] == '\0')
			abort();
		xtext(p[i].value);
		orcpt(p[i].value);
	}
}

static void
bdat(const char *arg)
{
	unsigned long long size;
	int last = -1;

	if (smtpcmd_bdat(arg, &size, &last) == 0 &&
	    (size > (unsigned long long)INT64_MAX || (last != 0 && last != 1)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul;
	const char *rest, *why;
	char *line, *arg = NULL;
	struct addr a;
	enum smtp_verb v;
	size_t len;

	/* Exactly as long as the string: a read past the NUL is caught. */
	nul = memchr(data, '\0', size);
	len = nul != NULL ? (size_t)(nul - data) : size;
	if ((line = malloc(len + 1)) == NULL)
		return 0;
	memcpy(line, data, len);
	line[len] = '\0';

	v = smtpcmd_verb(line, &arg);
	if (arg == NULL || arg < line || arg > line + len ||
	    smtpcmd_name(v) == NULL)
		abort();
	bdat(arg);
	xtext(arg);
	if ((v == V_MAIL || v == V_RCPT) && addr_parse_path(arg, &a, &rest,
	    ADDR_ALLOW_NULL | ADDR_ALLOW_UTF8, &why) == 0)
		params(line + (rest - line), line + len);
	else
		params(arg, line + len);
	free(line);
	return 0;
}
