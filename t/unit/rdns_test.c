/* rdns_test.c - which PTR answers count as host names, and the
 * resolver's answers for addresses /etc/hosts knows. */
#include <string.h>

#include "dns/rdns.h"
#include "tap.h"

int
main(void)
{
	static const char *good[] = {
		"localhost", "mail.example.com", "a-b.c_d.example", "x1.2x",
		"host.123a", "a.b.c.d.e.f.g",
	};
	static const char *bad[] = {
		"", ".", "a..b", ".a", "a b.example", "a\t.example",
		"1.2.3.4", "192.0.2.1", "host.example.123", "::1",
		"a;rm.example", "[1.2.3.4]", "a.example.", "\xc3\xa9.example",
		"x(y).example",
	};
	char name[256], label[70], longname[300];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(rdns_name_ok(good[i]), "a host name: \"%s\"", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!rdns_name_ok(bad[i]), "not a host name: \"%s\"", bad[i]);
	memset(label, 'a', 63);
	label[63] = '\0';
	ok(rdns_name_ok(label), "a 63-octet label is fine");
	label[63] = 'a';
	label[64] = '\0';
	ok(!rdns_name_ok(label), "a 64-octet label is not");
	for (i = 0; i < 127; i++)
		memcpy(longname + 2 * i, "a.", 2);
	longname[253] = '\0';	/* "a.a. ... a" = 253 octets */
	ok(rdns_name_ok(longname), "a 253-octet name is fine");
	memcpy(longname + 253, ".a", 3);
	ok(!rdns_name_ok(longname), "a 255-octet name is not");

	is_str(rdns_word(RDNS_OK), "OK", "words: OK");
	is_str(rdns_word(RDNS_FORGED), "FORGED", "words: FORGED");
	is_str(rdns_word(RDNS_UNKNOWN), "", "words: unknown is empty");
	ok(rdns_lookup("not-an-address", name, sizeof(name)) == RDNS_FAIL &&
	    name[0] == '\0', "not an address: FAIL, no name");
	/* /etc/hosts has 127.0.0.1 localhost on every Debian machine. */
	ok(rdns_lookup("127.0.0.1", name, sizeof(name)) == RDNS_OK,
	    "127.0.0.1 resolves and resolves back (%s)", name);
	ok(rdns_lookup("127.0.0.1", name, 4) == RDNS_FAIL,
	    "a name that does not fit the buffer is no name");
	return done_testing();
}
