#!/bin/sh
# 24-rdns.t - the client's host name: the PTR record, believed only when
# the name resolves back to the address, and what it is used for: the
# relay= of the logs, the Received: header, relaying from hosts in class
# R or w, Connect: entries by name; a resolver failure is a 4xx, never a
# relay.  Against a real DNS server: dnsmasq, in the test's own network
# namespace, which is also where every client comes from (each binds its
# own source address) and where the server runs (systemd-socket-activate
# --inetd --accept, one process per connection).  "ip netns exec" mounts
# the namespace's resolv.conf and nsswitch.conf over /etc, so no query
# leaves the namespace.
. "${0%/*}/lib.sh"
export LC_ALL=C
D="$T_DIR/data/access"

need_root "for a network namespace"
need_cmd dnsmasq systemd-socket-activate
setup
SERVER=192.0.2.1
GOOD=198.51.100.2	# good.client.test, both ways
FORGED=198.51.100.3	# PTR forged.relay.test, whose A is 198.51.100.99
NOPTR=198.51.100.4	# no PTR record (NXDOMAIN)
RELAYHOST=198.51.100.5	# host.relay.test: class R
OURNAME=198.51.100.6	# test.example: class w
NUMERIC=198.51.100.7	# PTR "1.2.3.4": not a host name
BLOCKED=198.51.100.8	# x.blocked.test: Connect:blocked.test REJECT
FBLOCKED=198.51.100.9	# PTR y.blocked.test, forged: the entry must not apply
BROKEN=203.0.113.5	# the DNS server refuses: a temporary failure
netns_up $SERVER $GOOD $FORGED $NOPTR $RELAYHOST $OURNAME $NUMERIC \
    $BLOCKED $FBLOCKED $BROKEN
# IPv6: the server and two clients (a kernel without IPv6 fails those
# tests rather than skipping them).
SERVER6=2001:db8::1
GOOD6=2001:db8::2	# v6.good.test, both ways
FORGED6=2001:db8::3	# PTR forged6.test, whose AAAA is 2001:db8::99
for a in $SERVER6 $GOOD6 $FORGED6; do
	ip -n "$NS" addr add "$a/128" dev lo nodad 2>/dev/null
done
printf 'hosts: files dns\n' >"/etc/netns/$NS/nsswitch.conf"
printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:1\n' \
    >"/etc/netns/$NS/resolv.conf"

bg ip netns exec "$NS" dnsmasq -k --conf-file=/dev/null --no-resolv \
    --no-hosts --no-poll --listen-address=127.0.0.1 --bind-interfaces \
    --port=53 --user=root --pid-file= --log-queries \
    --log-facility="$T/dns.log" \
    --local=/100.51.198.in-addr.arpa/ --local=/test/ \
    --host-record=good.client.test,$GOOD \
    --ptr-record=3.100.51.198.in-addr.arpa,forged.relay.test \
    --host-record=forged.relay.test,198.51.100.99 \
    --host-record=host.relay.test,$RELAYHOST \
    --host-record=test.example,$OURNAME \
    --ptr-record=7.100.51.198.in-addr.arpa,1.2.3.4 \
    --host-record=x.blocked.test,$BLOCKED \
    --ptr-record=9.100.51.198.in-addr.arpa,y.blocked.test \
    --host-record=y.blocked.test,198.51.100.98 \
    --local=/8.b.d.0.1.0.0.2.ip6.arpa/ \
    --host-record=v6.good.test,$GOOD6 \
    --ptr-record=3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa,forged6.test \
    --host-record=forged6.test,2001:db8::99 \
    2>"$T/dnsmasq.err"
wait_for 5 ip netns exec "$NS" getent hosts good.client.test >/dev/null ||
	bail "dnsmasq did not start: $(cat "$T/dnsmasq.err")"

printf 'Connect:blocked.test\tREJECT\n' >"$T/access.txt"
ln -s "$SM" "$T/makemap"
"$T/makemap" hash "$T/access" <"$T/access.txt" ||
	bail "makemap failed"
write_cf "$CF" "CRrelay.test" "Kaccess hash $T/access"
LOG="$T/log"
PORT=2525
ns_server main "$LOG" "$SERVER:$PORT" "$CF"

# probe < "SRC FROM TO" lines: see txprobe.py; prints
# "SRC FROM TO<TAB>mail<TAB>rcpt<TAB>end".
probe() {
	ip netns exec "$NS" python3 "$D/txprobe.py" "$SERVER" "$PORT" \
	    2>>"$T/probe.err"
}
# t/lib.sh's field N "SRC FROM TO" < probe output: 2 MAIL, 3 RCPT, 4 end
# of data.
ptr_queries() { grep -c "query\[PTR\] $1" "$T/dns.log"; }

# --- no lookup before the first MAIL ----------------------------------------
ip netns exec "$NS" python3 - "$GOOD" "$SERVER" "$PORT" >"$T/nomail.out" <<'PY'
import socket, sys, time
src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
end = time.time() + 10
while True:
    s = socket.socket()
    s.settimeout(15)
    try:
        s.bind((src, 0))
        s.connect((dst, port))
        break
    except OSError:
        s.close()
        if time.time() > end:
            raise
        time.sleep(0.05)
f = s.makefile("rb")
print(f.readline().decode().strip())
s.sendall(b"EHLO probe.example\r\nNOOP\r\nQUIT\r\n")
for line in f:
    print(line.decode().strip())
PY
like "$(tail -1 "$T/nomail.out")" '^221 ' "a session without MAIL ends normally"
is "$(ptr_queries 2.100.51.198)" 0 \
    "no PTR query in a session that never says MAIL (none before the banner)"

# --- the transactions ---------------------------------------------------------
probe >"$T/out" <<EOF
$GOOD a@example.net user@other.example
$GOOD a@example.net root@test.example
$FORGED a@example.net user@other.example
$FORGED a@example.net root@test.example
$NOPTR a@example.net user@other.example
$NOPTR a@example.net root@test.example
$RELAYHOST a@example.net user@other.example
$OURNAME a@example.net user@other.example
$NUMERIC a@example.net user@other.example
$BLOCKED a@example.net root@test.example
$FBLOCKED a@example.net root@test.example
$BROKEN a@example.net user@other.example
$BROKEN a@example.net root@test.example
EOF
[ -s "$T/probe.err" ] && sed 's/^/#   probe: /' "$T/probe.err"

is "$(field 3 "$GOOD a@example.net user@other.example" <"$T/out")" \
    "550 5.7.1 <user@other.example>... Relaying denied" \
    "a host with a confirmed name outside class R/w may not relay"
is "$(field 3 "$FORGED a@example.net user@other.example" <"$T/out")" \
    "550 5.7.1 <user@other.example>... Relaying denied. IP name possibly forged forged.relay.test" \
    "a forged name in class R does not open relaying, and the reply says why"
is "$(field 3 "$NOPTR a@example.net user@other.example" <"$T/out")" \
    "550 5.7.1 <user@other.example>... Relaying denied. IP name lookup failed [$NOPTR]" \
    "no PTR record: 550, the reply says so"
is "$(field 3 "$RELAYHOST a@example.net user@other.example" <"$T/out")" \
    "250 2.1.5 <user@other.example>... Recipient ok" \
    "a host in a class R domain (host.relay.test, CRrelay.test) may relay"
like "$(field 4 "$RELAYHOST a@example.net user@other.example" <"$T/out")" \
    '^250 2\.0\.0 ' "and its relayed message is queued"
is "$(field 3 "$OURNAME a@example.net user@other.example" <"$T/out")" \
    "250 2.1.5 <user@other.example>... Recipient ok" \
    "a host named like one of our own names (class w) may relay"
is "$(field 3 "$NUMERIC a@example.net user@other.example" <"$T/out")" \
    "550 5.7.1 <user@other.example>... Relaying denied. IP name lookup failed [$NUMERIC]" \
    "a PTR record holding an address (1.2.3.4) is no name"
is "$(field 2 "$BLOCKED a@example.net root@test.example" <"$T/out")" \
    "550 5.7.1 Access denied" \
    "Connect:blocked.test REJECT refuses x.blocked.test by its parent domain"
is "$(field 2 "$FBLOCKED a@example.net root@test.example" <"$T/out")" \
    "250 2.1.0 <a@example.net>... Sender ok" \
    "a forged name is not looked up in the access map"
is "$(field 3 "$BROKEN a@example.net user@other.example" <"$T/out")" \
    "450 4.4.0 <user@other.example>... Relaying temporarily denied. Cannot resolve PTR record for $BROKEN" \
    "the resolver failed: relaying is refused with 450 4.4.0, to try again later"
like "$(field 4 "$BROKEN a@example.net root@test.example" <"$T/out")" \
    '^250 2\.0\.0 ' "the resolver failed: local mail is still accepted"

# --- Received: and the logs -----------------------------------------------------
rcv_from() {
	_id=$(field 4 "$1 a@example.net root@test.example" <"$T/out" | qid_of)
	[ -n "$_id" ] && [ -f "$Q/qf$_id" ] || { echo "(no message)"; return; }
	received "$Q/qf$_id" | sed -n 1p
}
is "$(rcv_from $GOOD)" \
    "H??Received: from probe.example (good.client.test [$GOOD])" \
    "Received: from HELO (name [address]) for a confirmed name"
is "$(rcv_from $FORGED)" \
    "H??Received: from probe.example (forged.relay.test [$FORGED] (may be forged))" \
    "Received: a name that does not resolve back is marked (may be forged)"
is "$(rcv_from $NOPTR)" "H??Received: from probe.example ([$NOPTR])" \
    "Received: no name, the address alone"
is "$(rcv_from $BROKEN)" "H??Received: from probe.example ([$BROKEN])" \
    "Received: resolver failure, the address alone"
id=$(field 4 "$GOOD a@example.net root@test.example" <"$T/out" | qid_of)
wait_log "$id: from=<a@example.net>"
like "$(grep -F "$id: from=" "$LOG")" \
    "proto=ESMTP, relay=good\\.client\\.test \\[$GOOD\\]\$" \
    "the from= log line names the client by name and address"
wait_log "relay=forged.relay.test \\[$FORGED\\] \\(may be forged\\), reject=550"
ok $? "a refusal logs relay=name [address] (may be forged)"
wait_log "relay=\\[$BROKEN\\], reject=450 4.4.0 Relaying temporarily denied"
ok $? "the 450 is logged with its reason"
is "$(ptr_queries 2.100.51.198)" 2 \
    "one PTR query per session that says MAIL (two sessions from $GOOD)"

# --- IPv6 clients: the same rules; sendmail writes them [IPv6:addr] ---------------
PORT6=$((PORT + 40))
ns_server v6 "$LOG" "[$SERVER6]:$PORT6" "$CF"
printf '%s\n' "$GOOD6 a@example.net root@test.example" \
    "$FORGED6 a@example.net root@test.example" \
    "$GOOD6 a@example.net user@other.example" |
    ip netns exec "$NS" python3 "$D/txprobe.py" "$SERVER6" "$PORT6" \
    >"$T/v6.out" 2>>"$T/probe.err"
id=$(field 4 "$GOOD6 a@example.net root@test.example" <"$T/v6.out" | qid_of)
is "$( [ -n "$id" ] && received "$Q/qf$id" | sed -n 1p)" \
    "H??Received: from probe.example (v6.good.test [IPv6:$GOOD6])" \
    "IPv6, confirmed: Received: from HELO (name [IPv6:address])"
grep -qx "\${client_addr}IPv6:$GOOD6" "$Q/qf$id" 2>/dev/null
ok $? "IPv6: the qf's \${client_addr} is IPv6:address, as sendmail writes it"
id=$(field 4 "$FORGED6 a@example.net root@test.example" <"$T/v6.out" | qid_of)
is "$( [ -n "$id" ] && received "$Q/qf$id" | sed -n 1p)" \
    "H??Received: from probe.example (forged6.test [IPv6:$FORGED6] (may be forged))" \
    "IPv6, not confirmed: (may be forged)"
is "$(field 3 "$GOOD6 a@example.net user@other.example" <"$T/v6.out")" \
    "550 5.7.1 <user@other.example>... Relaying denied" \
    "IPv6: a confirmed name outside class R/w may not relay"

# --- a loopback client is "localhost" without a lookup ------------------------------
LPORT=$(free_port)
bg systemd-socket-activate -l "127.0.0.1:$LPORT" --inetd --accept -- \
    strace -f -q -e trace=openat -o "$T/lo.trace" \
    "$SM" -Am -bs -C "$CF" >>"$T/ssa.out" 2>>"$T/ssa.log"
wait_port "$LPORT" || bail "loopback server did not start"
rm -f "$T/lo.trace"
out=$(printf 'EHLO x\r\n<<WAIT>>\nMAIL FROM:<a@example.net>\r\n<<WAIT>>\nQUIT\r\n' | raw "$LPORT" | tr -d '\r')
like "$out" '^250 2\.1\.0 ' "a loopback client: MAIL accepted"
wait_for 5 grep -q 'exited\|+++' "$T/lo.trace" 2>/dev/null
! grep -q '"/etc/hosts"\|"/etc/resolv.conf"\|"/etc/host.conf"' "$T/lo.trace" && grep -q openat "$T/lo.trace"
ok $? "... and no resolver file was opened for it (strace)"

# --- a resolver that never answers: Timeout.resolver.retrans and .retry ------------
# The namespace's name server becomes an address whose packets vanish (a
# veth pair whose far end takes nothing, with a fixed neighbour entry, so
# not even ARP answers); resolv.conf gives each lookup 4 s and one try.
ip -n "$NS" link add smt-a type veth peer name smt-b &&
    ip -n "$NS" link set smt-a up && ip -n "$NS" link set smt-b up &&
    ip -n "$NS" addr add 10.66.0.2/24 dev smt-a &&
    ip -n "$NS" neigh add 10.66.0.1 lladdr 02:00:00:00:00:01 dev smt-a \
    nud permanent || bail "veth for a silent name server"
printf 'nameserver 10.66.0.1\noptions timeout:4 attempts:1\n' \
    >"/etc/netns/$NS/resolv.conf"
write_cf "$T/fast.cf" "O Timeout.resolver.retrans=1s" "O Timeout.resolver.retry=1"
for c in slow fast; do
	cf="$CF"; [ $c = fast ] && cf="$T/fast.cf"
	PORT=$((PORT + 1))
	ns_server "$c" "$LOG" "$SERVER:$PORT" "$cf"
	t0=$(date +%s.%N)
	printf '%s a@example.net user@other.example\n' "$BROKEN" | probe >"$T/$c.out"
	t1=$(date +%s.%N)
	eval "took_$c=\$(awk -v a=$t0 -v b=$t1 'BEGIN { printf \"%.1f\", b - a }')"
	is "$(field 3 "$BROKEN a@example.net user@other.example" <"$T/$c.out")" \
	    "450 4.4.0 <user@other.example>... Relaying temporarily denied. Cannot resolve PTR record for $BROKEN" \
	    "a silent name server ($c): the lookup gives up, relaying gets 450 4.4.0"
done
ok $(awk -v s="$took_slow" 'BEGIN { print (s >= 3.5) ? 0 : 1 }') \
    "without Timeout.resolver.*, resolv.conf's 4 s are waited (${took_slow} s)"
ok $(awk -v f="$took_fast" 'BEGIN { print (f < 3.0) ? 0 : 1 }') \
    "Timeout.resolver.retrans=1s, .retry=1: about 1 s (${took_fast} s)"

done_testing
