/* fuzz_addr.c - libFuzzer target: addr_parse_path() with every flag
 * combination, then the helpers on each parsed address, checking the
 * invariants the session relies on. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/addr.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
same(const struct addr *a, const struct addr *b)
{
	if (strcmp(a->local, b->local) != 0 ||
	    strcmp(a->domain, b->domain) != 0 ||
	    strcmp(a->route, b->route) != 0 || a->null != b->null ||
	    a->quoted != b->quoted || a->ip_literal != b->ip_literal ||
	    a->utf8 != b->utf8)
		abort();
}

/* The canonical path of a parsed address must parse back to it, in
 * brackets, with the same flags. */
static void
round_trip(const struct addr *a, int flags)
{
	char path[3 * (ADDR_MAX_PATH + 1) + 8];
	struct addr b;
	const char *rest, *why;

	if (a->null)
		return;
	snprintf(path, sizeof(path), "<%s%s%s%s%s>", a->route,
	    a->route[0] ? ":" : "", a->local, a->domain[0] ? "@" : "",
	    a->domain);
	if (addr_parse_path(path, &b, &rest, flags | ADDR_NEED_BRACKETS,
	    &why) != 0 || *rest != '\0')
		abort();
	same(a, &b);
}

static void
check(const char *in, size_t len, int flags)
{
	char out[2 * (ADDR_MAX_PATH + 1) + 8];
	struct addr a, b;
	const char *rest = NULL, *why = NULL;

	if (addr_parse_path(in, &a, &rest, flags, &why) == -1) {
		if (why == NULL || rest != NULL)
			abort();
		return;
	}
	if (rest < in || rest > in + len || (*rest != '\0' && *rest != ' '))
		abort();
	if (strlen(a.local) > ADDR_MAX_LOCAL ||
	    strlen(a.domain) > ADDR_MAX_DOMAIN ||
	    strlen(a.route) > ADDR_MAX_PATH)
		abort();
	if ((a.null && !(flags & ADDR_ALLOW_NULL)) ||
	    (a.utf8 && !(flags & ADDR_ALLOW_UTF8)) ||
	    (!a.null && a.local[0] == '\0'))
		abort();
	addr_format(&a, out, sizeof(out));
	if (!a.null && out[0] == '\0')
		abort();
	if (addr_unquote_local(&a, out, sizeof(out)) != 0)
		abort();
	if (addr_has_routing(&a) !=
	    (a.route[0] != '\0' || strpbrk(out, "%!@") != NULL))
		abort();
	if (a.domain[0] != '\0' && !a.utf8 && !addr_valid_domain(a.domain))
		abort();
	round_trip(&a, flags);
	/* Looser flags accept it too, and read it the same way. */
	if (addr_parse_path(in, &b, &rest, (flags | ADDR_ALLOW_NULL |
	    ADDR_ALLOW_UTF8) & ~ADDR_NEED_BRACKETS, &why) != 0)
		abort();
	same(&a, &b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul;
	char *in;
	size_t len;
	int flags;

	/* Exactly as long as the string: a read past the NUL is caught. */
	nul = memchr(data, '\0', size);
	len = nul != NULL ? (size_t)(nul - data) : size;
	if ((in = malloc(len + 1)) == NULL)
		return 0;
	memcpy(in, data, len);
	in[len] = '\0';
	for (flags = 0; flags < 8; flags++)
		check(in, len, flags);
	(void)addr_valid_domain(in);
	free(in);
	return 0;
}
