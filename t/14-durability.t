#!/bin/sh
# 14-durability.t - the queue guarantees of doc/DESIGN.md 5 under pressure:
#  (a) a full disk: every 250 is a whole message, a refusal leaves nothing;
#  (b) a queue the session cannot or must not use: 421 at the start;
#  (c) a client that disappears in the middle of DATA: nothing left;
#  (d) a slow client within the timeouts: accepted (and one beyond: not);
#  (e) a 50 MB message: streamed, memory stays flat, df byte-exact;
#  (f) 20 sessions at once: 20 distinct queue ids, 20 messages.
. "${0%/*}/lib.sh"
export LC_ALL=C
D="$T_DIR/data/protocol"

need_root "(tmpfs, queue owners)"
need_cmd systemd-socket-activate
setup

# cf_for FILE QUEUEDIR [lines...]: lib.sh's configuration, another queue.
cf_for() {
	_f=$1 _saveq=$Q
	Q=$2
	shift 2
	write_cf "$_f" "$@"
	Q=$_saveq
}

# leftovers DIR: names of tf files, df files without their qf, and
# anything else that is not a qf.
leftovers() {
	ls "$1" | while read -r f; do
		case $f in
		qf*) ;;
		df*) [ -f "$1/qf${f#df}" ] || echo "$f" ;;
		*) echo "$f" ;;
		esac
	done | tr '\n' ' '
}

# body LINES: LINES lines of 99 characters (100 octets with the LF).
body() {
	python3 -c 'import sys; sys.stdout.write(("%099d\n" % 7) * int(sys.argv[1]))' "$1"
}

# --- (a) a full disk ------------------------------------------------------
S="$T/small"
mkdir -m 700 "$S"
mount -t tmpfs -o size=256k,mode=0700 tmpfs "$S" || bail "cannot mount a tmpfs"
chown smmta:smmta "$S"
cf_for "$T/small.cf" "$S" "O MinFreeBlocks=0" "O MaxMessageSize=1000000"

{ printf 'Subject: fill\n\n'; body 300; } >"$T/fill.msg"	# df: 30000 octets
# one pipe session per message, until the queue refuses one
accepted="" refused=""
i=0
while [ $i -lt 30 ]; do
	i=$((i + 1))
	out=$({ printf 'EHLO c\nMAIL FROM:<a@example.org>\nRCPT TO:<root@localhost>\nDATA\n'
	    cat "$T/fill.msg"; printf '.\nQUIT\n'; } | "$SM" -Am -bs -C "$T/small.cf" | tr -d '\r')
	id=$(qid_of "$out")
	if [ -n "$id" ]; then
		accepted="$accepted $id"
		continue
	fi
	refused=$(printf '%s\n' "$out" | grep -E '^4[0-9][0-9] ' | head -1)
	break
done
n_acc=$(echo $accepted | wc -w)
diag "full disk: $n_acc messages accepted, then: $refused"
like "$refused" '^(452 4\.3\.1|451 4\.3\.0) ' "full disk: a message is refused with 452 4.3.1 (or 451)"
[ "$n_acc" -ge 3 ] && [ "$n_acc" -le 8 ]
ok $? "full disk: 256k held a plausible number of 30 KB messages ($n_acc)"
bad=""
for id in $accepted; do
	[ "$(tail -1 "$S/qf$id" 2>/dev/null)" = . ] &&
	    [ "$(head -1 "$S/qf$id")" = V8 ] &&
	    [ "$(stat -c %s "$S/df$id" 2>/dev/null)" = 30000 ] || bad="$bad $id"
done
is "$bad" "" "full disk: every message that got 250 is whole (qf V8...'.', df 30000 octets)"
is "$(leftovers "$S")" "" "full disk: no tf, no df without its qf"
is "$(ls "$S" | grep -c '^qf')" "$n_acc" "full disk: exactly the accepted messages are queued"

# Mail from an ordinary pipe session without SIZE=: refused the same way.
out=$(printf 'EHLO c\nMAIL FROM:<a@example.org>\nRCPT TO:<root@localhost>\nDATA\nSubject: again\n\n%s\n.\nQUIT\n' \
    "$(body 300)" | "$SM" -Am -bs -C "$T/small.cf" | tr -d '\r')
like "$out" '^(452 4\.3\.1|451 4\.3\.0) ' "full disk: still refused while full"
is "$(leftovers "$S")" "" "full disk: the refusal left nothing behind"

# Free space: delete two messages; new mail is accepted again.
set -- $accepted
rm -f "$S/qf$1" "$S/df$1" "$S/qf$2" "$S/df$2"
out=$({ printf 'EHLO c\nMAIL FROM:<a@example.org>\nRCPT TO:<root@localhost>\nDATA\n'
    cat "$T/fill.msg"; printf '.\nQUIT\n'; } | "$SM" -Am -bs -C "$T/small.cf" | tr -d '\r')
id=$(qid_of "$out")
[ -n "$id" ] && [ "$(stat -c %s "$S/df$id" 2>/dev/null)" = 30000 ]
ok $? "full disk: after freeing space new mail is accepted"

# A message bigger than the space left: 452 at the end of DATA, or at MAIL
# when SIZE= says so in advance; nothing partial either way.
left=$(df -k --output=avail "$S" | tail -1 | tr -d ' ')
diag "space left on the queue: ${left}k"
{ printf 'Subject: too big for the disk\n\n'; body 3000; } >"$T/huge.msg"	# 300 KB
out=$({ printf 'EHLO c\nMAIL FROM:<a@example.org>\nRCPT TO:<root@localhost>\nDATA\n'
    cat "$T/huge.msg"; printf '.\nQUIT\n'; } | "$SM" -Am -bs -C "$T/small.cf" | tr -d '\r')
like "$out" '^(452 4\.3\.1|451 4\.3\.0) ' "a message bigger than the space left -> 452"
unlike "$out" 'Message accepted' "... and it is not accepted"
is "$(leftovers "$S")" "" "... and nothing partial is left"
out=$(printf 'EHLO c\nMAIL FROM:<a@example.org> SIZE=300000\nQUIT\n' |
    "$SM" -Am -bs -C "$T/small.cf" | tr -d '\r')
like "$out" '^452 4\.3\.1 ' "MAIL with SIZE= larger than the space left -> 452 4.3.1"
out=$(printf 'EHLO c\nMAIL FROM:<a@example.org> SIZE=3000\nQUIT\n' |
    "$SM" -Am -bs -C "$T/small.cf" | tr -d '\r')
like "$out" '^250 2\.1\.0 ' "MAIL with a SIZE= that fits -> 250"

# MinFreeBlocks: a large value refuses MAIL on any disk.
write_cf "$T/minfree.cf" "O MinFreeBlocks=2000000000"
out=$(printf 'EHLO c\nMAIL FROM:<a@example.org>\nQUIT\n' | "$SM" -Am -bs -C "$T/minfree.cf" | tr -d '\r')
like "$out" '^452 4\.3\.1 ' "O MinFreeBlocks=2000000000: MAIL -> 452 4.3.1"
is "$(ls "$Q" | wc -l)" 0 "MinFreeBlocks: nothing written"

# --- (b) a queue the session cannot or must not use -------------------------
RQ="$T/rootq"
mkdir -m 700 "$RQ"	# root's, while the session runs as smmta
cf_for "$T/rootq.cf" "$RQ"
out=$(printf 'EHLO c\nMAIL FROM:<a@example.org>\nRCPT TO:<root@localhost>\nDATA\nSubject: x\n\nx\n.\nQUIT\n' |
    "$SM" -Am -bs -C "$T/rootq.cf" 2>"$T/rootq.err")
rc=$?
out=$(printf '%s\n' "$out" | tr -d '\r')
like "$out" '^421 ' "unwritable queue (root, 0700): 421 at the start"
is "$(printf '%s\n' "$out" | grep -c .)" 1 "unwritable queue: the 421 is all (no 220, no 250)"
[ "$rc" -ne 0 ]
ok $? "unwritable queue: the session exits non-zero ($rc)"
is "$(ls -A "$RQ")" "" "unwritable queue: nothing written"
LOG="$T/rootq.log"
printf 'QUIT\n' | with_syslog "$SM" -Am -bs -C "$T/rootq.cf" >/dev/null 2>&1
wait_log SYSERR
# (Issue 15.15: the session cannot tell whether it is RunAsUser or a user
# running -bs, so it does not advise a chown to itself; -bC does.)
like "$(cat "$LOG")" "SYSERR: $RQ: cannot open queue directory: Permission denied; it belongs to uid 0 \(root\) and this process runs as uid $(id -u smmta) \(smmta\)\.  Start sessions as root .*If uid $(id -u smmta) is RunAsUser, \`sendmail -bC' run as root names the fix" \
    "unwritable queue: the log names the owner, the session's uid and where the fix is"
start_server rootq "$T/rootq.cf"
out=$(printf 'EHLO c\r\nQUIT\r\n' | raw "$PORT_rootq")
like "$out" '^421 4\.3\.0 ' "unwritable queue, socket: 421 4.3.0"
is "$(ls -A "$RQ")" "" "unwritable queue, socket: nothing written"

WQ="$T/worldq"
mkdir "$WQ"
chown smmta:smmta "$WQ"
chmod 0777 "$WQ"
cf_for "$T/worldq.cf" "$WQ"
out=$(printf 'EHLO c\nMAIL FROM:<a@example.org>\nRCPT TO:<root@localhost>\nDATA\nSubject: x\n\nx\n.\nQUIT\n' |
    python3 "$T_DIR/withsyslog.py" "$T/worldq.log" "$SM" -Am -bs -C "$T/worldq.cf" 2>"$T/worldq.err")
rc=$?
out=$(printf '%s\n' "$out" | tr -d '\r')
like "$out" '^421 ' "world-writable queue (0777): refused with 421"
[ "$rc" -ne 0 ]
ok $? "world-writable queue: the session exits non-zero ($rc)"
is "$(ls -A "$WQ")" "" "world-writable queue: nothing written"
msg=$(cat "$T/worldq.log" "$T/worldq.err" 2>/dev/null)
like "$msg" "$WQ.*world-writable" "world-writable queue: the log names the path and the reason"
diag "log: $(printf '%s\n' "$msg" | head -1)"

# --- (c) the client leaves in the middle of DATA -----------------------------
start_server main "$CF"
before=$(ls "$Q" | wc -l)
out=$(printf 'EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<root@localhost>\r\nDATA\r\n<<WAIT>>\nSubject: cut\r\n\r\nthe first line\r\nand no end\r\n' |
    raw "$PORT_main")
like "$out" '^354 ' "disconnect mid-DATA: the message had begun (354)"
unlike "$out" '^250 2\.0\.0 ' "disconnect mid-DATA: no 250"
is "$(ls "$Q" | wc -l)" "$before" "disconnect mid-DATA (half-close): no qf, tf or df left"

# An abrupt reset, several hundred KB into the message.
python3 - "$PORT_main" <<'PY'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.settimeout(10)
f = s.makefile("rb")
def reply():
    while True:
        l = f.readline()
        if len(l) < 4 or l[3:4] != b"-":
            return l
reply()
for c in (b"EHLO c", b"MAIL FROM:<a@example.org>", b"RCPT TO:<root@localhost>",
          b"DATA"):
    s.sendall(c + b"\r\n")
    reply()
s.sendall(b"Subject: reset\r\n\r\n" + (b"y" * 98 + b"\r\n") * 1500)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()                            # RST
PY
# The session notices at its next read; give it a few seconds.
nfiles_is() { [ "$(ls "$Q" | wc -l)" = "$1" ]; }
wait_for 5 nfiles_is "$before"
is "$(ls "$Q" | wc -l)" "$before" "disconnect mid-DATA (reset): no qf, tf or df left"

out=$(printf 'EHLO c\nMAIL FROM:<a@example.org>\nRCPT TO:<root@localhost>\nDATA\nSubject: cut\n\nno end\n' |
    "$SM" -Am -bs -C "$CF" | tr -d '\r')
is "$(ls "$Q" | wc -l)" "$before" "end of input mid-DATA on a pipe: nothing left"

# --- (d) slow clients -------------------------------------------------------------
write_cf "$T/slow.cf" "O Timeout.command=2s" "O Timeout.datablock=2s"
start_server slow "$T/slow.cf"
# slowclient PORT CMDGAP DATAGAP: a pause of CMDGAP seconds before every
# command, of DATAGAP before every line of the message (6 body lines).
slowclient() {
	python3 - "$1" "$2" "$3" <<'PY'
import socket, sys, time
port, gap, dgap = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
t0 = time.time()
s = socket.create_connection(("127.0.0.1", port), 5)
s.settimeout(15)
f = s.makefile("rb")
out = []
def reply():
    while True:
        l = f.readline()
        out.append(l.decode("latin-1").rstrip("\r\n"))
        if len(l) < 4 or l[3:4] != b"-":
            return
reply()
try:
    for c in (b"EHLO slow.example", b"MAIL FROM:<a@example.org>",
              b"RCPT TO:<root@localhost>", b"DATA"):
        time.sleep(gap)
        s.sendall(c + b"\r\n")
        reply()
    s.sendall(b"Subject: slow\r\n\r\n")
    for i in range(6):
        time.sleep(dgap)
        s.sendall(b"slow line %d\r\n" % i)
    time.sleep(dgap)
    s.sendall(b".\r\n")
    reply()
    s.sendall(b"QUIT\r\n")
    reply()
except OSError as e:
    out.append("(client: %s)" % e)
    try:
        reply()
    except OSError:
        pass
print("\n".join(out))
print("elapsed %.1f" % (time.time() - t0))
PY
}
out=$(slowclient "$PORT_slow" 1 1)
id=$(qid_of "$out")
[ -n "$id" ] && [ -f "$Q/qf$id" ]
ok $? "a slow client (a line a second, 11 s in all, timeouts 2 s) is accepted"
diag "slow client: $(printf '%s\n' "$out" | tail -1)"
printf 'slow line %d\n' 0 1 2 3 4 5 >"$T/slow.df"
cmp -s "$Q/df$id" "$T/slow.df"
ok $? "the slow client's message is whole"
before=$(ls "$Q" | wc -l)
out=$(slowclient "$PORT_slow" 3.5 0)
like "$out" '^421 4\.4\.2 .*Timeout waiting for input' \
    "a client silent between commands for longer than Timeout.command -> 421 4.4.2"
out=$(slowclient "$PORT_slow" 0 3.5)
like "$out" '^421 4\.4\.2 .*Timeout during message transfer' \
    "a client silent in DATA for longer than Timeout.datablock -> 421 4.4.2"
is "$(ls "$Q" | wc -l)" "$before" "the timed-out clients left nothing (no qf, tf, df)"

# --- (e) memory stays flat: a 50 MB message ---------------------------------
BQ="$T/bigq"
mkdir -m 700 "$BQ"
chown smmta:smmta "$BQ"
cf_for "$T/big.cf" "$BQ" "O MaxMessageSize=60000000"
# The message as a client sends it (dot-stuffed, LF ends: a local
# client), and the sha256 of the body as it must be stored.
python3 - "$T/50m.msg" 50000000 >"$T/50m.sha" <<'PY'
import hashlib, sys
path, size = sys.argv[1], int(sys.argv[2])
h = hashlib.sha256()
with open(path, "wb") as f:
    f.write(b"EHLO big.example\nMAIL FROM:<a@example.org>\n"
            b"RCPT TO:<root@localhost>\nDATA\nSubject: big\n\n")
    n, i = 0, 0
    while n < size:
        # vary the lines: leading dots (stuffed on the wire), 8-bit
        # octets, lengths up to 997 (998 on the wire with the stuffing)
        k = (i * 7919) % 997 + 1
        line = bytes((33 + (i + j) % 94) for j in range(k))
        if i % 13 == 0:
            line = b"." + line[1:]
        if i % 17 == 0:
            line = line[:-1] + b"\xe9"
        h.update(line + b"\n")
        f.write((b"." if line.startswith(b".") else b"") + line + b"\n")
        n += len(line) + 1
        i += 1
    f.write(b".\nQUIT\n")
print(h.hexdigest())
PY
printf 'EHLO small.example\nMAIL FROM:<a@example.org>\nRCPT TO:<root@localhost>\nDATA\nSubject: small\n\n%s\n.\nQUIT\n' \
    "$(body 50)" >"$T/5k.msg"
# maxrss FILE: the session's peak RSS in KB, its input (FILE, ending in
# "QUIT") fed through a pipe.  Printed: VmHWM (the peak of the session's
# own address space, read from /proc while the session waits for the
# QUIT after its 250), then RUSAGE_CHILDREN's ru_maxrss before and after
# the session.  The latter is only shown: it is the largest of all the
# children this python waited for, and it counts the python that forked
# the session too (the hiwater of the address space an exec replaces is
# kept), so here it never drops below python's own size.
maxrss() {
	python3 - "$SM" "$T/big.cf" "$1" "$T/maxrss.out" <<'PY'
import os, resource, subprocess, sys, threading
sm, cf, msg, outp = sys.argv[1:5]
size = os.path.getsize(msg) - len(b"QUIT\n")     # all but the QUIT
before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
p = subprocess.Popen([sm, "-Am", "-bs", "-C", cf], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE)
def feed():
    left = size
    try:
        with open(msg, "rb") as f:
            while left > 0:
                b = f.read(min(65536, left))
                p.stdin.write(b)
                left -= len(b)
        p.stdin.flush()
    except BrokenPipeError:
        pass
w = threading.Thread(target=feed)
w.start()
out = b""
hwm = "-"
while True:
    line = p.stdout.readline()
    out += line
    if not line or line[:1] in (b"4", b"5") or b"Message accepted" in line:
        break
w.join()
for l in open("/proc/%d/status" % p.pid):
    if l.startswith("VmHWM:"):
        hwm = l.split()[1]
try:
    p.stdin.write(b"QUIT\n")
    p.stdin.close()
except BrokenPipeError:
    pass
out += p.stdout.read()
p.wait(timeout=60)
open(outp, "wb").write(out)
after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(hwm, before, after)
PY
}
set -- $(maxrss "$T/5k.msg")
rss5=${1:-} ch5="${2:-} ${3:-}"
t0=$(date +%s)
set -- $(maxrss "$T/50m.msg")
rss50=${1:-} ch50="${2:-} ${3:-}"
t1=$(date +%s)
out=$(tr -d '\r' <"$T/maxrss.out")
id=$(qid_of "$out")
diag "peak RSS (VmHWM): 5 KB message ${rss5} KB, 50 MB message ${rss50} KB ($((t1 - t0)) s)"
diag "RUSAGE_CHILDREN ru_maxrss before/after: 5 KB: $ch5, 50 MB: $ch50 (KB)"
[ -n "$id" ]
ok $? "the 50 MB message is accepted"
[ -n "$id" ] || printf '%s\n' "$out" | tail -3 | sed 's/^/#   /'
[ -n "$rss5" ] && [ -n "$rss50" ] && [ "$rss50" -lt $((rss5 + 1024)) ]
ok $? "memory stays flat: peak RSS for 50 MB < for 5 KB + 1 MB"
is "$(sha256sum "$BQ/df$id" 2>/dev/null | cut -d' ' -f1)" "$(cat "$T/50m.sha")" \
    "the 50 MB df is byte-exact (sha256 of the unstuffed LF body)"
rm -f "$T/50m.msg" "$BQ"/*

# --- (f) 20 sessions at once ----------------------------------------------------
before=$(ls "$Q" | grep -c '^qf')
pids=""
i=0
while [ $i -lt 20 ]; do
	printf 'EHLO p%d.example\r\nMAIL FROM:<p%d@example.org>\r\nRCPT TO:<root@localhost>\r\nDATA\r\n<<WAIT>>\nSubject: parallel %d\r\n\r\nsession %d\r\n.\r\nQUIT\r\n' \
	    $i $i $i $i | raw -w 30 "$PORT_main" >"$T/par.$i" &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do wait "$p"; done
ids=$(cat "$T"/par.* | tr -d '\r' |
    sed -n 's/^250 2\.0\.0 \([A-Za-z0-9]*\) Message accepted for delivery$/\1/p')
is "$(printf '%s\n' "$ids" | grep -c .)" 20 "20 parallel sessions: 20 messages accepted"
is "$(printf '%s\n' "$ids" | sort -u | grep -c .)" 20 "20 parallel sessions: 20 distinct queue ids"
is "$(ls "$Q" | grep -c '^qf')" "$((before + 20))" "20 parallel sessions: 20 more qf files"
missing=""
for id in $ids; do
	[ -f "$Q/qf$id" ] && [ -f "$Q/df$id" ] || missing="$missing $id"
done
is "$missing" "" "20 parallel sessions: each id has its qf and df"
bad=""
i=0
while [ $i -lt 20 ]; do
	id=$(qid_of "$(cat "$T/par.$i")")
	[ "$(cat "$Q/df$id" 2>/dev/null)" = "session $i" ] || bad="$bad $i"
	i=$((i + 1))
done
is "$bad" "" "20 parallel sessions: each message holds its own body"
is "$(leftovers "$Q")" "" "no tf, no df without its qf in the queue"

is "$(ssa_errors '0|75')" "" "the socket sessions wrote nothing to stderr (no sanitizer report)"

# (g) a broken pipe: the client resets the connection in the middle of a
# BDAT transfer; the session's next reply fails with EPIPE/ECONNRESET.
# It must clean up (no tf/df left) and exit cleanly, never by a signal.
BQ="$T/bq"
mkdir -m 700 "$BQ"
is_root && chown smmta:smmta "$BQ"
write_cf "$T/bp.cf" "O QueueDirectory=$BQ"
BP=$(free_port)
bg systemd-socket-activate -l 127.0.0.1:$BP --inetd --accept -- \
    "$SM" -Am -bs -C "$T/bp.cf" > "$T/bp.log" 2>&1
wait_port "$BP" || bail "no listener for the broken-pipe test"
for i in 1 2 3; do
	python3 - "$BP" <<'PY'
import socket, struct, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.settimeout(5)
s.recv(4096)
s.sendall(b"EHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<root@localhost>\r\n")
time.sleep(0.3)
s.recv(4096)
s.sendall(b"BDAT 10\r\n0123456789")
time.sleep(0.3)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()                                   # RST
PY
done
sleep 1
is "$(ls "$BQ" | tr '\n' ' ')" "" "a reset mid-BDAT leaves nothing in the queue"
unlike "$(cat "$T/bp.log")" "died with code [1-9]|killed|signal" \
    "and each session exits cleanly (code 0, no signal)"

done_testing
