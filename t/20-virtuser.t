#!/bin/sh
# 20-virtuser.t - the virtusertable (Kvirtuser, class VirtHost) decides at
# RCPT which addresses of our virtual domains exist.
#
# The map is built with makemap (the binary under that name); the sessions
# are real -Am -bs sessions on a pipe (a local client: the virtusertable's
# verdict does not depend on who may relay), and one listener session
# on 127.0.0.1 for a message that must really be queued.
. "${0%/*}/lib.sh"
export LC_ALL=C
setup
make_aliases "$CF" "myalias: root"

ln -s "$SM" "$T/makemap"
cat >"$T/virtusertable" <<'EOF'
# t/20-virtuser.t
info@virtual.example		root
Sales@Virtual.Example		someone@elsewhere.example
bob+*@virtual.example		bob-detail@elsewhere.example
carol@virtual.example		carol@elsewhere.example
spam@virtual.example		error:5.7.1:550 This address takes no mail
gone@virtual.example		error:nouser
later@virtual.example		error:4.2.1:450 Mailbox busy, try later
broken@virtual.example		error:650 not a code
@catchall.example		root
nobody@catchall.example		error:nouser
alias@test.example		root
bounce@test.example		error:5.1.1:550 No such address here
EOF
"$T/makemap" hash "$T/virtusertable" <"$T/virtusertable" 2>"$T/mm.err"
is "$?" 0 "makemap builds the virtusertable"

write_cf "$T/virt.cf" "Kvirtuser hash -o $T/virtusertable" \
    "C{VirtHost}virtual.example catchall.example"
write_cf "$T/novirt.cf" "C{VirtHost}virtual.example"
write_cf "$T/missing.cf" "Kvirtuser hash $T/nonexistent" \
    "C{VirtHost}virtual.example"

# rcpt CF PATH: the RCPT reply (its last line) for PATH in one session
rcpt() {
	printf 'EHLO t\nMAIL FROM:<a@example.org>\nRCPT TO:%s\nQUIT\n' "$2" |
	    "$SM" -Am -bs -C "$T/$1.cf" 2>>"$T/stderr" | tr -d '\r' |
	    sed -n '/Sender ok$/{n;p;}'
}

# path                                 expected reply (prefix)
CASES='
<info@virtual.example>                 250 2.1.5 <info@virtual.example>... Recipient ok
<INFO@VIRTUAL.EXAMPLE>                 250 2.1.5
<sales@virtual.example>                250 2.1.5
<bob+news@virtual.example>             250 2.1.5
<bob@virtual.example>                  550 5.1.1 <bob@virtual.example>... User unknown
<carol+x@virtual.example>              250 2.1.5
<spam@virtual.example>                 550 5.7.1 This address takes no mail
<gone@virtual.example>                 550 5.1.1 <gone@virtual.example>... User unknown
<later@virtual.example>                450 4.2.1 Mailbox busy, try later
<broken@virtual.example>               451 4.3.0 Temporary system failure (bad virtusertable entry)
<nosuch@virtual.example>               550 5.1.1 <nosuch@virtual.example>... User unknown
<root@virtual.example>                 550 5.1.1 <root@virtual.example>... User unknown
<postmaster@virtual.example>           250 2.1.5
<anything@catchall.example>            250 2.1.5
<nobody@catchall.example>              550 5.1.1 <nobody@catchall.example>... User unknown
<alias@test.example>                   250 2.1.5
<bounce@test.example>                  550 5.1.1 No such address here
<root@test.example>                    250 2.1.5
<nosuchuser@test.example>              550 5.1.1 <nosuchuser@test.example>... User unknown
'
printf '%s\n' "$CASES" | grep -v '^$' >"$T/cases"
while read -r path want; do
	got=$(rcpt virt "$path")
	case $got in
	"$want"*) ok 0 "virtusertable: $path -> $want" ;;
	*) ok 1 "virtusertable: $path -> $want"; diag "got: $got" ;;
	esac
done <"$T/cases"

# Routing tricks in a virtual domain are relay tricks there too: the local
# client may relay, so only the stranger case matters, and 13-relay.t
# covers that path for our domains; here: a quoted local part is unquoted
# before the lookup.
got=$(rcpt virt '<"info"@virtual.example>')
like "$got" '^250 2\.1\.5 ' "a quoted local part is looked up unquoted"

# Without a virtusertable, class VirtHost alone does not make a domain ours.
got=$(rcpt novirt '<info@virtual.example>')
like "$got" '^250 ' "no Kvirtuser: VirtHost is ignored, a local client may relay there"

# Declared without -o and missing: a temporary failure, logged.
got=$(rcpt missing '<info@virtual.example>')
like "$got" '^451 4\.3\.0 ' "a virtusertable that cannot be read: 451 4.3.0"

# A message to a virtual address is queued with the address as given (the
# queue runner maps it at delivery).
PORT=$(free_port)
bg "$SM" -bD -C "$T/virt.cf" -O "DaemonPortOptions=Addr=127.0.0.1,Port=$PORT" \
    >/dev/null 2>>"$T/listener.err"
wait_port "$PORT" || bail "the listener did not start"
before=$(nq)
out=$(printf 'EHLO t\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<sales@virtual.example>\r\nRCPT TO:<nosuch@virtual.example>\r\nDATA\r\n<<WAIT>>\nSubject: v\r\n\r\nhello\r\n.\r\nQUIT\r\n' |
    raw "$PORT")
like "$out" '^250 2\.0\.0 [^ ]+ Message accepted for delivery' "a message to a virtual address is accepted"
is "$(nq)" "$((before + 1))" "... and queued"
qf=$(qfs | tail -1)
[ -n "$qf" ] || qf=none
grep -q '^R.*:<sales@virtual.example>$' "$Q/$qf"
ok $? "the qf names the virtual address as given"
grep -q 'nosuch@virtual.example' "$Q/$qf"
ok $((! $?)) "the refused virtual address is not in the qf"

errs=$(grep -v '^$' "$T/stderr" | head -5)
is "$errs" "" "the sessions wrote nothing to stderr (no sanitizer report)"
done_testing
