#!/bin/sh
# 02-hostile-etc.t - make check hides the host's mail configuration.  As
# root it runs the tests under t/hostile-etc-mail.sh: in a mount
# namespace of their own, /etc/mail (SYSCONFDIR) and the default queues
# hold hostile files of that run, so that a test whose configuration
# falls back to a compiled-in path fails on every host, not only on one
# with Debian's sendmail installed (issue 15, item 14).  This test makes
# sure that the isolation is there and bites:
# - the marker file holds this run's token, the directories are mount
#   points, and the host (pid 1's root) does not see them;
# - sockmail without -C reads the hostile sendmail.cf (the compiled-in
#   SYSCONFDIR is the hidden one);
# - write_cf's configuration reads none of it, while the same
#   configuration without its AliasFile or QueueDirectory line fails:
#   451 for root (the Berkeley DB aliases.db of the host), 421 (the
#   default queue) - what a test that forgets a path would meet.
# Not under the harness (a plain prove, make check as a non-root user)
# the whole file is skipped with the reason; with
# SOCKMAIL_REQUIRE_HOSTILE_ETC=1 (.ci/run sets it) it fails instead,
# so that CI cannot lose the isolation silently.
. "${0%/*}/lib.sh"
export LC_ALL=C

if [ -z "${SOCKMAIL_HOSTILE_TOKEN:-}" ]; then
	if [ "${SOCKMAIL_REQUIRE_HOSTILE_ETC:-}" = 1 ]; then
		ok 1 "run under t/hostile-etc-mail.sh (SOCKMAIL_REQUIRE_HOSTILE_ETC=1; make check does it as root when unshare -m works)"
		done_testing
		exit 1
	fi
	echo "1..0 # SKIP not run under t/hostile-etc-mail.sh (make check does so as root, when unshare -m works)"
	exit 0
fi
need_root "(the harness mounts as root)"
ETC=$SOCKMAIL_HOSTILE_ETC
SPOOL=$SOCKMAIL_HOSTILE_SPOOL
setup

# --- the harness is there ------------------------------------------------------
is "$(head -1 "$ETC/SOCKMAIL-HOSTILE" 2>&1)" "$SOCKMAIL_HOSTILE_TOKEN" \
    "$ETC/SOCKMAIL-HOSTILE holds this run's token"
for d in "$ETC" "$SPOOL/mqueue" "$SPOOL/clientmqueue"; do
	mountpoint -q "$d"
	ok $? "$d is a mount point"
done
[ -e "/proc/1/root$ETC/SOCKMAIL-HOSTILE" ]
ok $((! $?)) "the host (pid 1) does not see the hostile $ETC"
is "$(stat -c '%U:%G %a' "$ETC/aliases.db")" "smmta:smmsp 640" \
    "$ETC/aliases.db is owned smmta:smmsp 0640, as Debian's"
is "$(od -An -tx1 -j12 -N4 "$ETC/aliases.db" | tr -d ' ')" 61150600 \
    "... and is a Berkeley DB hash file for sockmail"
[ -f "$ETC/sendmail.cf" ] && [ -f "$ETC/submit.cf" ] && [ -f "$ETC/access.db" ]
ok $? "$ETC holds a sendmail.cf, a submit.cf and an access.db"

# --- sockmail's defaults are the hostile files --------------------------------
"$SM" -bp >"$T/out" 2>"$T/err"
like "$(cat "$T/err")" "^sendmail: $ETC/sendmail\\.cf: " \
    "sockmail -bp without -C reads the hostile $ETC/sendmail.cf"

# --- write_cf's configuration reads none of it --------------------------------
make_aliases "$CF" "postmaster: root"
"$SM" -bC -C "$CF" >"$T/out" 2>"$T/err"
ok_out $? "-bC of write_cf's configuration: no problem"
unlike "$(cat "$T/out" "$T/err")" "$ETC|$SPOOL/" "... and nothing of $ETC or $SPOOL named"
rcpt='EHLO c\nMAIL FROM:<a@example.org>\nRCPT TO:<root@localhost>\nQUIT\n'
out=$(printf "$rcpt" | smtp_pipe 2>"$T/err" | tr -d '\r')
is "$(codes "$out")" "220 250 250 250 221" \
    "write_cf's configuration: RCPT TO:<root@localhost> is 250"

# --- a configuration that forgets a path fails --------------------------------
grep -v '^O AliasFile=' "$CF" >"$T/noalias.cf"
out=$(printf "$rcpt" | "$SM" -Am -bs -C "$T/noalias.cf" 2>"$T/err" | tr -d '\r')
is "$(codes "$out")" "220 250 250 451 221" \
    "without AliasFile: 451 for root (the hostile $ETC/aliases.db)"
grep -v '^O QueueDirectory=' "$CF" >"$T/noqueue.cf"
out=$(printf 'QUIT\n' | "$SM" -Am -bs -C "$T/noqueue.cf" 2>"$T/err" | tr -d '\r')
is "$(codes "$out")" 421 "without QueueDirectory: 421 (the hostile $SPOOL/mqueue)"

done_testing
