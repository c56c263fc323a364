#!/bin/sh
# 33-review.t - what the security review found (issue 15), each with a
# test that failed before its fix: the listener's -L tag and descriptors.
. "${0%/*}/lib.sh"
setup
is_root || { echo "1..0 # SKIP needs root (private /dev/log, RunAsUser)"; exit 0; }
LOG="$T/syslog"
: > "$LOG"
"$SM" -bi -C "$CF" >/dev/null 2>&1 || { : > "$T/aliases"; "$SM" -bi -C "$CF" >/dev/null 2>&1; }

# --- -L tag: copied, not a pointer into argv (which becomes the title) ---
P=$(free_port)
write_cf "$T/bd.cf" "O DaemonPortOptions=Name=MTA, Port=$P, Addr=127.0.0.1"
bg python3 "$T_DIR/withsyslog.py" "$LOG" "$SM" -bD -L sm-review -C "$T/bd.cf" \
    >"$T/bd.out" 2>&1
wait_port "$P" || bail "the listener does not listen: $(cat "$T/bd.out")"
# A session whose title names the client, held open while we look at it.
exec 5<>/dev/null
python3 - "$P" "$T/held" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.recv(512)
s.sendall(b"EHLO evil.example\r\nMAIL FROM:<a@b.example>\r\n")
time.sleep(0.5)
open(sys.argv[2], "w").write("1")
time.sleep(4)
s.sendall(b"QUIT\r\n")
s.recv(512)
PY
held=$!
i=0; while [ ! -f "$T/held" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
# procs: "pid ppid" of every process running $SM.
procs() {
	for _d in /proc/[0-9]*; do
		[ "$(readlink "$_d/exe" 2>/dev/null)" = "$SM" ] || continue
		echo "${_d#/proc/} $(awk '{print $4}' "$_d/stat" 2>/dev/null)"
	done
}
all=$(procs)
# The listener is the one whose parent is not $SM; its child, the session.
lpid=$(printf '%s\n' "$all" | while read -r p pp; do
	printf '%s\n' "$all" | grep -q "^$pp " || echo "$p"; done | head -1)
spid=$(printf '%s\n' "$all" | awk -v l="$lpid" '$2 == l { print $1 }' | head -1)
[ -n "$spid" ]; ok $? "a session runs under the listener (pid ${spid:-none})"
# Issue 15.5: the listener's self-pipe stays in the listener.
pipes=$(ls -l "/proc/$spid/fd" 2>/dev/null | grep -c 'pipe:')
is "$pipes" 0 "the session holds no pipe of the listener's"
[ "$pipes" = 0 ] || ls -l "/proc/$spid/fd" | sed "s/^/#   /"
wait "$held"
wait_log "sm-review\\[[0-9]+\\]: .*from=<a@b.example>" ||
    wait_log "sm-review\\[[0-9]+\\]: " || true
tags=$(sed -n 's/^.\{0,40\}[0-9][0-9]:[0-9][0-9]:[0-9][0-9] \([^ []*\)\[.*/\1/p' "$LOG" | sort -u | tr '\n' ' ')
is "$tags" "sm-review " "every line, listener's and session's, is tagged sm-review"
unlike "$(cat "$LOG")" 'evil\.example\[|tions\[|\(may be forged\)\[' \
    "no line takes its program name from the process title"

# A tag that would forge a line's shape is made harmless.
printf 'MAIL FROM:<a@b.example>\nRCPT TO:<nosuchuser@localhost>\nQUIT\n' | python3 "$T_DIR/withsyslog.py" "$T/log2" "$SM" -Am -bs \
    -L 'x: fake[1]: ' -C "$CF" >/dev/null 2>&1
like "$(cat "$T/log2")" '^.{0,40}[0-9]{2}:[0-9]{2}:[0-9]{2} x__fake_1___\[[0-9]+\]: ' \
    "a tag's spaces, colons and brackets become _"

# --- Issue 15.7: ORCPT's addr-type is an atom (RFC 3461 4.2) ---
out=$(printf 'EHLO x\nMAIL FROM:<a@b.example>\nRCPT TO:<root@localhost> ORCPT=rfc\351822;root@x.example\nRCPT TO:<root@localhost> ORCPT=rfc822;root+40x.example\nQUIT\n' |
    "$SM" -Am -bs -C "$CF" 2>&1)
is "$(codes "$out")" "220 250 250 555 250 221" "ORCPT with an 8-bit addr-type: 555; a good one: 250"

# --- Issue 15.9: log_warnx_errno's errno text reaches syslog too ---
python3 "$T_DIR/withsyslog.py" "$T/log4" "$SOCKMAIL_BUILD/t/log_test" emit
like "$(cat "$T/log4")" 'log-test\[[0-9]+\]: emit one: Permission denied$' \
    "log_warnx_errno: the errno text is in the syslog line"
like "$(cat "$T/log4")" 'log-test\[[0-9]+\]: emit two$' "and a plain line is as it was"

# --- Issue 15.1: no lookup helper is forked from a session holding secrets ---
make_cert
write_cf "$T/tls.cf" "O ServerCertFile=$T/cert.pem" "O ServerKeyFile=$T/key.pem"
printf 'passwd: files compat\ngroup: files\nshadow: files\nhosts: files\n' >"$T/nss"
chmod 644 "$T/nss"
python3 "$T_DIR/withsyslog.py" "$T/log3" unshare -m sh -c \
    "mount --bind '$T/nss' /etc/nsswitch.conf && exec python3 '$T_DIR/lookup-drive.py' '$SM' '$T/tls.cf' tlskill" \
    >"$T/tlskill.out" 2>&1
val() { sed -n "s/^$1 //p" "$T/tlskill.out" | head -1; }
is "$(val starttls)" 220 "STARTTLS: 220"
is "$(val killed_nosuch)" "451 4.3.0" "helper killed after STARTTLS: a lookup that needs it is 451 4.3.0"
is "$(val killed_helpers)" 0 "... and no new helper holds the session's keys"
is "$(val killed_root)" "250 2.1.5" "a user the passwd file settles is still found, in the session"
like "$(cat "$T/log3")" "lookup helper gone after STARTTLS or AUTH" "the session says why"
is "$(val status)" 0 "the session exits 0"

# The same after AUTH in the clear (AuthOptions empty).
need_cmd saslpasswd2
printf 'secret\n' | saslpasswd2 -p -f "$T/sasldb" -c -u mx.test.example user
chgrp smmta "$T/sasldb"; chmod 640 "$T/sasldb"
write_cf "$T/auth.cf" "O AuthSasldbPath=$T/sasldb" "O AuthOptions=" \
    "O AuthMechanisms=PLAIN"
AUTH_PLAIN=$(printf 'user\0user\0secret' | base64 -w0) \
    python3 "$T_DIR/withsyslog.py" "$T/log5" unshare -m sh -c \
    "mount --bind '$T/nss' /etc/nsswitch.conf && exec python3 '$T_DIR/lookup-drive.py' '$SM' '$T/auth.cf' authkill" \
    >"$T/tlskill.out" 2>&1
is "$(val ehlo_helpers)" 1 "AUTH offered in the clear: EHLO starts the helper, before any password"
is "$(val auth)" 235 "AUTH PLAIN: 235"
is "$(val killed_nosuch)" "451 4.3.0" "helper killed after AUTH: 451 4.3.0"
is "$(val killed_helpers)" 0 "... and no new helper holds the password"
is "$(val status)" 0 "the session exits 0"
done_testing
