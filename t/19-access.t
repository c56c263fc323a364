#!/bin/sh
# 19-access.t - the access map (Kaccess, sendmail's FEATURE(access_db)):
# Connect:, From: and To: entries and their values, seen by real clients.
#
# As in t/13-relay.t the servers run in a network namespace of their own
# with 192.0.2.1 and a few client addresses on its loopback device; every
# client binds its source address (t/data/access/txprobe.py), so the
# Connect: entries see the address they name.  The servers are
# systemd-socket-activate --inetd --accept, one process per connection,
# their syslog going to a file (withsyslog.py).  The map is built with
# makemap (the binary under that name) from the text below.
. "${0%/*}/lib.sh"
export LC_ALL=C
D="$T_DIR/data/access"

need_root "for a network namespace"
need_cmd systemd-socket-activate
setup
SERVER=192.0.2.1
STRANGER=198.51.100.7
netns_up $SERVER $STRANGER 198.51.100.9 198.51.100.10 198.51.100.11 \
    198.51.100.12 198.51.100.13 198.51.100.14 198.51.100.20 198.51.101.7
# IPv6: the server and three clients (a kernel without IPv6 fails the
# IPv6 tests below rather than skipping them).
V6=1
for a in 2001:db8::1 2001:db8:0:1::7 2001:db8:0:2::7 2001:db8:0:3::9; do
	ip -n "$NS" addr add "$a/128" dev lo nodad 2>/dev/null || V6=0
done

make_aliases "$CF" "myalias: root"

# --- the map ------------------------------------------------------------------
ln -s "$SM" "$T/makemap"
cat >"$T/access.txt" <<'EOF'
# t/19-access.t: the access map
Connect:198.51.100.9	REJECT
Connect:198.51.100.10	ERROR:5.7.2:554 Go away, you
Connect:198.51.100.11	ERROR:"553 Not from here"
Connect:198.51.101	RELAY
Connect:198.51.100.12	DISCARD
Connect:198.51.100.13	MAYBE
Connect:IPv6:2001:db8:0:1	RELAY
Connect:IPv6:2001:db8:0:3::9	REJECT

From:SPAMMER@Example.COM	ERROR:5.7.1:550 No spam, thanks
From:spam.example	REJECT
From:good@spam.example	OK
From:baduser@	REJECT
From:fine.example	OK
From:discard.example	DISCARD
From:<>	ERROR:5.7.1:550 No bounces here
From:trusted.example	OK
From:bogus.example	ERROR:650 Not a code

To:partner.example	RELAY
To:skip.partner.example	SKIP
To:root@localhost	REJECT
To:postmaster@test.example	DISCARD
To:tagwins.example	RELAY
To:nosuch@test.example	DISCARD
To:blackhole.example	DISCARD

untagged.example	REJECT
tagwins.example	REJECT
198.51.100.14	ERROR:5.7.0:550 Untagged connect
EOF
"$T/makemap" hash "$T/access" <"$T/access.txt" >"$T/mm.out" 2>"$T/mm.err"
is "$?" 0 "makemap hash builds the access map (exit 0)"
[ -s "$T/mm.err" ] && sed 's/^/#   makemap: /' "$T/mm.err"
[ -f "$T/access.db" ] || bail "no $T/access.db"

# --- the servers --------------------------------------------------------------
# acc: the map; opt: declared optional (-o), file missing; req: declared
# without -o, file missing; btree: the same map declared as btree.
write_cf "$T/acc.cf" "Kaccess hash $T/access"
write_cf "$T/opt.cf" "Kaccess hash -o $T/missing"
write_cf "$T/req.cf" "Kaccess hash $T/missing"
write_cf "$T/btree.cf" "Kaccess btree -o $T/access"
port=2525
for c in acc opt req btree; do
	ns_server "$c" "$T/log-$c" "$SERVER:$port" "$T/$c.cf"
	eval "PORT_$c=$port"
	port=$((port + 1))
done
PORT_v6=2600
if [ $V6 = 1 ]; then
	ns_server v6 "$T/log-v6" "[2001:db8::1]:$PORT_v6" "$T/acc.cf"
	# a dual-stack socket: IPv4 clients arrive as ::ffff:a.b.c.d
	PORT_any=2601
	ns_server any "$T/log-any" "[::]:$PORT_any" "$T/acc.cf"
fi

# probe CFNAME [DST] < "SRC FROM TO" lines: one transaction each, see
# txprobe.py; prints "SRC FROM TO<TAB>mail<TAB>rcpt<TAB>end".
probe() {
	eval _port=\$PORT_$1
	ip netns exec "$NS" python3 "$D/txprobe.py" "${2:-$SERVER}" "$_port" \
	    2>>"$T/probe.err"
}
# t/lib.sh's field N "SRC FROM TO" < probe-output: the Nth reply (2 MAIL,
# 3 RCPT, 4 end of data) of that line.  Each server logs to a file of its
# own: wait_line FILE STRING waits for a line there.

# --- one transaction per line, all through the "acc" server -------------------
# Columns, separated by "|": SRC FROM TO | MAIL reply | RCPT reply |
# end of data | what.  A reply is compared exactly; "-" means not sent.
# End of data: "queued" = 250 with a queue id whose qf file exists,
# "discarded" = 250 with a queue id and no file in the queue at all.
S=$STRANGER
CASES="
# Connect:
198.51.100.9 a@example.net root@test.example | 550 5.7.1 Access denied | - | - | Connect REJECT
198.51.100.10 a@example.net root@test.example | 554 5.7.2 Go away, you | - | - | Connect ERROR with a dsn
198.51.100.11 a@example.net root@test.example | 553 5.7.1 Not from here | - | - | Connect quoted ERROR without a dsn (5.7.1 added)
198.51.101.7 a@example.net user@other.example | 250 2.1.0 <a@example.net>... Sender ok | 250 2.1.5 <user@other.example>... Recipient ok | queued | Connect:198.51.101 RELAY: 198.51.101.7 may relay
$S a@example.net user@other.example | 250 2.1.0 <a@example.net>... Sender ok | 550 5.7.1 <user@other.example>... Relaying denied. IP name lookup failed [198.51.100.7] | - | Connect:198.51.101 RELAY: 198.51.100.7 still may not
198.51.100.12 a@example.net root@test.example | 250 2.1.0 <a@example.net>... Sender ok | 250 2.1.5 <root@test.example>... Recipient ok | discarded | Connect DISCARD: accepted, not queued
198.51.100.13 a@example.net root@test.example | 451 4.3.0 Temporary system failure (bad access map entry) | - | - | Connect with a bogus value: 451 4.3.0
198.51.100.14 a@example.net root@test.example | 550 5.7.0 Untagged connect | - | - | an untagged IP address entry applies to Connect
# From:
$S SPAMMER@Example.COM root@test.example | 550 5.7.1 No spam, thanks | - | - | From ERROR, exact address, same case as the key
$S spammer@example.com root@test.example | 550 5.7.1 No spam, thanks | - | - | From ERROR, exact address in lower case
$S SpAmMeR@EXAMPLE.com root@test.example | 550 5.7.1 No spam, thanks | - | - | From ERROR, exact address in mixed case
$S other@example.com root@test.example | 250 2.1.0 <other@example.com>... Sender ok | 250 2.1.5 <root@test.example>... Recipient ok | queued | From: another user of the ERROR address's domain is fine
$S x@spam.example root@test.example | 550 5.7.1 <x@spam.example>... Access denied | - | - | From domain REJECT
$S x@sub.spam.example root@test.example | 550 5.7.1 <x@sub.spam.example>... Access denied | - | - | From domain REJECT matches a subdomain
$S x@a.b.SPAM.example root@test.example | 550 5.7.1 <x@a.b.spam.example>... Access denied | - | - | From domain REJECT matches a deeper subdomain, any case
$S x@notspam.example root@test.example | 250 2.1.0 <x@notspam.example>... Sender ok | 250 2.1.5 <root@test.example>... Recipient ok | queued | From domain: a suffix that is not a label boundary does not match
$S good@spam.example root@test.example | 250 2.1.0 <good@spam.example>... Sender ok | 250 2.1.5 <root@test.example>... Recipient ok | queued | From user@domain OK is looked up before the domain's REJECT
$S baduser@elsewhere.example root@test.example | 550 5.7.1 <baduser@elsewhere.example>... Access denied | - | - | From user@ REJECT
$S BadUser@fine.example root@test.example | 250 2.1.0 <BadUser@fine.example>... Sender ok | 250 2.1.5 <root@test.example>... Recipient ok | queued | From: the domain (OK) is looked up before user@
$S x@discard.example root@test.example | 250 2.1.0 <x@discard.example>... Sender ok | 250 2.1.5 <root@test.example>... Recipient ok | discarded | From DISCARD: accepted, not queued
$S <> root@test.example | 550 5.7.1 No bounces here | - | - | From:<> matches the null sender
$S friend@trusted.example user@other.example | 250 2.1.0 <friend@trusted.example>... Sender ok | 550 5.7.1 <user@other.example>... Relaying denied. IP name lookup failed [198.51.100.7] | - | From OK does not open relaying
$S x@bogus.example root@test.example | 451 4.3.0 Temporary system failure (bad access map entry) | - | - | From ERROR with code 650: 451 4.3.0
# To:
$S a@example.net x@partner.example | 250 2.1.0 <a@example.net>... Sender ok | 250 2.1.5 <x@partner.example>... Recipient ok | queued | To:domain RELAY: a stranger may relay to it
$S a@example.net x@sub.partner.example | 250 2.1.0 <a@example.net>... Sender ok | 250 2.1.5 <x@sub.partner.example>... Recipient ok | queued | To:domain RELAY: and to a subdomain
$S a@example.net x%y@partner.example | 250 2.1.0 <a@example.net>... Sender ok | 550 5.7.1 <x%y@partner.example>... Relaying denied. IP name lookup failed [198.51.100.7] | - | To:domain RELAY: not with a % routing local part
$S a@example.net x!y@partner.example | 250 2.1.0 <a@example.net>... Sender ok | 550 5.7.1 <x!y@partner.example>... Relaying denied. IP name lookup failed [198.51.100.7] | - | To:domain RELAY: not with a ! routing local part
$S a@example.net x@notpartner.example | 250 2.1.0 <a@example.net>... Sender ok | 550 5.7.1 <x@notpartner.example>... Relaying denied. IP name lookup failed [198.51.100.7] | - | To:domain RELAY: not a suffix that is not a label boundary
$S a@example.net x@skip.partner.example | 250 2.1.0 <a@example.net>... Sender ok | 550 5.7.1 <x@skip.partner.example>... Relaying denied. IP name lookup failed [198.51.100.7] | - | To SKIP stops the search before the parent's RELAY
$S a@example.net x@deep.skip.partner.example | 250 2.1.0 <a@example.net>... Sender ok | 550 5.7.1 <x@deep.skip.partner.example>... Relaying denied. IP name lookup failed [198.51.100.7] | - | To SKIP covers its subdomains too
$S a@example.net root@localhost | 250 2.1.0 <a@example.net>... Sender ok | 550 5.7.1 <root@localhost>... Access denied | - | To REJECT of a local address
$S a@example.net root@mx.test.example | 250 2.1.0 <a@example.net>... Sender ok | 250 2.1.5 <root@mx.test.example>... Recipient ok | queued | To REJECT of root@localhost leaves root@ another local domain alone
$S a@example.net postmaster@test.example | 250 2.1.0 <a@example.net>... Sender ok | 250 2.1.5 <postmaster@test.example>... Recipient ok | discarded | To DISCARD: accepted, not queued
# untagged entries, and a tagged one before an untagged one
$S x@untagged.example root@test.example | 550 5.7.1 <x@untagged.example>... Access denied | - | - | untagged REJECT refuses a sender
$S a@example.net y@untagged.example | 250 2.1.0 <a@example.net>... Sender ok | 550 5.7.1 <y@untagged.example>... Access denied | - | untagged REJECT refuses a recipient (Access denied, not Relaying denied)
$S x@tagwins.example root@test.example | 550 5.7.1 <x@tagwins.example>... Access denied | - | - | untagged REJECT applies to From: when only To: has a tagged entry
$S a@example.net y@tagwins.example | 250 2.1.0 <a@example.net>... Sender ok | 250 2.1.5 <y@tagwins.example>... Recipient ok | queued | To:tagwins.example RELAY is looked up before the untagged REJECT
"
table "$CASES" >"$T/cases"
awk -F '|' '{ print $1 }' "$T/cases" | probe acc >"$T/acc.out"
is "$(grep -c . "$T/acc.out")" "$(grep -c . "$T/cases")" \
    "txprobe answered every line"
[ -s "$T/probe.err" ] && sed 's/^/#   probe: /' "$T/probe.err" | tail -5

trim() { sed 's/^[[:space:]]*//; s/[[:space:]]*$//'; }
queued=0
discarded_ids=
while IFS='|' read -r who wmail wrcpt wend what; do
	who=$(echo "$who" | trim)
	wmail=$(echo "$wmail" | trim)
	wrcpt=$(echo "$wrcpt" | trim)
	wend=$(echo "$wend" | trim)
	what=$(echo "$what" | trim)
	gmail=$(field 2 "$who" <"$T/acc.out")
	grcpt=$(field 3 "$who" <"$T/acc.out")
	gend=$(field 4 "$who" <"$T/acc.out")
	r=0
	[ "$gmail" = "$wmail" ] || r=1
	[ "$grcpt" = "$wrcpt" ] || r=1
	id=$(qid_of "$gend")
	case $wend in
	queued)
		[ -n "$id" ] && [ -f "$Q/qf$id" ] || r=1
		queued=$((queued + 1)) ;;
	discarded)
		[ -n "$id" ] && ! ls "$Q" | grep -q "$id" || r=1
		discarded_ids="$discarded_ids $id" ;;
	*)	[ "$gend" = "$wend" ] || r=1 ;;
	esac
	ok $r "$what ($who)"
	if [ $r -ne 0 ]; then
		diag "want: $wmail | $wrcpt | $wend"
		diag "got:  $gmail | $grcpt | $gend"
	fi
done <"$T/cases"

# --- the queue and the log ----------------------------------------------------
is "$(nq)" "$queued" "the queue holds one qf file per message accepted and not discarded ($queued)"
is "$(ls "$Q" | grep -c '^[dt]f')" "$(nq)" "no stray df/tf files (one df per qf, none for the discarded ones)"

# A recipient whose To: entry says DISCARD but that is refused all the
# same (an unknown user; a foreign domain from a stranger) must not make
# the message to the other, accepted, recipient vanish: either the DISCARD
# recipient is accepted (sendmail: the message is discarded), or it is
# refused and the message is queued for the other one.
for bad in nosuch@test.example x@blackhole.example; do
	who="$S a@example.net $bad,root@test.example"
	printf '%s\n' "$who" | probe acc >"$T/dd.out"
	rcpt=$(field 3 "$who" <"$T/dd.out")
	id=$(field 4 "$who" <"$T/dd.out" | qid_of)
	case $rcpt in
	"250 "*" / 250 "*) r=0; [ -n "$id" ] && [ ! -f "$Q/qf$id" ] || r=1 ;;
	"5"*" / 250 "*) r=0; [ -n "$id" ] && [ -f "$Q/qf$id" ] || r=1 ;;
	*) r=1 ;;
	esac
	ok $r "To DISCARD on $bad, refused or not, and root@test.example in one transaction: no silent loss"
	[ $r -eq 0 ] && continue
	diag "RCPT replies: $rcpt"
	diag "end of data: $(field 4 "$who" <"$T/dd.out"); queued: $([ -n "$id" ] && [ -f "$Q/qf$id" ] && echo yes || echo no)"
done

who="198.51.100.9 a@example.net root@test.example"
wait_line "$T/log-acc" "relay=[198.51.100.9], reject=550 5.7.1 Access denied"
l=$(grep -F 'relay=[198.51.100.9]' "$T/log-acc")
like "$l" '^.*NOQUEUE: connect=[^ ]*198\.51\.100\.9, relay=\[198\.51\.100\.9\], reject=550 5\.7\.1 Access denied$' \
    "Connect REJECT is logged: NOQUEUE: connect=..., relay=[ip], reject=550 5.7.1 Access denied"
wait_line "$T/log-acc" "relay=[198.51.100.10], reject=554 5.7.2 Go away, you"
ok $? "Connect ERROR is logged with its reply"

n=0
for id in $discarded_ids; do
	n=$((n + 1))
	wait_line "$T/log-acc" "$id: from=<" || true
	lines=$(grep -F "$id:" "$T/log-acc")
	like "$lines" \
	    "^.*$id: from=<[^>]*>, size=[0-9]+, nrcpts=1, relay=\[[0-9.]+\], discarded \(access map\)$" \
	    "discarded message $n ($id) is logged as discarded (access map)"
	unlike "$lines" "$id: to=|stat=" "discarded message $n ($id): no to= line"
done
is "$n" 3 "three messages were discarded"
l=$(grep -F 'relay=[198.51.100.12], discarded (access map)' "$T/log-acc")
[ -n "$l" ]; ok $? "the Connect DISCARD message's log line names the client"

wait_line "$T/log-acc" "bad value for connect:198.51.100.13"
l=$(grep -F 'bad value for' "$T/log-acc")
like "$l" 'access map: bad value for connect:198\.51\.100\.13: MAYBE' \
    "a bogus value is logged as a warning, with its key and value"
like "$l" 'access map: bad value for from:bogus\.example: ERROR:650 Not a code' \
    "an ERROR value with a bad code is logged as a warning too"

# --- the other servers: no map, a missing map, btree ----------------------------
printf '%s\n' "$S a@example.net root@test.example" "$S a@example.net user@other.example" \
    "198.51.100.9 a@example.net root@test.example" |
	probe opt >"$T/opt.out"
before=$(nq)
is "$(field 2 "$S a@example.net root@test.example" <"$T/opt.out")|$(field 3 "$S a@example.net root@test.example" <"$T/opt.out")" \
    "250 2.1.0 <a@example.net>... Sender ok|250 2.1.5 <root@test.example>... Recipient ok" \
    "Kaccess -o, file missing: MAIL and RCPT as without a map"
id=$(field 4 "$S a@example.net root@test.example" <"$T/opt.out" | qid_of)
[ -n "$id" ] && [ -f "$Q/qf$id" ]
ok $? "Kaccess -o, file missing: the message is queued"
is "$(field 3 "$S a@example.net user@other.example" <"$T/opt.out")" \
    "550 5.7.1 <user@other.example>... Relaying denied. IP name lookup failed [198.51.100.7]" \
    "Kaccess -o, file missing: relaying still denied"
is "$(field 2 "198.51.100.9 a@example.net root@test.example" <"$T/opt.out")" \
    "250 2.1.0 <a@example.net>... Sender ok" \
    "Kaccess -o, file missing: no Connect entry applies"

printf '%s\n' "$S a@example.net root@test.example" | probe req >"$T/req.out"
is "$(field 2 "$S a@example.net root@test.example" <"$T/req.out")" \
    "451 4.3.0 Temporary system failure (access map unavailable)" \
    "Kaccess without -o, file missing: MAIL gets 451 4.3.0"
wait_line "$T/log-req" "access map lookup of"
like "$(cat "$T/log-req")" "access map lookup of [^ ]+ failed: .*missing\.db" \
    "the unavailable map is logged, naming its file"

printf '%s\n' "198.51.100.9 a@example.net root@test.example" \
    "$S x@sub.spam.example root@test.example" | probe btree >"$T/btree.out"
is "$(cut -f2 "$T/btree.out" | tr '\n' '|')" \
    "550 5.7.1 Access denied|550 5.7.1 <x@sub.spam.example>... Access denied|" \
    "Kaccess btree -o reads the same GDBM file"

# --- IPv6 Connect: entries ---------------------------------------------------------
if [ $V6 = 1 ]; then
	printf '%s\n' "2001:db8:0:1::7 a@example.net user@other.example" \
	    "2001:db8:0:2::7 a@example.net user@other.example" \
	    "2001:db8:0:3::9 a@example.net root@test.example" |
		probe v6 2001:db8::1 >"$T/v6.out"
	is "$(field 3 "2001:db8:0:1::7 a@example.net user@other.example" <"$T/v6.out")" \
	    "250 2.1.5 <user@other.example>... Recipient ok" \
	    "Connect:IPv6:2001:db8:0:1 RELAY lets 2001:db8:0:1::7 relay"
	is "$(field 3 "2001:db8:0:2::7 a@example.net user@other.example" <"$T/v6.out")" \
	    "550 5.7.1 <user@other.example>... Relaying denied. IP name lookup failed [2001:db8:0:2::7]" \
	    "Connect:IPv6:2001:db8:0:1 RELAY does not let 2001:db8:0:2::7 relay"
	is "$(field 2 "2001:db8:0:3::9 a@example.net root@test.example" <"$T/v6.out")" \
	    "550 5.7.1 Access denied" \
	    "Connect:IPv6:2001:db8:0:3::9 REJECT"
	printf '%s\n' "198.51.100.9 a@example.net root@test.example" \
	    "198.51.101.7 a@example.net user@other.example" |
		probe any >"$T/any.out"
	is "$(cut -f2,3 "$T/any.out" | tr '\t\n' '||')" \
	    "550 5.7.1 Access denied|-|250 2.1.0 <a@example.net>... Sender ok|250 2.1.5 <user@other.example>... Recipient ok|" \
	    "on a dual-stack socket (peer ::ffff:198.51.100.x) the IPv4 Connect: entries apply"
else
	ok 1 "IPv6 addresses on the namespace's loopback (needed for the IPv6 Connect: tests)"
fi

# --- a rebuilt map is seen by the next session ---------------------------------------
printf 'Connect:198.51.100.20\tERROR:4.7.1:421 Rebuilt\n' >>"$T/access.txt"
"$T/makemap" hash "$T/access" <"$T/access.txt" 2>"$T/mm.err"
is "$?" 0 "makemap rebuilds the map while the server runs"
printf '%s\n' "198.51.100.20 a@example.net root@test.example" | probe acc >"$T/rebuilt.out"
is "$(cut -f2 "$T/rebuilt.out")" "421 4.7.1 Rebuilt" \
    "the next session sees the new entry"
! ls "$T" | grep -q '\.tmp'
ok $? "no temporary map file left beside the map"

is "$(ssa_errors)" "" "the sessions wrote nothing to stderr (no sanitizer report)"

done_testing
