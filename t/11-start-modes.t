#!/bin/sh
# 11-start-modes.t - every way of starting an MTA session, each with a real
# activator and a real client; every accepted message must sit intact in $Q.
#
#  1. systemd-socket-activate --inetd --accept (socket on fds 0/1): swaks,
#     python smtplib
#  2. systemd-socket-activate --accept (connected socket as fd 3, LISTEN_FDS)
#  3. systemd-socket-activate without --accept (listening socket as fd 3):
#     sendmail -bD serves many connections, one process each
#  4. openbsd-inetd and xinetd (nowait, as root) and tcpserver: fds 0/1,
#     drop to smmta
#  5. sendmail -bd with DaemonPortOptions: MaxDaemonChildren, SIGTERM
#  6. a person at a pipe
#  7. privileges: no RunAsUser, an unknown RunAsUser, the session's uid
#  8. LISTEN_FDS meant for another process is ignored
. "${0%/*}/lib.sh"
setup

SUBMITTER=a@test.example
RCPT=smtest@localhost
getent passwd smtest >/dev/null || RCPT="$(id -un)@localhost"
is_root && OWNER=smmta || OWNER=$(id -un)
_extra=""		# more pids to end at exit (daemons we did not fork)

_end_extra() {
	for p in $_extra; do
		# the sessions it forked first, then the process itself
		for c in $(pgrep -P "$p" 2>/dev/null); do kill "$c" 2>/dev/null; done
		kill "$p" 2>/dev/null
	done
	_cleanup
}
trap _end_extra EXIT

# Sanitizer reports (SANITIZE=1 builds) go to files, from every process:
# inetd gives a session the socket as stderr, -bd gives it /dev/null.
mkdir -m 1777 "$T/san"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$T/san/asan"
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$T/san/ubsan:print_stacktrace=1"
export ASAN_OPTIONS UBSAN_OPTIONS
# systemd-socket-activate passes on only TERM, PATH, USER, HOME and -E.
SSA_ENV="-E ASAN_OPTIONS -E UBSAN_OPTIONS"

# exit_is GOT WANT DESCRIPTION OUTPUT: an exit status, with the output
# shown when it is not the expected one.
exit_is() {
	is "$1" "$2" "$3"
	[ "$1" = "$2" ] && return 0
	printf '%s\n' "$4" | head -n 10 | sed 's/^/#   output: /'
	ls "$T/san" 2>/dev/null | grep -q . &&
	    diag "(sanitizer reports exist: see the end of this test)"
	return 1
}

# all_exit_0 FILE: systemd-socket-activate's stderr says every session
# it spawned exited with code 0.
all_exit_0() {
	_all=$(grep -c 'died with' "$1")
	_zero=$(grep -c 'died with code 0$' "$1")
	[ "$_all" -gt 0 ] && [ "$_all" = "$_zero" ] && return 0
	grep 'died with' "$1" | sed 's/^/#   /'
	return 1
}

# gone PID: no such process any more (or only its zombie left).
gone() {
	[ -r "/proc/$1/stat" ] || return 0
	[ "$(sed 's/.*) //; s/ .*//' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# no_children PID: PID has no child processes (any more).
no_children() { [ -z "$(pgrep -P "$1")" ]; }

# qpid ID: the process id at the end of a queue id (8 chars, then the pid).
qpid() { printf '%s\n' "$1" | sed 's/^........//; s/^0*//'; }

# qid_by_subject SUBJECT: the queued message with that Subject header.
qid_by_subject() {
	grep -lxF "H??Subject: $1" "$Q"/qf* 2>/dev/null | head -n 1 |
	    sed 's|.*/qf||'
}

# msg_check ID SENDER RCPT SUBJECT BODYLINE: the message sits intact in
# $Q: a qf and a df, owned by $OWNER; the df holds the body; the qf starts
# with V8, has S<sender>, RPFD:<rcpt>, H??Subject: and ends with ".".
# Returns non-zero and prints why (as TAP comments) if not.
msg_check() {
	_why=""
	_qf="$Q/qf$1"
	_df="$Q/df$1"
	if [ -z "$1" ]; then _why="no queue id"
	elif [ ! -f "$_qf" ]; then _why="no qf$1"
	elif [ ! -f "$_df" ]; then _why="no df$1"
	elif [ "$(head -n 1 "$_qf")" != V8 ]; then _why="qf does not start with V8"
	elif ! grep -qxF "S<$2>" "$_qf"; then _why="qf has no S<$2>"
	elif ! grep -qxF "RPFD:<$3>" "$_qf"; then _why="qf has no RPFD:<$3>"
	elif ! grep -qxF "H??Subject: $4" "$_qf"; then _why="qf has no H??Subject: $4"
	elif [ "$(tail -n 1 "$_qf")" != . ]; then _why="qf does not end with ."
	elif ! grep -qxF "$5" "$_df"; then _why="df does not hold \"$5\""
	elif [ "$(stat -c %U "$_qf")" != "$OWNER" ]; then
		_why="qf owned by $(stat -c %U "$_qf"), not $OWNER"
	elif [ "$(stat -c %U "$_df")" != "$OWNER" ]; then
		_why="df owned by $(stat -c %U "$_df"), not $OWNER"
	elif [ -e "$Q/tf$1" ]; then _why="tf$1 left behind"
	fi
	[ -z "$_why" ] && return 0
	diag "message ${1:-?}: $_why"
	[ -f "$_qf" ] && sed 's/^/#   qf: /' "$_qf"
	[ -f "$_df" ] && sed 's/^/#   df: /' "$_df" | head -n 5
	return 1
}

# swaks_send PORT SUBJECT BODY: one message, prints swaks' transcript;
# the exit status is swaks'.
swaks_send() {
	swaks_at "$1" --timeout 15 --to "$RCPT" --from "$SUBMITTER" \
	    --header "Subject: $2" --body "$3"
}

# swaks_ok PORT SUBJECT BODY WHAT: swaks exits 0, shows the 250, and the
# message is in $Q.  Sets QID.
swaks_ok() {
	_out=$(swaks_send "$1" "$2" "$3")
	_rc=$?
	is "$_rc" 0 "$4: swaks exits 0"
	[ "$_rc" = 0 ] || printf '%s\n' "$_out" | tail -n 15 | sed 's/^/#   /'
	like "$_out" '<-  250 2\.0\.0 [A-Za-z0-9]+ Message accepted' \
	    "$4: swaks sees 250 2.0.0 <id> Message accepted"
	QID=$(qid_of "$_out")
	msg_check "$QID" "$SUBMITTER" "$RCPT" "$2" "$3"
	ok $? "$4: qf$QID and df$QID intact in the queue"
	grep -qxF '${client_addr}127.0.0.1' "$Q/qf$QID" 2>/dev/null
	ok $? "$4: the session saw its peer 127.0.0.1 (qf \${client_addr})"
}

# python smtplib: sendmail() to 127.0.0.1:PORT, prints OK or the exception.
py_smtplib() {
	timeout 30 python3 - "$@" <<'PY'
import smtplib, sys
port, sender, rcpt, subj, body = sys.argv[1:6]
try:
    with smtplib.SMTP("127.0.0.1", int(port), timeout=15) as s:
        refused = s.sendmail(sender, [rcpt],
                             "Subject: %s\r\n\r\n%s\r\n" % (subj, body))
        print("OK refused=%r" % (refused,))
except Exception as e:
    print("EXCEPTION %s: %s" % (type(e).__name__, e))
PY
}

# hold PORT DIR: connect, wait for the banner (written to DIR/banner), keep
# the session open until DIR/go exists (at most 15 s), then QUIT and write
# the reply to DIR/quit.  Run in the background.
hold() {
	timeout 30 python3 - "$@" <<'PY'
import os, socket, sys, time
port, d = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), 5)
s.settimeout(10)
b = b""
try:
    while b"\r\n" not in b:
        c = s.recv(4096)
        if not c:
            break
        b += c
except socket.timeout:
    pass
with open(d + "/banner.tmp", "wb") as f:
    f.write(b)
os.rename(d + "/banner.tmp", d + "/banner")
end = time.time() + 15
while time.time() < end and not os.path.exists(d + "/go"):
    time.sleep(0.05)
r = b""
try:
    s.sendall(b"QUIT\r\n")
    while b"\r\n" not in r:
        c = s.recv(4096)
        if not c:
            break
        r += c
except OSError:
    pass
with open(d + "/quit", "wb") as f:
    f.write(r)
PY
}

# ids_of PID: "uid-real uid-eff uid-saved uid-fs / gid x4 / groups"
ids_of() {
	awk '/^Uid:/ { u = $2 " " $3 " " $4 " " $5 }
	     /^Gid:/ { g = $2 " " $3 " " $4 " " $5 }
	     /^Groups:/ { $1 = ""; gr = $0 }
	     END { print u " / " g " /" gr }' "/proc/$1/status" 2>/dev/null
}

PIPE_MSG='HELO x
MAIL FROM:<a@b>
RCPT TO:<root@localhost>
DATA
Subject: SUBJ

body of SUBJ
.
QUIT
'
# pipe_dialogue SUBJECT: the dialogue above with SUBJ replaced.
pipe_dialogue() { printf '%s' "$PIPE_MSG" | sed "s/SUBJ/$1/g"; }

start=$(date +%s)

# ---------------------------------------------------------------------
# 1. systemd-socket-activate --inetd --accept: the connection on fds 0/1.
# (Without --accept, systemd-socket-activate would exec one process with
# the LISTENING socket on stdin: that is inetd's "wait" style, not ours.)
P=$(free_port)
bg systemd-socket-activate $SSA_ENV -l "127.0.0.1:$P" --inetd --accept -- \
    "$SM" -Am -bs -C "$CF" 2>"$T/act1.err"
ACT1=$!
wait_port "$P" || bail "systemd-socket-activate --inetd did not listen"
swaks_ok "$P" "t1" "hello" "socket-activate --inetd"
out=$(py_smtplib "$P" "py@test.example" "$RCPT" "t1py" "hello from python")
like "$out" '^OK refused=\{\}$' "socket-activate --inetd: smtplib sendmail() raises nothing"
id=$(qid_by_subject t1py)
msg_check "$id" py@test.example "$RCPT" t1py "hello from python"
ok $? "socket-activate --inetd: smtplib's message intact in the queue"
wait_for 10 no_children "$ACT1"
ok $? "socket-activate --inetd: the session processes exit after QUIT"
all_exit_0 "$T/act1.err"
ok $? "socket-activate --inetd: every session exited 0"

# ---------------------------------------------------------------------
# 2. systemd-socket-activate --accept: connected socket as fd 3,
# LISTEN_FDS=1, LISTEN_PID = the session's pid.
P=$(free_port)
bg systemd-socket-activate $SSA_ENV -l "127.0.0.1:$P" --accept -- \
    "$SM" -Am -bs -C "$CF" 2>"$T/act2.err"
ACT2=$!
wait_port "$P" || bail "systemd-socket-activate --accept did not listen"
swaks_ok "$P" "t2" "hello via fd 3" "socket-activate --accept (LISTEN_FDS)"
spid=$(sed -n 's/.* as PID \([0-9]*\)\.$/\1/p' "$T/act2.err" | tail -n 1)
is "$(qpid "$QID")" "$spid" \
    "socket-activate --accept: the queue id ends in the session's pid"
wait_for 10 no_children "$ACT2"
ok $? "socket-activate --accept: the session processes exit after QUIT"
all_exit_0 "$T/act2.err"
ok $? "socket-activate --accept: every session exited 0"

# ---------------------------------------------------------------------
# 3. systemd-socket-activate without --accept: a listening socket as fd 3;
# sendmail -bD accepts and forks a session per connection.
P=$(free_port)
bg systemd-socket-activate $SSA_ENV -l "127.0.0.1:$P" -- \
    "$SM" -bD -C "$CF" 2>"$T/act3.err"
L3=$!		# systemd-socket-activate execs sendmail: the same pid
wait_port "$P" || bail "systemd-socket-activate (listening fd) did not listen"
ids=""
fails=0
for i in 1 2 3 4 5; do
	out=$(swaks_send "$P" "seq$i" "sequential $i") || fails=$((fails + 1))
	id=$(qid_of "$out")
	msg_check "$id" "$SUBMITTER" "$RCPT" "seq$i" "sequential $i" ||
	    fails=$((fails + 1))
	ids="$ids $id"
done
is "$fails" 0 "listening fd 3 (-bD): 5 sequential swaks sessions queue intact messages"
ppids=""
for i in 1 2 3 4 5; do
	swaks_send "$P" "par$i" "parallel $i" >"$T/par$i.out" &
	ppids="$ppids $!"
done
fails=0
for p in $ppids; do wait "$p" || fails=$((fails + 1)); done
pids=""
for i in 1 2 3 4 5; do
	id=$(qid_of "$(cat "$T/par$i.out")")
	msg_check "$id" "$SUBMITTER" "$RCPT" "par$i" "parallel $i" ||
	    fails=$((fails + 1))
	ids="$ids $id"
	pids="$pids $(qpid "$id")"
done
is "$fails" 0 "listening fd 3 (-bD): 5 parallel swaks sessions queue intact messages"
npids=$(printf '%s\n' $pids | sort -u | wc -l)
is "$npids" 5 "listening fd 3 (-bD): the 5 parallel sessions ran in 5 processes"
nids=$(printf '%s\n' $ids | sort -u | wc -l)
is "$nids" 10 "listening fd 3 (-bD): 10 distinct queue ids"
is "$(printf '%s\n' $pids | grep -cx "$L3")" 0 \
    "listening fd 3 (-bD): no session ran in the listener's own process"
gone "$L3"
ok $((! $?)) "listening fd 3 (-bD): the listener is still running"
wait_for 10 no_children "$L3"
ok $? "listening fd 3 (-bD): the session processes exit after QUIT"

# ---------------------------------------------------------------------
# 4. openbsd-inetd (nowait, user root) and tcpserver: the connection on
# fds 0/1; started as root, the session drops to smmta.
if is_root; then	# openbsd-inetd (make deps) must be there
	P=$(free_port)
	# "host:service" with a numeric port; argv[0] then the arguments.
	printf '127.0.0.1:%s\tstream\ttcp\tnowait\troot\t%s\tsendmail -Am -bs -C %s\n' \
	    "$P" "$SM" "$CF" >"$T/inetd.conf"
	bg /usr/sbin/inetd -i "$T/inetd.conf"
	INETD=$!
	wait_port "$P" || bail "openbsd-inetd did not listen on $P"
	swaks_ok "$P" "t4inetd" "hello via inetd" "openbsd-inetd"
	is "$(stat -c %U "$Q/qf$QID" 2>/dev/null)" smmta \
	    "openbsd-inetd: the qf is owned by smmta"
	# 7. (privileges) the session process, while it talks, runs as smmta.
	mkdir "$T/h4"
	hold "$P" "$T/h4" &
	H4=$!
	wait_for 10 test -e "$T/h4/banner"
	like "$(cat "$T/h4/banner" 2>/dev/null)" '^220 ' \
	    "openbsd-inetd: a held session got its banner"
	spid=$(pgrep -n -P "$INETD")
	is "$(ps -o user= -p "${spid:-0}" | tr -d ' ')" smmta \
	    "openbsd-inetd: the session process runs as smmta (ps)"
	u=$(id -u smmta) g=$(id -g smmta)
	is "$(ids_of "${spid:-0}")" "$u $u $u $u / $g $g $g $g / $g" \
	    "openbsd-inetd: real/effective/saved uid and gid are smmta's, no other groups"
	is "$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' "/proc/${spid:-0}/status")" 1 \
	    "openbsd-inetd: the session has no_new_privs set"
	touch "$T/h4/go"
	wait "$H4"
	like "$(cat "$T/h4/quit" 2>/dev/null)" '^221 ' \
	    "openbsd-inetd: the held session ends with 221"
	wait_for 10 no_children "$INETD"
	ok $? "openbsd-inetd: the session processes exit after QUIT"
else
	skip "openbsd-inetd needs root"
fi

# Started as smmta, as systemd's User=smmta would: the session runs as it
# is, and another smmta process (another session, say) still cannot read
# its memory, where the TLS key and AUTH passwords come to be.
if is_root; then
	P=$(free_port)
	bg setpriv --reuid=smmta --regid=smmta --clear-groups \
	    systemd-socket-activate -l "127.0.0.1:$P" --inetd --accept -- \
	    "$SM" -Am -bs -C "$CF" 2>>"$T/ssu.err"
	SSU=$!
	wait_port "$P" || bail "systemd-socket-activate as smmta did not listen"
	mkdir "$T/h6"
	hold "$P" "$T/h6" &
	H6=$!
	wait_for 10 test -e "$T/h6/banner"
	spid=$(pgrep -n -P "$SSU")
	is "$(ps -o user= -p "${spid:-0}" | tr -d ' ')" smmta \
	    "started as smmta: the session runs as smmta"
	setpriv --reuid=smmta --regid=smmta --clear-groups \
	    cat "/proc/${spid:-0}/environ" >/dev/null 2>&1
	ok $((! $?)) "started as smmta: another smmta process cannot read the session's memory (not dumpable)"
	touch "$T/h6/go"
	wait "$H6"
	like "$(cat "$T/h6/quit" 2>/dev/null)" '^221 ' "started as smmta: the held session ends with 221"
fi

# xinetd, from a private configuration: nowait, user root, no ident or
# DNS in its logging.  Debian's xinetd package conflicts with
# openbsd-inetd, so it is unpacked here, not installed.
if is_root; then
	unpack_debs "$T/xroot" xinetd
	XINETD_BIN=$T/xroot/usr/sbin/xinetd
	[ -x "$XINETD_BIN" ] || bail "no xinetd in the package"
	ldd "$XINETD_BIN" | grep -q 'not found' &&
	    bail "xinetd needs libraries: $(ldd "$XINETD_BIN" | grep 'not found')"
	P=$(free_port)
	cat >"$T/xinetd.conf" <<XEOF
defaults
{
	log_type = FILE $T/xinetd.log
	log_on_success = PID
	log_on_failure =
}
service sockmail-test
{
	type = UNLISTED
	socket_type = stream
	protocol = tcp
	wait = no
	user = root
	bind = 127.0.0.1
	port = $P
	server = $SM
	server_args = -Am -bs -C $CF
	instances = 20
}
XEOF
	bg "$XINETD_BIN" -dontfork -f "$T/xinetd.conf" -pidfile "$T/xinetd.pid"
	XINETD=$!
	wait_port "$P" || bail "xinetd did not listen on $P: $(cat "$T/xinetd.log" 2>/dev/null)"
	swaks_ok "$P" "t4xinetd" "hello via xinetd" "xinetd"
	is "$(stat -c %U "$Q/qf$QID" 2>/dev/null)" smmta \
	    "xinetd: started as root, the session wrote the qf as smmta"
	wait_for 10 no_children "$XINETD"
	ok $? "xinetd: the session processes exit after QUIT"
else
	skip "xinetd needs root"
fi

# tcpserver comes with ucspi-tcp (make deps): missing, it is a failure.
P=$(free_port)
# -H -R -l0: no DNS or ident look-ups (no resolver in the sandbox)
bg tcpserver -q -H -R -l 0 127.0.0.1 "$P" "$SM" -Am -bs -C "$CF"
TCPS=$!
wait_port "$P" || bail "tcpserver did not listen on $P"
swaks_ok "$P" "t4tcpserver" "hello via tcpserver" "tcpserver"
wait_for 10 no_children "$TCPS"
ok $? "tcpserver: the session processes exit after QUIT"

# ---------------------------------------------------------------------
# 5. sendmail -bd with its own DaemonPortOptions; MaxDaemonChildren=2.
P=$(free_port)
CF2="$T/daemon.cf"
write_cf "$CF2" "O DaemonPortOptions=Port=$P, Addr=127.0.0.1" \
    "O MaxDaemonChildren=2"
timeout 10 "$SM" -bd -C "$CF2" >"$T/bd.out" 2>&1
is "$?" 0 "-bd: the starting process exits 0 (the daemon backgrounds itself)"
wait_port "$P" || bail "sendmail -bd did not listen on $P"
# The daemon is whoever listens on $P (its command line is now its title).
D=$(ss -Hltnp "sport = :$P" | sed -n 's/.*pid=\([0-9]*\),.*/\1/p' | head -1)
[ -n "$D" ] || bail "cannot find the -bd daemon"
is "$(ps -o args= -p "$D")" "sendmail: MTA: accepting connections" \
    "-bd: ps shows the daemon's title, as sendmail's"
_extra="$_extra $D"
swaks_ok "$P" "t5" "hello via -bd" "-bd"
wait_for 10 no_children "$D"
ok $? "-bd: the session processes exit after QUIT"

timeout 40 python3 - "$P" "$D" >"$T/maxd.out" 2>&1 <<'PY'
import socket, subprocess, sys, time
port = int(sys.argv[1])
def ps(*sel):
    return subprocess.run(["ps", "-o", "args="] + list(sel),
                          capture_output=True, text=True).stdout.strip()
def banner(s, t):
    s.settimeout(t)
    b = b""
    try:
        while b"\r\n" not in b:
            c = s.recv(4096)
            if not c:
                break
            b += c
    except socket.timeout:
        pass
    return b
def cmd(s, line):
    s.sendall(line + b"\r\n")
    return banner(s, 10)
c = [socket.create_connection(("127.0.0.1", port), 5) for i in range(1)]
print("c1", "banner" if banner(c[0], 10).startswith(b"220 ") else "none")
c.append(socket.create_connection(("127.0.0.1", port), 5))
print("c2", "banner" if banner(c[1], 10).startswith(b"220 ") else "none")
c.append(socket.create_connection(("127.0.0.1", port), 5))
print("c3-early", "banner" if banner(c[2], 2).startswith(b"220 ") else "none")
print("title-full", ps("-p", sys.argv[2]))
print("title-sessions", "|".join(sorted(ps("--ppid", sys.argv[2]).split("\n"))))
print("c1-quit", "221" if cmd(c[0], b"QUIT").startswith(b"221 ") else "no-221")
c[0].close()
print("c3-late", "banner" if banner(c[2], 10).startswith(b"220 ") else "none")
print("c2-quit", "221" if cmd(c[1], b"QUIT").startswith(b"221 ") else "no-221")
print("c3-quit", "221" if cmd(c[2], b"QUIT").startswith(b"221 ") else "no-221")
PY
m=$(cat "$T/maxd.out")
like "$m" '^c1 banner$' "MaxDaemonChildren=2: first connection gets its banner"
like "$m" '^c2 banner$' "MaxDaemonChildren=2: second connection gets its banner"
like "$m" '^c3-early none$' "MaxDaemonChildren=2: third connection waits, no banner"
like "$m" '^title-full sendmail: MTA: rejecting connections: MaxDaemonChildren=2 reached$' \
    "MaxDaemonChildren=2: meanwhile ps shows the daemon rejecting connections"
like "$m" '^title-sessions sendmail: MTA: server \[127\.0\.0\.1\]\|sendmail: MTA: server \[127\.0\.0\.1\]$' \
    "... and each session as the server of its client"
like "$m" '^c1-quit 221$' "MaxDaemonChildren=2: first session QUITs"
like "$m" '^c3-late banner$' "MaxDaemonChildren=2: then the third gets its banner"
like "$m" '^c2-quit 221$' "MaxDaemonChildren=2: second session QUITs"
like "$m" '^c3-quit 221$' "MaxDaemonChildren=2: third session QUITs"
wait_for 10 no_children "$D"
ok $? "MaxDaemonChildren=2: all sessions ended"

# SIGTERM with a session mid-dialogue: no new connection is accepted, the
# open session finishes its message, then the listener exits.
timeout 40 python3 - "$P" "$D" "$RCPT" >"$T/term.out" 2>&1 <<'PY'
import os, signal, socket, sys, time
port, dpid, rcpt = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
s = socket.create_connection(("127.0.0.1", port), 5)
s.settimeout(10)
def reply():
    b = b""
    while True:
        c = s.recv(4096)
        if not c:
            return b
        b += c
        lines = b.split(b"\r\n")
        if b.endswith(b"\r\n") and len(lines) >= 2 and lines[-2][3:4] == b" ":
            return b
def say(line):
    s.sendall(line + b"\r\n")
    return reply()
print("banner", reply()[:3].decode())
print("ehlo", say(b"EHLO client.test.example")[:3].decode())
print("mail", say(b"MAIL FROM:<term@test.example>")[:3].decode())
print("rcpt", say(b"RCPT TO:<%s>" % rcpt.encode())[:3].decode())
os.kill(dpid, signal.SIGTERM)
refused = False
end = time.time() + 5
while time.time() < end:
    try:
        t = socket.create_connection(("127.0.0.1", port), 1)
    except ConnectionRefusedError:
        refused = True
        break
    except OSError:
        pass
    else:
        t.close()
    time.sleep(0.05)
print("new-connect", "refused" if refused else "accepted")
try:
    os.kill(dpid, 0)
    st = open("/proc/%d/stat" % dpid).read().rsplit(")", 1)[1].split()[0]
    print("listener", "zombie" if st == "Z" else "alive")
except (OSError, IOError):
    print("listener", "gone")
print("data", say(b"DATA")[:3].decode())
r = say(b"Subject: term\r\n\r\nfinished after SIGTERM\r\n.")
print("dot", r.decode("latin-1").strip())
print("quit", say(b"QUIT")[:3].decode())
PY
m=$(cat "$T/term.out")
like "$m" '^rcpt 250$' "SIGTERM: a session is mid-dialogue (after RCPT)"
like "$m" '^new-connect refused$' "SIGTERM: the listener refuses new connections"
like "$m" '^listener alive$' "SIGTERM: the listener waits while a session is open"
like "$m" '^data 354$' "SIGTERM: the open session goes on (354 for DATA)"
like "$m" '^dot 250 2\.0\.0 [A-Za-z0-9]+ Message accepted' \
    "SIGTERM: the open session's message is accepted"
like "$m" '^quit 221$' "SIGTERM: the open session QUITs"
id=$(qid_of "$m")
msg_check "$id" term@test.example "$RCPT" term "finished after SIGTERM"
ok $? "SIGTERM: that message is intact in the queue"
wait_for 10 gone "$D"
ok $? "SIGTERM: the listener exits once the session ended"

# ---------------------------------------------------------------------
# 6. A person at a pipe: LF line ends are fine for a local client.
out=$(pipe_dialogue pipe | timeout 20 "$SM" -Am -bs -C "$CF" 2>&1)
exit_is "$?" 0 "pipe: the session exits 0" "$out"
like "$out" '^250 2\.0\.0 [A-Za-z0-9]+ Message accepted' "pipe: message accepted"
like "$out" '^221 ' "pipe: QUIT answered with 221"
id=$(qid_of "$out")
msg_check "$id" a@b root@localhost pipe "body of pipe"
ok $? "pipe: qf and df intact in the queue, owned by $OWNER"

# ---------------------------------------------------------------------
# 7. Privileges.
if is_root; then
	CF_NORU="$T/noru.cf"
	grep -v '^O RunAsUser=' "$CF" >"$CF_NORU"
	# No RunAsUser (Debian's stock sendmail.cf): smmta, the default.
	out=$(pipe_dialogue noru | timeout 20 "$SM" -Am -bs -C "$CF_NORU" 2>&1)
	exit_is "$?" 0 "root without RunAsUser: the session exits 0, as smmta" "$out"
	id=$(qid_of "$out")
	msg_check "$id" a@b root@localhost noru "body of noru"
	ok $? "root without RunAsUser: queued, the files owned by smmta"
	# ... and with no smmta account either: refused.
	grep -v '^smmta:' /etc/passwd >"$T/passwd.nosmmta"
	chmod 644 "$T/passwd.nosmmta"
	# (exec: used in subshells only, so that bg's pid is the activator's)
	nosmmta() { exec unshare -m sh -c "mount --bind '$T/passwd.nosmmta' /etc/passwd && exec \"\$@\"" sh "$@"; }
	n0=$(nq)
	out=$(pipe_dialogue noru2 | nosmmta timeout 20 "$SM" -Am -bs -C "$CF_NORU" 2>&1)
	exit_is "$?" 77 "root, no RunAsUser, no smmta: the session exits 77 (EX_NOPERM)" "$out"
	like "$out" '^421 ' "root, no RunAsUser, no smmta: the session answers 421"
	unlike "$out" '^(220|250)' "root, no RunAsUser, no smmta: no greeting, nothing accepted"
	is "$(nq)" "$n0" "root, no RunAsUser, no smmta: nothing queued"

	# the same over a socket, as inetd would start it
	P=$(free_port)
	bg nosmmta systemd-socket-activate $SSA_ENV -l "127.0.0.1:$P" --inetd --accept -- \
	    "$SM" -Am -bs -C "$CF_NORU" 2>"$T/act7.err"
	A7=$!
	wait_port "$P" || bail "systemd-socket-activate did not listen"
	wait_for 10 no_children "$A7"
	out=$(printf 'QUIT\r\n' | timeout 20 python3 "$T_DIR/smtpraw.py" -w 5 "$P")
	like "$out" '^421 ' "root, no RunAsUser, no smmta, on a socket: the client sees 421"
	wait_for 10 no_children "$A7"
	like "$(grep 'died with' "$T/act7.err")" 'died with code 77$' \
	    "root, no RunAsUser, no smmta, on a socket: the session exits 77"

	CF_BADU="$T/badu.cf"
	write_cf "$CF_BADU" "O RunAsUser=nosuchuser"
	sed -i '/^O RunAsUser=smmta$/d' "$CF_BADU"
	out=$(pipe_dialogue badu | timeout 20 "$SM" -Am -bs -C "$CF_BADU" 2>&1)
	rc=$?
	[ "$rc" -ne 0 ]
	ok $? "RunAsUser=nosuchuser: the session exits non-zero (got $rc)"
	like "$out" '^421 ' "RunAsUser=nosuchuser: the session answers 421"
	unlike "$out" '^250 2\.0\.0' "RunAsUser=nosuchuser: nothing accepted"
	is "$(nq)" "$n0" "RunAsUser=nosuchuser: nothing queued"

	CF_ROOT="$T/asroot.cf"
	{ cat "$CF_NORU"; echo "O SessionAsRoot=True"; } >"$CF_ROOT"
	out=$(pipe_dialogue asroot | timeout 20 "$SM" -Am -bs -C "$CF_ROOT" 2>&1)
	exit_is "$?" 0 "SessionAsRoot=True without RunAsUser: the session exits 0" "$out"
	id=$(qid_of "$out")
	OWNER=root
	msg_check "$id" a@b root@localhost asroot "body of asroot"
	ok $? "SessionAsRoot=True: queued, the files owned by root"
	OWNER=smmta
else
	skip "privilege tests need root"
fi

# ---------------------------------------------------------------------
# 8. LISTEN_FDS for another process (LISTEN_PID wrong) is ignored: the
# session uses stdin/stdout, not fd 3 (here /dev/null).
out=$(pipe_dialogue lpid | LISTEN_PID=1 LISTEN_FDS=1 \
    timeout 20 "$SM" -Am -bs -C "$CF" 2>&1 3</dev/null)
exit_is "$?" 0 "LISTEN_PID of another process: the session exits 0" "$out"
like "$out" '^250 2\.0\.0 [A-Za-z0-9]+ Message accepted' \
    "LISTEN_PID of another process: it talked on stdin/stdout"
id=$(qid_by_subject lpid)
msg_check "$id" a@b root@localhost lpid "body of lpid"
ok $? "LISTEN_PID of another process: the message is intact in the queue"

# ---------------------------------------------------------------------
# Sanitizer reports from every sockmail process above (SANITIZE=1).
san=$(cat "$T"/san/* 2>/dev/null)
unlike "$san" 'ERROR: AddressSanitizer|runtime error' \
    "no AddressSanitizer or UBSan error in any sockmail process"
printf '%s\n' "$san" | grep -E 'ERROR: AddressSanitizer|runtime error' -A 12 |
    head -n 60 | sed 's/^/#   /'
nleak=$(grep -l 'ERROR: LeakSanitizer' "$T"/san/* 2>/dev/null | wc -l)
if [ "$nleak" -gt 0 ]; then
	diag "LeakSanitizer: leaks reported at exit by $nleak process(es); the first:"
	f=$(grep -l 'ERROR: LeakSanitizer' "$T"/san/* | head -n 1)
	sed -n '/^Direct leak/,/^$/p' "$f" | sed -n 1,14p | sed 's/^/#   /'
fi

diag "runtime $(($(date +%s) - start)) s"
done_testing
