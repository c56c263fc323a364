/* fuzz_dport.c - libFuzzer target for DaemonPortOptions values and for
 * rdns_name_ok(), the check on PTR answers.
 *
 * dport_parse(): on success the family is AF_INET or AF_INET6, the port
 * 1..65535, Addr and Name NUL-terminated within their arrays, Addr an
 * address of the family (or empty), and only known modifier bits set; on
 * failure the error text is not empty.  Parsing the same text twice gives
 * the same entry.
 *
 * rdns_name_ok(): a name it accepts is 1..253 octets of letters, digits,
 * '-', '_' and single dots, not starting or ending with a dot, with no
 * label over 63 octets and a last label that is not all digits.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/buf.h"
#include "mail/dport.h"
#include "dns/rdns.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_dport(const char *s)
{
	struct buf err = BUF_INIT;
	struct dport d, e;
	unsigned char a[16];
	int r = dport_parse(s, &d, &err);

	if (r < 0) {
		if (err.len == 0)
			abort();
		buf_free(&err);
		return;
	}
	if (r != 0 || (d.family != AF_INET && d.family != AF_INET6) ||
	    d.port < 1 || d.port > 65535 ||
	    memchr(d.addr, '\0', sizeof(d.addr)) == NULL ||
	    memchr(d.name, '\0', sizeof(d.name)) == NULL ||
	    (d.mods & ~(unsigned)(DPM_a | DPM_A | DPM_E | DPM_f | DPM_O |
	    DPM_s | DPM_S)) != 0)
		abort();
	if (d.addr[0] != '\0' && inet_pton(d.family, d.addr, a) != 1)
		abort();
	if (dport_parse(s, &e, &err) != 0 || memcmp(&d, &e, sizeof(d)) != 0)
		abort();
	buf_free(&err);
}

static void
check_name(const char *s)
{
	size_t n = strlen(s), label = 0, i;
	int digits = 1;

	if (!rdns_name_ok(s))
		return;
	if (n < 1 || n > 253 || s[0] == '.' || s[n - 1] == '.')
		abort();
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				abort();
			label = 0;
			digits = 1;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			abort();
		if (++label > 63)
			abort();
		if (c < '0' || c > '9')
			digits = 0;
	}
	if (digits)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_dport(s);
	check_name(s);
	free(s);
	return 0;
}
