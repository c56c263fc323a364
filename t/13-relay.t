#!/bin/sh
# 13-relay.t - who may relay, and the classic tricks to relay anyway.
#
# Relaying is decided by the socket's peer address only (doc/DESIGN.md 6), so
# the clients here must really come from elsewhere: the servers run in a
# network namespace of their own with 192.0.2.1 (the server),
# 198.51.100.7 (a stranger), 198.51.10.7 and 198.51.101.7 (near misses
# for the class R entries) on its loopback device, and every client binds
# its source address (t/data/protocol/rcptprobe.py).  The server is
# systemd-socket-activate --inetd --accept, one process per connection,
# as in production; its syslog goes to a file (withsyslog.py).
. "${0%/*}/lib.sh"
export LC_ALL=C
D="$T_DIR/data/protocol"

need_root "for a network namespace"
need_cmd systemd-socket-activate
setup
netns_up 192.0.2.1 198.51.100.7 198.51.10.7 198.51.101.7
SERVER=192.0.2.1
STRANGER=198.51.100.7

make_aliases "$CF" "myalias: root"

# One server per policy, all on 192.0.2.1 in the namespace.
cp "$CF" "$T/base.cf"
write_cf "$T/rip.cf" "CR198.51.100"
write_cf "$T/rcidr.cf" "CR198.51.100.0/24"
write_cf "$T/rdom.cf" "CRpartner.example"
port=2525
for c in base rip rcidr rdom; do
	ns_server "$c" "$T/log-$c" "$SERVER:$port" "$T/$c.cf"
	eval "PORT_$c=$port"
	port=$((port + 1))
done

# probe SRC CFNAME [-1] < paths: the RCPT reply for every path, from SRC.
probe() {
	eval _port=\$PORT_$2
	ip netns exec "$NS" python3 "$D/rcptprobe.py" ${3:-} "$1" "$SERVER" "$_port"
}

# The classic ways to get a foreign destination past a relay check.
# STRANGER: what a client with no relay right must get (5.7.1: exactly
# "550 5.7.1 <path>... Relaying denied. IP name lookup failed [ip]", as
# the stranger has no host name in the namespace; refused: any 5xx, a syntax
# error is a refusal too).  ALLOWED: what a client that may relay gets
# (250: accepted; any: 250, 550 5.1.1 unknown user or 501 syntax, but
# never 5.7.1).
RELAY_TRICKS='
# path                             STRANGER ALLOWED  what it tries
<user@other.example>               5.7.1    250      a foreign domain, plainly
<user%other.example@localhost>     5.7.1    any      the % hack: a local part that routes on
<other.example!user@localhost>     5.7.1    any      a UUCP bang path in a local part
<"user@other.example"@localhost>   5.7.1    any      a quoted @ in a local part
<@localhost:user@other.example>    5.7.1    250      a source route through us to a foreign domain
<@other.example:root@localhost>    5.7.1    any      a source route through a foreign host
<user@[192.0.2.99]>                5.7.1    250      an address literal that is not ours
<user@OTHER.EXAMPLE>               5.7.1    250      a foreign domain in upper case
<user@other.example.>              5.7.1    250      a foreign domain with a trailing dot
<USER%Other.Example@LOCALHOST>     5.7.1    any      the % hack in mixed case
<"user%other"@localhost>           5.7.1    any      a quoted % in a local part
<user@other.example@localhost>     refused  any      two @ signs
<user@localhost.other.example>     5.7.1    250      our name as the first label of a foreign domain
'
# Local recipients: anyone may send to them.
LOCAL_RCPTS='
# path                          reply      why
<root@localhost>                250        a user in passwd
<root@MX.TEST.EXAMPLE.>         250        our name, upper case, trailing dot
<root@[127.0.0.1]>              250        our address literal (in class w)
<nosuchuser@localhost>          550 5.1.1  nobody of that name
<postmaster>                    250        postmaster without a domain (RFC 5321 4.5.1)
<Postmaster@test.example>       250        postmaster in any case
<myalias@localhost>             250        an alias from the aliases map
<root+tag@localhost>            250        user+detail
'
# With CRpartner.example: a relay domain, and its subdomains.
RELAY_DOMAIN='
# path                               reply      why
<x@partner.example>                  250        the relay domain
<x@sub.partner.example>              250        a subdomain of it
<x@PARTNER.EXAMPLE>                  250        in upper case
<x@notpartner.example>               550 5.7.1  a suffix that is not a label boundary
<x@partner.example.other.example>    550 5.7.1  the relay domain as a prefix
<x%other.example@partner.example>    550 5.7.1  the % hack inside a relay domain
'

paths() { table "$1" | awk '{ print $1 }'; }
# reply_of PATH < probe-output
reply_of() { awk -F '\t' -v p="$1" '$1 == p { print $2 }'; }

# --- a stranger -------------------------------------------------------------
paths "$RELAY_TRICKS" | probe $STRANGER base >"$T/stranger.out"
# (a loop fed by a pipe would run in a subshell and lose the counts)
table "$RELAY_TRICKS" >"$T/tricks"
while read -r path want allowed why; do
	got=$(reply_of "$path" <"$T/stranger.out")
	if [ "$want" = 5.7.1 ]; then
		# the reply names the path as parsed: the lower/upper case and
		# the brackets as given (but without a source route)
		case $got in
		"550 5.7.1 <"*">... Relaying denied. IP name lookup failed [$STRANGER]") r=0 ;;
		*) r=1 ;;
		esac
	else
		case $got in 5[0-9][0-9]" "*) r=0 ;; *) r=1 ;; esac
	fi
	ok $r "stranger: $path ($why) -> $want"
	[ $r -eq 0 ] || diag "got: $got"
done <"$T/tricks"
got=$(reply_of '<user@other.example>' <"$T/stranger.out")
is "$got" '550 5.7.1 <user@other.example>... Relaying denied. IP name lookup failed [198.51.100.7]' \
    "stranger: the refusal reads 550 5.7.1 <addr>... Relaying denied, and why a name did not help"

# All the tricks in one transaction: nothing accepted, nothing queued.
before=$(nq)
paths "$RELAY_TRICKS" | probe $STRANGER base -1 >"$T/stranger1.out"
is "$(grep -c '	250 ' "$T/stranger1.out")" 0 \
    "stranger: all tricks in one transaction: no RCPT accepted"
like "$(reply_of DATA <"$T/stranger1.out")" '^503 ' \
    "stranger: DATA after them -> 503 (no recipient)"
is "$(nq)" "$before" "stranger: nothing queued"

# The log says who was refused, by the socket's address.
grep -qF 'NOQUEUE: to=<user@other.example>, relay=[198.51.100.7], reject=550 5.7.1 Relaying denied' \
    "$T/log-base"
ok $? "the log names the refused recipient and the peer address"
[ $? -eq 0 ] || sed 's/^/#   log: /' "$T/log-base" | head -5

# --- clients that may relay: loopback, class R by prefix, by CIDR -------------
for who in "127.0.0.1 base loopback" "$STRANGER rip CR198.51.100" \
    "$STRANGER rcidr CR198.51.100.0/24"; do
	set -- $who
	src=$1 cf=$2 what=$3
	paths "$RELAY_TRICKS" | probe "$src" "$cf" >"$T/allowed.out"
	while read -r path want allowed why; do
		got=$(reply_of "$path" <"$T/allowed.out")
		if [ "$allowed" = 250 ]; then
			case $got in "250 "*) r=0 ;; *) r=1 ;; esac
		else
			case $got in
			"250 "* | "550 5.1.1 "* | "501 "*) r=0 ;;
			*) r=1 ;;
			esac
		fi
		ok $r "$what from $src: $path -> $allowed, never 5.7.1"
		[ $r -eq 0 ] || diag "got: $got"
	done <"$T/tricks"
done

# Class R addresses match whole octets / the prefix length only.
got=$(echo '<user@other.example>' | probe 198.51.10.7 rip | reply_of '<user@other.example>')
like "$got" '^550 5\.7\.1 ' "CR198.51.100 does not let 198.51.10.7 relay"
got=$(echo '<user@other.example>' | probe 198.51.101.7 rcidr | reply_of '<user@other.example>')
like "$got" '^550 5\.7\.1 ' "CR198.51.100.0/24 does not let 198.51.101.7 relay"

# --- local recipients, from the stranger ---------------------------------------
paths "$LOCAL_RCPTS" | probe $STRANGER base >"$T/local.out"
table "$LOCAL_RCPTS" >"$T/locals"
while read -r path code enh why; do
	case $enh in [0-9].*) want="$code $enh" ;; *) want=$code ;; esac
	got=$(reply_of "$path" <"$T/local.out")
	case $got in "$want "*) r=0 ;; *) r=1 ;; esac
	ok $r "stranger: local $path ($code $enh $why) -> $want"
	[ $r -eq 0 ] || diag "got: $got"
done <"$T/locals"

# --- a relay domain, from the stranger -------------------------------------------
paths "$RELAY_DOMAIN" | probe $STRANGER rdom >"$T/rdom.out"
table "$RELAY_DOMAIN" >"$T/rdoms"
while read -r path code enh why; do
	case $enh in [0-9].*) want="$code $enh" ;; *) want=$code ;; esac
	got=$(reply_of "$path" <"$T/rdom.out")
	case $got in "$want "*) r=0 ;; *) r=1 ;; esac
	ok $r "CRpartner.example, stranger: $path ($code $enh $why) -> $want"
	[ $r -eq 0 ] || diag "got: $got"
done <"$T/rdoms"

is "$(ssa_errors)" "" "the sessions wrote nothing to stderr (no sanitizer report)"

done_testing
