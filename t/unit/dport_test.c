/* dport_test.c - DaemonPortOptions values, and which entry a connection
 * to a local address belongs to. */
#include <string.h>
#include <sys/socket.h>

#include "lib/buf.h"
#include "mail/cf.h"
#include "mail/dport.h"
#include "tap.h"

static void
good(const char *v, int family, int port, const char *addr,
    const char *name, unsigned mods)
{
	struct buf err = BUF_INIT;
	struct dport d;

	is_int(dport_parse(v, &d, &err), 0, "parses: %s", v);
	ok(d.family == family && d.port == port && strcmp(d.addr, addr) == 0 &&
	    strcmp(d.name, name) == 0 && d.mods == mods,
	    "  family %d port %d addr \"%s\" name \"%s\" mods %#x",
	    d.family, d.port, d.addr, d.name, d.mods);
	buf_free(&err);
}

static void
bad(const char *v, const char *why)
{
	struct buf err = BUF_INIT;
	struct dport d;

	is_int(dport_parse(v, &d, &err), -1, "refused: %s", v);
	ok(strstr(buf_str(&err), why) != NULL, "  says \"%s\" (%s)", why,
	    buf_str(&err));
	buf_free(&err);
}

int
main(void)
{
	struct buf err = BUF_INIT, text = BUF_INIT;
	struct dport d;
	struct cf cf;

	good("", AF_INET, 25, "", "", 0);
	good("Port=smtp", AF_INET, 25, "", "", 0);
	good("Family=inet, Name=MTA-v4, Port=smtp, Addr=127.0.0.1",
	    AF_INET, 25, "127.0.0.1", "MTA-v4", 0);
	good("Family=inet, Name=MSA, Port=587, M=Ea", AF_INET, 587, "",
	    "MSA", DPM_E | DPM_a);
	good("Port=submission,Name=MSP-v4,M=Ea,Addr=127.0.0.1", AF_INET, 587,
	    "127.0.0.1", "MSP-v4", DPM_E | DPM_a);
	good("Family=inet6, Port=smtps, Modifiers=sAh", AF_INET6, 465, "", "",
	    DPM_s | DPM_A);
	good("Family=inet6, Addr=::1, Port=2525, M=fSOu, Listen=100",
	    AF_INET6, 2525, "::1", "", DPM_f | DPM_S | DPM_O);
	bad("Port=0", "bad Port=0");
	bad("Port=70000", "bad Port=70000");
	bad("Port=smtpx", "bad Port");
	bad("Addr=256.0.0.1", "bad Addr=256.0.0.1");
	bad("Family=inet, Addr=::1", "bad Addr=::1");
	bad("Family=unix", "bad Family=unix");
	bad("M=Ex", "bad M=Ex");
	bad("Colour=blue", "unknown key Colour");
	bad("Port", "is not Key=value");
	bad("Name=abcdefghijklmnopqrstuvwxyz0123456789", "bad Name=");

	cf_defaults(&cf);
	buf_adds(&text,
	    "O DaemonPortOptions=Name=LOCAL, Port=25, Addr=127.0.0.1\n"
	    "O DaemonPortOptions=Name=MTA, Port=25\n"
	    "O DaemonPortOptions=Name=MSA, Port=587, M=Ea\n"
	    "O DaemonPortOptions=Name=V6, Family=inet6, Addr=2001:db8::1, "
	    "Port=26\n");
	is_int(cf_parse(&cf, "t.cf", text.s, text.len, &err), 0, "a cf");
	is_int(dport_find(&cf, "127.0.0.1", 25, &d, &err), 1, "127.0.0.1:25");
	is_str(d.name, "LOCAL", "  is the entry with that Addr");
	is_int(dport_find(&cf, "192.0.2.1", 25, &d, &err), 1, "192.0.2.1:25");
	is_str(d.name, "MTA", "  is the wildcard entry");
	is_int(dport_find(&cf, "192.0.2.1", 587, &d, &err), 1, ":587");
	ok(strcmp(d.name, "MSA") == 0 && d.mods == (DPM_E | DPM_a),
	    "  is the MSA, M=Ea");
	is_int(dport_find(&cf, "2001:db8:0::1", 26, &d, &err), 1,
	    "2001:db8:0::1:26 (another spelling)");
	is_str(d.name, "V6", "  is the IPv6 entry");
	is_int(dport_find(&cf, "2001:db8::2", 26, &d, &err), 0,
	    "another address on that port: no entry");
	is_str(d.name, "", "  and the name is empty");
	is_int(dport_find(&cf, "192.0.2.1", 2525, &d, &err), 0,
	    "another port: no entry");
	cf_free(&cf);
	buf_free(&text);
	buf_free(&err);
	return done_testing();
}
