#!/bin/sh
# 301-review-queue.t - issue 15, the queue's part: mailq escapes what it
# prints from a qf (7), the advice when a session cannot open the queue
# and the order of make run's "listening" (15), header names that begin
# with "?" (7), and which lock the real sendmail honours.
. "${0%/*}/lib.sh"
is_root || { echo "1..0 # SKIP needs root (queue owners, su, /dev/log)"; exit 0; }
setup
chmod 755 "$T"

# --- mailq: control, escape and 8-bit octets of a qf are shown escaped ---
HQ=$T/hostileq
mkdir -m 700 "$HQ"
python3 - "$HQ" <<'PY'
import os, sys
d, e = sys.argv[1], "\x1b"
qf = ("V8\nT1795631460\nK0\nN0\nP30019\n"
      "MDeferred: " + e + "[2J" + e + "]0;owned\x07 \x9b31m caf\xc3\xa9\n"
      "qheld " + e + "[5m\n"
      "$_root@localhost\nS<a" + e + "[31mb@x.example>\n"
      "RPFD:<r" + e + "[0m\x01@localhost>\nH??Subject: x\n.\n")
open(d + "/qf6APIV0xQ011743", "wb").write(qf.encode("latin1"))
open(d + "/df6APIV0xQ011743", "w").write("x\n")
open(d + "/qf\x1b[1mZ", "w").write("V8\n")	# a name of RunAsUser's choice
PY
write_cf "$T/hq.cf" "O QueueDirectory=$HQ"
"$SM" -bp -C "$T/hq.cf" >"$T/hq.out" 2>"$T/hq.err"
# Every octet but TAB and LF is printable ASCII.
bad() { LC_ALL=C tr -d '\t\n\040-\176' <"$1" | wc -c; }
is "$(bad "$T/hq.out")" 0 "mailq prints no raw control or 8-bit octet"
is "$(bad "$T/hq.err")" 0 "  nor does its complaint on stderr"
like "$(cat "$T/hq.out")" '\(Deferred: \\033\[2J\\033\]0;owned\\007 \\23331m caf\\303\\251\)' \
    "  the status line (M) is shown, escaped as \\ooo"
like "$(cat "$T/hq.out")" 'QUARANTINE: held \\033\[5m' "  so is the quarantine reason (q)"
like "$(cat "$T/hq.out")" '<a\\033\[31mb@x.example>' "  and the sender, as before"
like "$(cat "$T/hq.err")" 'qf\\033\[1mZ' "  a qf's name in a complaint too"

# --- a user's -bs against the MTA's queue: no "chown it to me" -----------
MQ=$T/mtaq
mkdir -m 700 "$MQ"
chown smmta:smmta "$MQ"
write_cf "$T/mq.cf" "O QueueDirectory=$MQ"
LOG=$T/mq.log
: >"$LOG"
printf 'QUIT\r\n' | with_syslog su smtest -s /bin/sh -c "'$SM' -bs -C '$T/mq.cf'" \
    >"$T/mq.out" 2>&1
like "$(cat "$T/mq.out")" '^421 4\.3\.0 ' "a user's -bs on the MTA's queue: 421"
wait_log SYSERR
msg=$(grep SYSERR "$LOG")
like "$msg" "cannot open queue directory: Permission denied; it belongs to uid $(id -u smmta) \\(smmta\\) and this process runs as uid $(id -u smtest) \\(smtest\\)" \
    "  the log says whose the queue is and who this process is"
like "$msg" "Start sessions as root \\(they switch to RunAsUser\\) or as uid $(id -u smmta); a user submits mail through the submission program \\(submit\\.cf" \
    "  who may open it, and what a user does instead"
unlike "$msg" "chown" "  and gives no chown advice (it would give the MTA's queue away)"

# --- make run: "listening" only once its port is bound --------------------
# A server that takes a second to bind: the old script said "listening"
# at once.  When the message appears, the port must answer.
cat >"$T/slow-sm" <<EOF
#!/bin/sh
case " \$* " in *" -bD "*) sleep 1;; esac
exec "$SM" "\$@"
EOF
chmod 755 "$T/slow-sm"
mkdir "$T/r1"
P=$(free_port)
(cd "$T/r1" && PORT=$P exec sh "$T_DIR/run-local.sh" "$T/slow-sm") \
    >"$T/r1.out" 2>&1 &
r1=$!
_pids="$_pids $r1"
wait_for 15 grep -q listening "$T/r1.out"
python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2).close()' "$P" 2>/dev/null
ok $? "when make run says 'listening', its port answers"
kill "$r1"
wait "$r1"
wait_for 5 sh -c "! python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $P), 1)' 2>/dev/null"
ok $? "  and TERM to the script stops the server"

# A port in use: an error with the server's message, never "listening".
P=$(free_port)
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
open(sys.argv[2], "w").close(); time.sleep(30)' "$P" "$T/held" &
holder=$!
_pids="$_pids $holder"
wait_for 5 test -f "$T/held"
mkdir "$T/r2"
(cd "$T/r2" && PORT=$P timeout 30 sh "$T_DIR/run-local.sh" "$SM") >"$T/r2.out" 2>&1
rc=$?
[ "$rc" -ne 0 ]; ok $? "make run on a port in use fails (exit $rc)"
unlike "$(cat "$T/r2.out")" "is listening" "  without saying 'listening'"
like "$(cat "$T/r2.out")" "Address already in use" "  and shows the server's reason"
kill "$holder"

# Without swaks (make run no longer installs it): how to get it, and a
# Python line that sends the same test message.
mkdir "$T/nosw" "$T/r3"
: >"$T/r3.out"
for f in /usr/bin/*; do [ "${f##*/}" = swaks ] || ln -s "$f" "$T/nosw/"; done
P=$(free_port)
(cd "$T/r3" && PATH=$T/nosw:/usr/sbin PORT=$P exec sh "$T_DIR/run-local.sh" "$SM") \
    >"$T/r3.out" 2>&1 &
r3=$!
_pids="$_pids $r3"
wait_for 15 grep -q "Ctrl-C" "$T/r3.out"
like "$(cat "$T/r3.out")" "swaks is not installed: apt-get install swaks" \
    "no swaks: make run says how to install it"
cmd=$(sed -n 's/^    \(python3 -c .*\)/\1/p' "$T/r3.out")
[ -n "$cmd" ] && (cd "$T" && eval "$cmd")
ok $? "  and its Python line sends a message"
wait_for 5 sh -c "ls '$T/r3/run/mqueue' | grep -q '^qf'"
ok $? "  which is queued"
kill "$r3"
wait "$r3"

# --- a header name that begins with "?" --------------------------------
# RFC 5322 allows "?" in a field name.  sockmail writes every client
# header as "H??name: value", the empty condition the real sendmail
# writes for its own clients' headers, so "?x?" stays part of the name
# (doc/queue-format.md).
printf 'EHLO c\nMAIL FROM:<a@example.org>\nRCPT TO:<root@localhost>\nDATA\n?x?Subject: hostile\n?l?X-Cond: local\n\nbody\n.\nQUIT\n' |
    "$SM" -Am -bs -C "$CF" >"$T/q.out" 2>&1
id=$(qid_of "$(cat "$T/q.out")")
[ -n "$id" ]; ok $? "a message with header names '?x?Subject', '?l?X-Cond' is accepted"
like "$(cat "$Q/qf$id" 2>/dev/null)" '^H\?\?\?x\?Subject: hostile$' \
    "  stored as H??, the name whole: H???x?Subject"
"$SM" -bp -C "$CF" >"$T/q.bp" 2>"$T/q.bperr"
is "$(cat "$T/q.bperr")" "" "  sockmail's own qf reader takes it"

# --- the real sendmail: those headers, and the lock it honours ----------
# (Fetched here too when t/50 has not run yet: unpack_debs downloads.)
need_cmd dpkg m4
unpack_debs "$T/root" sendmail-bin sendmail-cf
REAL=$T/root/usr/libexec/sendmail/sendmail
CFDIR=$T/root/usr/share/sendmail/cf
mkdir -m 1777 "$T/out"
printf '#!/bin/sh\nexit 75\n' >"$T/capture"
chmod 755 "$T/capture"
cat >"$T/real.mc" <<EOF
divert(0)dnl
include(\`$CFDIR/m4/cf.m4')dnl
OSTYPE(\`linux')dnl
define(\`QUEUE_DIR', \`$Q')dnl
define(\`STATUS_FILE', \`$T/statistics')dnl
define(\`confPID_FILE', \`$T/sendmail.pid')dnl
define(\`confDELIVERY_MODE', \`queue')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`LOCAL_MAILER_PATH', \`$T/capture')dnl
define(\`LOCAL_MAILER_ARGS', \`capture \$u')dnl
MAILER(\`local')dnl
EOF
m4 "$T/real.mc" | sed -e '/^O AliasFile/d' \
    -e 's|^\(Mlocal,.*\)F=[^,]*,|\1F=lnsq,|' >"$T/real.cf"
real_sm() { timeout 120 unshare --uts sh -c 'hostname mta.test.example &&
    exec "$0" -C "$@"' "$REAL" "$T/real.cf" "$@"; }
# Deferred once (sendmail rewrites the qf), then delivered.
real_sm -q -v >"$T/q1.run" 2>&1
like "$(cat "$Q/qf$id" 2>/dev/null)" '^H\?\?\?x\?Subject: hostile$' \
    "the real sendmail rewrites the qf after a deferral: still H???x?Subject"
printf '#!/bin/sh\ncat >"%s/out/$1"\n' "$T" >"$T/capture"
real_sm -q -v >"$T/q2.run" 2>&1
got=$(cat "$T/out/root" 2>/dev/null)
like "$got" '^\?x\?Subject: hostile$' "  and delivers it unchanged"
[ -n "$got" ] || sed 's/^/# sendmail -q: /' "$T/q1.run" "$T/q2.run"
like "$got" '^\?l\?X-Cond: local$' "  '?l?' is no mailer condition to it"
# sockmail locks with flock(2) because this sendmail does (its
# -d0.10 lists HASFLOCK); an fcntl() lock is invisible to it.
like "$(timeout 120 unshare --uts sh -c 'hostname mta.test.example &&
    exec "$0" -d0.10 -bt -C /dev/null' "$REAL" </dev/null 2>&1)" \
    'OS Defines:.* HASFLOCK' "the real sendmail is built with HASFLOCK"
printf 'EHLO c\nMAIL FROM:<a@example.org>\nRCPT TO:<root@localhost>\nDATA\nSubject: l\n\nx\n.\nQUIT\n' |
    "$SM" -Am -bs -C "$CF" >"$T/l.out" 2>&1
lid=$(qid_of "$(cat "$T/l.out")")
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "r+"); fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close(); time.sleep(30)' "$Q/qf$lid" "$T/fcntl-held" &
fl=$!
_pids="$_pids $fl"
wait_for 5 test -f "$T/fcntl-held"
real_sm -bp >"$T/fcntl.bp" 2>&1
kill "$fl"
like "$(cat "$T/fcntl.bp")" "^$lid " "  a qf under an fcntl() lock is not locked ('*') for it"
flock "$Q/qf$lid" sh -c "exec \"\$@\" >'$T/flock.bp' 2>&1" sh \
    timeout 120 unshare --uts sh -c 'hostname mta.test.example &&
    exec "$0" -C "$1" -bp' "$REAL" "$T/real.cf"
like "$(cat "$T/flock.bp")" "^$lid\\*" "  one under flock() is"

done_testing
