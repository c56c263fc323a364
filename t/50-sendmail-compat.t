#!/bin/sh
# 50-sendmail-compat.t - sockmail and the real sendmail 8.17 share queues.
#
# (a) sockmail accepts two messages over -Am -bs into a private queue
#     (one after SMTP AUTH, with an A line, NOTIFY/ORCPT/RET/ENVID and
#     8-bit text, one from <> with a folded header); the real sendmail lists them with -bp exactly as
#     sockmail's -bp does, then delivers them with -q to a capture
#     mailer: headers and body arrive byte for byte as queued, the queue
#     ends empty (nothing renamed to Qf), and the DSN sendmail writes
#     shows ENVID and ORCPT decoded once.
# (b) the real sendmail queues the same messages (DeliveryMode=queue);
#     sockmail's -bp lists them exactly as sendmail's -bp and reports no
#     control file it cannot read.
# (c) a qf locked with flock(2) is shown with '*' by both.
#
# The real sendmail comes from Debian's sendmail-bin/sendmail-cf
# packages, downloaded once into ${XDG_CACHE_HOME:-$HOME/.cache}/
# sockmail-debs and unpacked into a private directory: never installed.
# It runs in its own UTS namespace with the host name mta.test.example
# (with an unqualified name it sleeps 60 s at start), so this test needs
# root.  Every check runs; an absent tool fails the test.
. "${0%/*}/lib.sh"

# check DESCRIPTION COMMAND...: lib.sh's ok on COMMAND's status, which
# it returns (for diagnostics after a failure)
check() {
	_d=$1; shift
	"$@"; _s=$?
	ok $_s "$_d"
	return $_s
}

is_root || bail "needs root (unshare, a private queue as root)"
[ -x "$SM" ] || bail "no sockmail binary at $SM (make first)"
need_cmd dpkg m4 perl unshare hostname

setup	# $T is mode 755: the capture mailer runs as sendmail's DefaultUser

# --- the real sendmail, unpacked ---------------------------------------
unpack_debs "$T/root" sendmail-bin sendmail-cf
REAL=$T/root/usr/libexec/sendmail/sendmail
CFDIR=$T/root/usr/share/sendmail/cf
[ -x "$REAL" ] || bail "no sendmail binary in the package"
missing=$(ldd "$REAL" | sed -n 's/^[[:space:]]*\([^ ]*\) => not found.*/\1/p')
[ -z "$missing" ] || bail "the real sendmail needs" $missing \
    "(Debian: libdb5.3 libldap-2.5-0 libwrap0 libnsl2 libsasl2-2)"
diag "real sendmail: $(basename "$DEB_CACHE"/sendmail-bin_*.deb)"

# sendmail's helper: run it as mta.test.example.  real_sm CF ARGS...
real_sm() {
	cf=$1; shift
	timeout 120 unshare --uts sh -c 'hostname mta.test.example &&
	    exec "$0" -C "$@"' "$REAL" "$cf" "$@"
}

# The capture mailer: each delivery is saved as out/<user>.<n>.
mkdir -m 1777 "$T/out"
cat >"$T/capture" <<EOF
#!/bin/sh
n=\$(ls "$T/out" | wc -l)
cat >"$T/out/\$1.\$n" || exit 75
exit 0
EOF
chmod 755 "$T/capture"

# A real sendmail.cf from the m4 files, for queue directory $1.
real_cf() {
	cat >"$T/real.mc" <<EOF
divert(-1)
divert(0)dnl
define(\`_CF_DIR_', \`$CFDIR/')dnl
define(\`MAIL_SETTINGS_DIR', \`$T/etc/mail/')dnl
include(\`$CFDIR/m4/cf.m4')dnl
OSTYPE(\`linux')dnl
FEATURE(\`accept_unresolvable_domains')dnl
define(\`QUEUE_DIR', \`$1')dnl
define(\`STATUS_FILE', \`$T/statistics')dnl
define(\`confPID_FILE', \`$T/sendmail.pid')dnl
define(\`HELP_FILE', \`$T/helpfile')dnl
define(\`confDELIVERY_MODE', \`queue')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confSERVICE_SWITCH_FILE', \`$T/service.switch')dnl
define(\`LOCAL_MAILER_PATH', \`$T/capture')dnl
define(\`LOCAL_MAILER_ARGS', \`capture \$u')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
EOF
	# no alias database; a local mailer that adds nothing (no From_
	# line, no Date:/From:/Message-Id:/Return-Path:) and takes any user
	m4 "$T/real.mc" |
	    sed -e '/^O AliasFile/d' \
		-e 's|^\(Mlocal,.*\)F=[^,]*,|\1F=lnsq,|'
}
mkdir -m 700 "$T/mq-a" "$T/mq-b"
real_cf "$T/mq-a" >"$T/real-a.cf" && real_cf "$T/mq-b" >"$T/real-b.cf" ||
    bail "m4 failed"
grep -q '^Mlocal.*F=lnsq,' "$T/real-a.cf" || bail "Mlocal not rewritten"
# Every file either configuration names is under $T, none the host's
# (the m4 files' defaults are /etc/mail/...; MAIL_SETTINGS_DIR above
# moves them); the service switch file, which sendmail reads even when
# no cf names it, is named, and absent: sendmail's built-in order.
! grep -v '^#' "$T/real-a.cf" | grep -E '(^|[ =])/(etc/mail|var/spool)/' ||
    bail "the real sendmail.cf names the host's files"
grep -q "^O ServiceSwitchFile=$T/service.switch\$" "$T/real-a.cf" ||
    bail "no ServiceSwitchFile in the real sendmail.cf"

# sockmail's own configuration for the same two queues; no aliases,
# as the real one (an empty AliasFile: without it, sockmail would look
# up root in the host's /etc/mail/aliases.db, and a Debian sendmail's,
# owned by smmta, answers 451).
for q in a b; do
	printf 'O QueueDirectory=%s\nO AliasFile=\nCwlocalhost\nO SessionAsRoot=True\n' \
	    "$T/mq-$q" >"$T/sockmail-$q.cf"
done
# The first message is sent after SMTP AUTH (a local client is offered
# it), so its qf has an A line and $rESMTPA; the real sendmail, which
# offers no AUTH here, refuses the command and goes on.
need_cmd saslpasswd2
printf 'secret\n' | saslpasswd2 -p -f "$T/sasldb" -c -u test.example alice ||
    bail "saslpasswd2 failed"
printf 'O AuthRealm=test.example\nO AuthSasldbPath=%s\n' "$T/sasldb" \
    >>"$T/sockmail-a.cf"
AUTHPLAIN=$(printf 'alice\0alice\0secret' | base64 -w0)

# --- an SMTP client that waits for every reply ---------------------------
cat >"$T/chat.pl" <<'EOF'
# chat.pl CMD... : run CMD, send it the SMTP dialogue read from stdin a
# command at a time (the DATA text in one go), print the replies.
use strict; use warnings; use IPC::Open2;
my @lines = map { s/\r?\n\z//r } <STDIN>;
my $pid = open2(my $out, my $in, @ARGV) or die "open2: $!";
$in->autoflush(1);
sub reply {
	my $all = '';
	while (my $l = <$out>) { $all .= $l; last if $l =~ /^\d{3}(?: |\r?\n)/; }
	print $all; return $all;
}
reply();
my $data = 0;
for my $l (@lines) {
	print $in "$l\r\n";
	if ($data) { if ($l eq '.') { $data = 0; reply(); } next; }
	$data = 1 if reply() =~ /^354/ && $l =~ /^DATA$/i;
}
close $in; waitpid $pid, 0; exit($? >> 8);
EOF

printf 'EHLO client.example.net
AUTH PLAIN %s
MAIL FROM:<alice@localhost> BODY=8BITMIME RET=HDRS ENVID=env+2Bid1
RCPT TO:<root@localhost> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;root+2Borig@localhost
RCPT TO:<daemon@localhost>
DATA
Subject: first, with DSN parameters
From: Alice <alice@client.example.net>

caf\303\251 8-bit line
..a dot-stuffed line

last line
.
MAIL FROM:<>
RCPT TO:<nobody@localhost>
DATA
Subject: second, from <>
X-Folded: first part
\tsecond part
   third part
From: Mailer <mailer-daemon@client.example.net>

body of the second
.
QUIT
' "$AUTHPLAIN" >"$T/dialogue"

# stderr of sockmail -bp: no unreadable qf, no memory error.  (Leak
# reports of a SANITIZE=1 build are shown but do not fail this test.)
quiet() {
	sed 's/^/# stderr: /' "$1"
	! grep -q '^mailq:\|ERROR: AddressSanitizer\|runtime error' "$1"
}

accepted_ids() { sed -n 's/^250 2\.0\.0 \([0-9A-Za-x]*\) .*accepted.*/\1/p' "$1"; }

# Expected delivery of a queued message: its H lines as headers, a blank
# line, the df.  expect QUEUE ID.  (Headers with local addresses would be
# rewritten by sendmail's rulesets, so the dialogue uses none.)
expect() {
	sed -n '/^H/,$p' "$1/qf$2" | sed '$d' | sed 's/^H?[^?]*?//; s/^H//'
	echo
	cat "$1/df$2"
}

# ===== (a) sockmail writes, sendmail reads =============================
perl "$T/chat.pl" "$SM" -Am -bs -C "$T/sockmail-a.cf" \
    <"$T/dialogue" >"$T/a.smtp" 2>"$T/a.err"
ids=$(accepted_ids "$T/a.smtp")
set -- $ids
check "sockmail accepted both messages" [ $# = 2 ] ||
    sed 's/^/# /' "$T/a.smtp" "$T/a.err"
A1=${1:-none} A2=${2:-none}
check "the first was sent after AUTH: 235, an A line, ESMTPA" sh -c "
    grep -q '^235 ' '$T/a.smtp' && grep -qx 'Aalice@test.example' '$T/mq-a/qf$A1' &&
    grep -qx '\$rESMTPA' '$T/mq-a/qf$A1'"

"$SM" -bp -C "$T/sockmail-a.cf" >"$T/a.bp-sockmail" 2>"$T/a.bp-err"
real_sm "$T/real-a.cf" -bp >"$T/a.bp-real" 2>&1
check "sendmail -bp lists sockmail's two messages" \
    grep -q "(2 requests)" "$T/a.bp-real"
check "  with their ids" sh -c "grep -q '^$A1 ' '$T/a.bp-real' &&
    grep -q '^$A2 ' '$T/a.bp-real'"
check "  senders and recipients" sh -c "grep -q ' <alice@localhost>\$' \
    '$T/a.bp-real' && grep -q ' <>\$' '$T/a.bp-real' && grep -q \
    '^	*	 <root@localhost>\$' '$T/a.bp-real' && grep -q \
    '^	*	 <nobody@localhost>\$' '$T/a.bp-real'"
check "sockmail -bp prints exactly what sendmail -bp prints" \
    cmp -s "$T/a.bp-real" "$T/a.bp-sockmail" ||
    diff "$T/a.bp-real" "$T/a.bp-sockmail" | sed 's/^/# /'
check "  and no complaint on stderr" quiet "$T/a.bp-err"

# Keep a copy to know what should arrive, then let sendmail deliver.
cp -p "$T/mq-a"/* "$T/" 2>/dev/null
expect "$T" "$A1" >"$T/want1"
expect "$T" "$A2" >"$T/want2"
real_sm "$T/real-a.cf" -q -v >"$T/a.run" 2>&1
sed 's/^/# sendmail -q: /' "$T/a.run"
check "sendmail -q delivered everything, left no qf, df or Qf" \
    [ -z "$(ls "$T/mq-a")" ]
same() { # same DESCRIPTION WANTFILE GOTFILE
	if [ -f "$3" ] && cmp -s "$2" "$3"; then ok 0 "$1"; else
		ok 1 "$1"; diff "$2" "$3" 2>&1 | sed 's/^/# /'; fi
}
got() { # the capture file for user $1, or a name that does not exist
	f=$(ls "$T/out" | grep "^$1\." | head -1)
	echo "${f:-$1.none}"
}
same "message 1 to root: headers and body byte for byte" \
    "$T/want1" "$T/out/$(got root)"
same "message 1 to daemon: the same" "$T/want1" "$T/out/$(got daemon)"
same "message 2 (folded header, from <>): byte for byte" \
    "$T/want2" "$T/out/$(got nobody)"
dsn=$T/out/$(got alice)
check "NOTIFY=SUCCESS gave a DSN to the sender" [ -f "$dsn" ]
check "  with ENVID decoded once" grep -q '^Original-Envelope-Id: env+id1$' \
    "$dsn"
check "  with ORCPT decoded once" \
    grep -q '^Original-Recipient: rfc822;root+orig@localhost$' "$dsn"
check "  RET=HDRS: headers only, no body" sh -c "grep -q \
    'text/rfc822-headers' '$dsn' && ! grep -q 'last line' '$dsn'"
check "  only the recipient that asked for it" \
    grep -q '^Final-Recipient: RFC822; root@localhost' "$dsn"

# ===== (b) sendmail writes, sockmail reads =============================
timeout 120 unshare --uts sh -c 'hostname mta.test.example &&
    exec perl "$0" "$1" -Am -bs -C "$2"' "$T/chat.pl" "$REAL" "$T/real-b.cf" \
    <"$T/dialogue" >"$T/b.smtp" 2>&1
set -- $(accepted_ids "$T/b.smtp")
check "sendmail queued both messages" [ $# = 2 ] ||
    sed 's/^/# /' "$T/b.smtp"
real_sm "$T/real-b.cf" -bp >"$T/b.bp-real" 2>&1
"$SM" -bp -C "$T/sockmail-b.cf" >"$T/b.bp-sockmail" 2>"$T/b.bp-err"
check "sockmail -bp lists sendmail's two messages" \
    grep -q "(2 requests)" "$T/b.bp-sockmail"
check "  exactly as sendmail -bp does" \
    cmp -s "$T/b.bp-real" "$T/b.bp-sockmail" ||
    diff "$T/b.bp-real" "$T/b.bp-sockmail" | sed 's/^/# /'
check "  and reads every control file (no complaint on stderr)" \
    quiet "$T/b.bp-err"

# ===== (c) the lock is shared ==========================================
qf=$(ls "$T/mq-b" | grep '^qf' | head -1)
flock "$T/mq-b/$qf" sh -c '
	"$1" -bp -C "$2" >"$3/c.bp-sockmail" 2>&1
	timeout 120 unshare --uts sh -c "hostname mta.test.example &&
	    exec \"\$0\" -C \"\$1\" -bp" "$4" "$5" >"$3/c.bp-real" 2>&1
' sh "$SM" "$T/sockmail-b.cf" "$T" "$REAL" "$T/real-b.cf"
id=${qf#qf}
check "a flock'ed qf is '*' for sendmail -bp" \
    grep -q "^$id\*" "$T/c.bp-real"
check "  and for sockmail -bp" grep -q "^$id\*" "$T/c.bp-sockmail"

done_testing
