#!/bin/sh
# 60-qrun.t - sendmail -q, the queue runner's first slice (doc/qrun.md):
# messages queued by real sessions are delivered to a local user's mbox
# (read back by Python's mailbox module), the queue is empty afterwards
# and a second run does nothing; recipients the slice does not deliver
# (an alias, a remote domain) stay queued and are logged; a hostile
# queue written by RunAsUser (programs, files, "-oQ", "../", root, a C
# line, a symlinked or hard-linked df, a symlinked qf) is refused, logged,
# and writes nothing; two runners at once deliver each message once; a
# runner killed with SIGKILL loses nothing and duplicates at most one.
. "${0%/*}/lib.sh"
need_root "(RunAsUser, the test user smtest, deliveries as smtest)"
need_cmd python3 setpriv sha256sum strace
export LC_ALL=C TZ=UTC
setup
SPOOL="$T/mail"
BOX="$SPOOL/smtest"
echo "O MailSpoolDirectory=$SPOOL" >>"$CF"
getent group mail >/dev/null || groupadd -r mail
mkdir "$SPOOL" && chown root:mail "$SPOOL" && chmod 2775 "$SPOOL"
LOG="$T/syslog.txt"
: >"$LOG"
make_aliases "$CF" "postmaster: smtest" "listx: smtest"
[ -e "$(getent passwd smtest | cut -d: -f6)/.forward" ] &&
    bail "smtest has a .forward: the runner would (rightly) defer its mail"

# smtp_msgs FROM RCPT[,RCPT...] SUBJECT...: one -Am -bs session that sends
# one message per SUBJECT; the replies in $T/smtp.out.
smtp_msgs() {
	_from=$1 _rcpts=$2
	shift 2
	{
		echo "EHLO client.example"
		for _s in "$@"; do
			echo "MAIL FROM:<$_from>"
			for _r in $(echo "$_rcpts" | tr ',' ' '); do
				echo "RCPT TO:<$_r>"
			done
			echo "DATA"
			printf 'Subject: %s\nFrom: Alice <%s>\n\n' "$_s" "$_from"
			printf 'Body of %s\nFrom the start of a line\n..leading dot\nend\n.\n' "$_s"
		done
		echo "QUIT"
	} | smtp_pipe 2>"$T/smtp.err" | tr -d '\r' >"$T/smtp.out"
}

# runq: one queue run, its syslog lines appended to $LOG; status in $rc.
runq() {
	with_syslog "$SM" -q -C "$CF" >"$T/out" 2>"$T/err"
	rc=$?
}

# mbox_list: one line per message of the mailbox: Subject|From line's
# sender|Return-Path|body repr.
mbox_list() {
	python3 - "$BOX" <<'PY'
import mailbox, os, sys
if not os.path.exists(sys.argv[1]):
    sys.exit(0)
for m in mailbox.mbox(sys.argv[1], create=False):
    print("%s|%s|%s|%r" % (m["Subject"], m.get_from().split(" ")[0],
                           m["Return-Path"], m.get_payload()))
PY
}
count_box() { mbox_list | wc -l | tr -d ' '; }
# How many times each subject of the given prefix is in the mailbox.
subject_counts() {
	mbox_list | cut -d'|' -f1 | grep "^$1" | sort | uniq -c |
	    awk '{print $1}' | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' '
}

# --- the refusals of the command line ---------------------------------------
"$SM" -q5m -C "$CF" >"$T/out" 2>"$T/err"
is "$?" 64 "-q5m without -bd: EX_USAGE"
like "$(cat "$T/err")" "an interval needs -bd" "  and it says so"
setpriv --reuid=smtest --regid=smtest --clear-groups "$SM" -q -C "$CF" \
    >"$T/out" 2>"$T/err"
is "$?" 77 "-q as another user than root: EX_NOPERM"
like "$(cat "$T/err")" "must be run as root" "  with the reason"

# --- delivery to a local user -----------------------------------------------
smtp_msgs alice@example.org smtest@localhost one two
is "$(grep -c '^250 2.0.0 .* Message accepted' "$T/smtp.out")" 2 "two messages queued"
smtp_msgs bob@example.org smtest three
is "$(grep -c '^250 2.0.0 .* Message accepted' "$T/smtp.out")" 1 "an unqualified recipient queued"
ID3=$(qid_of "$(cat "$T/smtp.out")")
is "$(nq)" 3 "three qf files"
runq
is "$rc" 0 "sendmail -q: exit 0"
is "$(cat "$T/out" "$T/err")" "" "  and nothing on stdout or stderr"
is "$(nq)" 0 "the queue is empty afterwards"
is "$(ls "$Q" | wc -l | tr -d ' ')" 0 "  no df or tf left either"
is "$(mbox_list | cut -d'|' -f1 | sort | tr '\n' ' ')" "one three two " \
    "the mailbox holds the three messages"
is "$(mbox_list | grep '^one|')" \
    "one|alice@example.org|<alice@example.org>|'Body of one\\n>From the start of a line\\n.leading dot\\nend\\n'" \
    "  From line, Return-Path and body intact (>From quoted, dot unstuffed)"
is "$(stat -c '%U %a' "$BOX")" "smtest 600" "  the mailbox is smtest's, mode 0600"
logged "$ID3: to=<smtest>, delay=[0-9:]+, xdelay=[0-9:]+, mailer=local, pri=[0-9]+, dsn=2\.0\.0, stat=Sent$" \
    "a to= line per recipient in sendmail's shape"
is "$(grep -c 'stat=Sent' "$LOG")" 3 "  three Sent lines"
runq
is "$rc:$(count_box)" "0:3" "a second run: nothing more delivered"
is "$(grep -c 'to=' "$LOG")" 3 "  and nothing logged"

# --- what this slice leaves queued ------------------------------------------
smtp_msgs alice@example.org smtest@localhost,listx@localhost mixed
IDM=$(qid_of "$(cat "$T/smtp.out")")
smtp_msgs alice@example.org friend@remote.example remote
IDR=$(qid_of "$(cat "$T/smtp.out")")
runq
is "$(mbox_list | cut -d'|' -f1 | grep -c '^mixed$')" 1 \
    "a message to a user and an alias: the user has it"
logged "$IDM: to=<listx@localhost>, .*mailer=local, .*stat=Deferred: aliases are not yet supported by the runner" \
    "  the alias is deferred and logged"
logged "$IDR: to=<friend@remote.example>, .*mailer=esmtp, .*stat=Deferred: remote delivery is not yet supported" \
    "a remote recipient is deferred and logged"
is "$(nq)" 2 "both messages stay queued"
is "$(grep '^R' "$Q/qf$IDM" | tr '\n' ' ')" "RPFD:<listx@localhost> " \
    "  the delivered recipient is gone from the rewritten qf"
is "$(grep '^N' "$Q/qf$IDM")" "N1" "  the attempt is counted (N1)"
like "$(grep '^M' "$Q/qf$IDM")" "^MDeferred: aliases" "  with its status (M line)"
is "$(stat -c '%U %a' "$Q/qf$IDM")" "smmta 600" "  the qf is still RunAsUser's, 0600"
"$SM" -bp -C "$CF" >"$T/out" 2>&1
like "$(cat "$T/out")" "Total requests: 2" "mailq reads the rewritten qf"
rm -f "$Q"/*

# --- a hostile queue ------------------------------------------------------
# Files as RunAsUser writes them: smmta, 0600.
as_smmta() { setpriv --reuid=smmta --regid=smmta --clear-groups -- "$@"; }
# hostile_qf ID DFSPEC RCPT-LINE...: qf<ID> with those lines before the H
# line; a df<ID> with a body unless DFSPEC is "none".
hostile_qf() {
	_id=$1 _df=$2
	shift 2
	{
		printf 'V8\nT%s\nK0\nN0\nP30000\nS<mallory@example.org>\n' "$(date +%s)"
		for _l in "$@"; do printf '%s\n' "$_l"; done
		printf 'H??Subject: hostile %s\n.\n' "$_id"
	} | as_smmta sh -c "umask 077; cat >'$Q/qf$_id'"
	[ "$_df" = none ] ||
	    printf 'owned\n' | as_smmta sh -c "umask 077; cat >'$Q/df$_id'"
}
before=$(count_box)
sum=$(sha256sum /etc/passwd /etc/shadow | sha256sum)
hostile_qf 6B8Hprog00001 df "RPFD:<|/bin/sh -c \"touch $T/pwned\">" \
    "RPFD:|touch $T/pwned2"
hostile_qf 6B8Hfile00002 df "RPFD:</etc/passwd>" "RPFD:$T/created"
hostile_qf 6B8Hopt000003 df "RPFD:<-oQ/tmp@localhost>" "RPFD:<-oQ/tmp>"
hostile_qf 6B8Hdots00004 df "RPFD:<../../etc/passwd>" \
    "RPFD:<smtest/../../../etc/passwd@localhost>" "RPFD:<..@localhost>"
hostile_qf 6B8Hroot00005 df "RPFD:<root@localhost>" "RPFD:<root>"
hostile_qf 6B8Hctl000006 df "Croot:0:0:root" "RPFD:<smtest@localhost>"
hostile_qf 6B8Hincl00007 df "RPFD:<:include:/etc/passwd>" "RPFD:<\\smtest>" \
    "RPFD:<smtest+x@localhost>" "RPFD:<\"smtest\"@localhost>"
hostile_qf 6B8Hslnk00008 none "RPFD:<smtest@localhost>"
ln -s /etc/shadow "$Q/df6B8Hslnk00008"
hostile_qf 6B8Hhard00009 df "RPFD:<smtest@localhost>"
as_smmta ln "$Q/df6B8Hhard00009" "$T/hardlink" 2>/dev/null ||
    ln "$Q/df6B8Hhard00009" "$T/hardlink"
hostile_qf 6B8Hqsym00010 df "RPFD:<smtest@localhost>"
mv "$Q/qf6B8Hqsym00010" "$T/realqf"
ln -s "$T/realqf" "$Q/qf6B8Hqsym00010"
hostile_qf 6B8Hbad000011 df "RPFD:<smtest@localhost>"
printf 'extra after the dot\n' | as_smmta sh -c "cat >>'$Q/qf6B8Hbad000011'"
nhostile=$(nq)
runq
is "$rc" 0 "the hostile queue: the run ends normally"
is "$(cat "$T/out" "$T/err")" "" "  and writes nothing on stdout or stderr"
is "$(count_box)" "$before" "nothing of it reached smtest's mailbox"
is "$(sha256sum /etc/passwd /etc/shadow | sha256sum)" "$sum" \
    "/etc/passwd and /etc/shadow unchanged"
ok "$(ls "$T/pwned" "$T/pwned2" "$T/created" /tmp/\|* 2>/dev/null | wc -l)" \
    "no program ran, no file was created"
is "$(nq)" "$nhostile" "every hostile message is still queued"
is "$(ls "$SPOOL")" "smtest" "the spool holds smtest's mailbox only"
logged "6B8Hprog00001: to=<\|/bin/sh .*stat=Deferred: not a plain local user name" \
    "a |program recipient: refused and logged"
logged "6B8Hprog00001: to=\|touch .*stat=Deferred: not a plain local user" \
    "  also without brackets"
logged "6B8Hfile00002: to=</etc/passwd>, .*stat=Deferred: not a plain local user" \
    "a /file recipient: refused and logged"
logged "6B8Hopt000003: to=<-oQ/tmp@localhost>, .*stat=Deferred: not a plain" \
    "an -oQ/tmp recipient: refused and logged"
logged "6B8Hdots00004: to=<\.\./\.\./etc/passwd>, .*stat=Deferred: not a plain" \
    "a ../ path: refused and logged"
logged "6B8Hdots00004: to=<\.\.@localhost>, .*stat=Deferred: not a plain" \
    "  and \"..\" as a user"
logged "6B8Hroot00005: to=<root@localhost>, .*dsn=4\.7\.1, stat=Deferred: mail for a uid 0 account" \
    "root: deferred with the reason and the fix"
logged "6B8Hctl000006: to=<smtest@localhost>, .*stat=Deferred: a recipient with a controlling user" \
    "a C line naming root: the recipient is not delivered"
logged "6B8Hincl00007: to=<:include:/etc/passwd>, .*stat=Deferred: not a plain" \
    ":include: refused"
logged "6B8Hslnk00008: SYSERR: df6B8Hslnk00008: a symbolic link, refused" \
    "a df that is a symlink to a root-only file: refused and logged"
logged "6B8Hhard00009: SYSERR: df6B8Hhard00009: has more than one hard link, refused" \
    "a hard-linked df: refused and logged"
logged "6B8Hqsym00010: SYSERR: qf6B8Hqsym00010: a symbolic link, refused" \
    "a qf that is a symlink: refused and logged"
logged "6B8Hbad000011: SYSERR: bad control file: .*left in place" \
    "a qf with data after the final dot: refused and logged"
rm -f "$Q"/* "$T/hardlink" "$T/realqf"

# --- two runners at once --------------------------------------------------
set --
for i in $(seq 1 30); do set -- "$@" "pair$i"; done
smtp_msgs alice@example.org smtest@localhost "$@"
is "$(nq)" 30 "30 messages queued for two runners"
before=$(count_box)
with_syslog "$SM" -q -C "$CF" >"$T/out1" 2>&1 &
p1=$!
with_syslog "$SM" -q -C "$CF" >"$T/out2" 2>&1 &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
is "$r1:$r2" "0:0" "both runners exit 0"
is "$(cat "$T/out1" "$T/out2")" "" "  with nothing on stdout or stderr"
is "$(subject_counts pair)" "1x30 " "each of the 30 messages delivered exactly once"
is "$(nq)" 0 "  and the queue is empty"

# --- SIGKILL in the middle of a run ---------------------------------------
set --
for i in $(seq 1 40); do set -- "$@" "kill$i"; done
smtp_msgs alice@example.org smtest@localhost "$@"
is "$(nq)" 40 "40 messages queued"
start=$(count_box)
# Every fsync() of the run made 50 ms slower (strace's delay injection),
# so that the batch takes seconds and the kill falls in its middle.
with_syslog strace -f -qq -o /dev/null -e trace=fsync \
    -e inject=fsync:delay_exit=50000 "$SM" -q -C "$CF" >"$T/out" 2>&1 &
pk=$!
wait_for 60 sh -c "[ \$(grep -c '^From ' '$BOX') -ge $((start + 10)) ]"
ok $? "ten messages of the batch delivered"
# The runner is below with_syslog's processes: kill the root runner
# itself (a sendmail of root whose parent is not a sendmail).
runner=$(ps -e -o pid=,ppid=,user=,comm= | awk -v top="$pk" '
	{ pp[$1] = $2; u[$1] = $3; c[$1] = $4 }
	END { for (p in pp) if (c[p] == "sendmail" && u[p] == "root" &&
	    c[pp[p]] != "sendmail") { q = p; while (q > 1 && q != top) q = pp[q];
	    if (q == top) print p } }' | head -1)
[ -n "$runner" ] && kill -9 "$runner"
ok $? "the runner killed with SIGKILL mid-run"
wait $pk
# The delivery child in flight is the recipient's and outlives the kill:
# let it finish (it may deliver its message a second time later).
wait_for 70 sh -c '! pgrep -u smtest -x sendmail >/dev/null'
left=$(nq)
ok "$([ "$left" -gt 0 ] && [ "$left" -lt 40 ]; echo $?)" \
    "  it had delivered some and left the rest ($left) queued"
runq
is "$rc" 0 "a new run finishes the job"
is "$(cat "$T/out" "$T/err")" "" "  quietly"
is "$(nq)" 0 "  the queue is empty"
counts=$(subject_counts kill)
like "$counts" "^1x(39 2x1|40) $" "every message delivered, at most one twice ($counts)"
ok "$(ls "$Q" | grep -c '^tf')" "no tf left behind"

done_testing
