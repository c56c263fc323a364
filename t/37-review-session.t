#!/bin/sh
# 37-review-session.t - what the review found in the SMTP session (issue
# 15), one section per item, each with tests that failed before its fix:
#  A. (item 4) every protocol error counts toward MaxBadCommands; a
#     recipient refused by policy does not, nor what a pipelining client
#     sent after a refusal it could not yet read
#  B. (item 6) an AF_UNIX peer is a network client unless
#     UnixSocketTrusted=True
#  C. (item 7) a command line with a NUL is refused whole; a local
#     session's user is the real uid's, not $USER
#  D. (item 9) the lookup helper's answers are checked: t/unit/
#     lookup_answer_test.c drives the real helper with garbage
#  E. (item 15) the banner names the program once: $v is "0.1"
. "${0%/*}/lib.sh"
export LC_ALL=C
setup
is_root || { echo "1..0 # SKIP needs root (RunAsUser, the users smtest and smmta)"; exit 0; }

session() {	# session [CF] < input: the replies of a pipe session, no CRs
	"$SM" -Am -bs -C "${1:-$CF}" 2>>"$T/err" | tr -d '\r'
}
repeat() {	# repeat N LINE
	_n=0
	while [ $_n -lt "$1" ]; do
		printf '%s\n' "$2"
		_n=$((_n + 1))
	done
}
last() { printf '%s\n' "$1" | tail -1; }
count() { printf '%s\n' "$1" | grep -c -- "$2"; }
msg='DATA
Subject: t37

body
.'

# --- A. MaxBadCommands counts protocol errors, not refused recipients ------
# The default MaxBadCommands is 25: the 25th error is answered, then 421.
for c in 'DATA' 'BDAT 0' 'RCPT TO:<root@localhost>'; do
	out=$({ echo 'EHLO x'; repeat 30 "$c"; echo QUIT; } | session)
	like "$(last "$out")" '^421 4\.7\.0 .*Too many errors, closing connection$' \
	    "A: 30 x \"$c\" without MAIL -> 421 4.7.0 at MaxBadCommands"
	is "$(count "$out" '^503 ')" 25 "A: ... after 25 answers 503"
done
out=$({ echo 'EHLO x'; echo 'MAIL FROM:<a@b.example>'; echo 'RCPT TO:<root@localhost>';
	repeat 30 'DATA x'; echo QUIT; } | session)
like "$(last "$out")" '^421 4\.7\.0 .*Too many errors' "A: 30 x \"DATA x\" -> 421"
is "$(count "$out" '^501 5\.5\.4 DATA takes no arguments$')" 25 "A: ... after 25 x 501 5.5.4"
out=$({ echo 'EHLO x'; repeat 30 'MAIL FROM:<a@b.example> SIZE=999999999'; echo QUIT; } | session)
like "$(last "$out")" '^421 4\.7\.0 .*Too many errors' "A: 30 x MAIL SIZE=huge -> 421"
is "$(count "$out" '^552 5\.3\.4 ')" 25 "A: ... after 25 x 552 5.3.4"
# A list server's message: 30 departed users and 2 good recipients.
out=$({ echo 'EHLO list.example'; echo 'MAIL FROM:<list@list.example>'
	_i=0; while [ $_i -lt 30 ]; do echo "RCPT TO:<gone$_i@localhost>"; _i=$((_i + 1)); done
	echo 'RCPT TO:<root@localhost>'; echo 'RCPT TO:<smtest@localhost>'
	echo "$msg"; echo QUIT; } | session)
is "$(count "$out" '^550 5\.1\.1 ')" 30 "A: 30 unknown users in one message -> 550 5.1.1 each"
is "$(count "$out" '^250 2\.1\.5 ')" 2 "A: ... the 2 good recipients -> 250"
like "$out" '250 2\.0\.0 [^ ]+ Message accepted for delivery' "A: ... and the message is accepted for them"
like "$(last "$out")" '^221 2\.0\.0 ' "A: ... and the session is not closed (QUIT -> 221)"
unlike "$out" '^421 ' "A: ... no 421 anywhere"
# RCPTs past MaxRecipientsPerMessage (5 here): 452 each; a client that
# pipelined a long list keeps the 5 it got; one that goes on for ever
# is closed.
out=$({ echo 'EHLO x'; echo 'MAIL FROM:<a@b.example>'; repeat 5 'RCPT TO:<root@localhost>'
	repeat 995 'RCPT TO:<smtest@localhost>'; echo "$msg"; echo QUIT; } | session)
is "$(count "$out" '^452 4\.5\.3 Too many recipients$')" 995 "A: 995 RCPTs past the limit -> 452 4.5.3 each"
like "$out" 'Message accepted for delivery' "A: ... the message is accepted for the first 5 (a pipelined list)"
like "$(last "$out")" '^221 ' "A: ... and the session goes on"
out=$({ echo 'EHLO x'; echo 'MAIL FROM:<a@b.example>'; repeat 5 'RCPT TO:<root@localhost>'
	repeat 1100 'RCPT TO:<smtest@localhost>'; echo QUIT; } | session)
like "$(last "$out")" '^421 4\.7\.0 .*Too many errors' "A: 1100 RCPTs past the limit -> 421 (1000 are pipelining, the rest count)"
is "$(count "$out" '^452 ')" 1025 "A: ... after 1025 x 452"
# A refused MAIL with its pipelined RCPTs and DATA: the 503s that follow
# are not the client's fault.
out=$({ echo 'EHLO x'; echo 'MAIL FROM:<a@b.example> SIZE=999999999'
	repeat 30 'RCPT TO:<root@localhost>'; echo DATA; echo QUIT; } | session)
is "$(count "$out" '^503 5\.0\.0 Need MAIL before RCPT$')" 30 "A: RCPTs pipelined after a refused MAIL -> 503 each"
like "$(last "$out")" '^221 ' "A: ... which do not close the session"
# ... and DATA after recipients that were all refused.
out=$({ echo 'EHLO x'; repeat 24 'RCPT TO:<root@localhost>'; echo 'MAIL FROM:<a@b.example>'
	echo 'RCPT TO:<gone@localhost>'; echo DATA; echo QUIT; } | session)
like "$out" '503 5\.0\.0 Need RCPT \(recipient\)' "A: DATA after refused recipients -> 503 Need RCPT"
like "$(last "$out")" '^221 ' "A: ... not counted (24 errors before it, the limit 25)"

# --- B. AF_UNIX peers ---------------------------------------------------------
# unix_session CF: a session on a named AF_UNIX socket (as a TLS
# terminator or a container's proxy would hand over a client): the
# replies to a relay attempt, a bare LF line and a message.
unix_session() {
	python3 - "$SM" "$1" "$T/smtp.sock" <<'PY'
import os, socket, subprocess, sys
sm, cf, path = sys.argv[1:4]
if os.path.exists(path):
    os.unlink(path)
ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ls.bind(path)
ls.listen(1)
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(path)
conn, _ = ls.accept()
p = subprocess.Popen([sm, "-Am", "-bs", "-C", cf], stdin=conn, stdout=conn)
conn.close()
c.settimeout(20)
f = c.makefile("rb")
def reply():
    out = []
    while True:
        l = f.readline().decode(errors="replace").rstrip("\r\n")
        out.append(l)
        if not l or l[3:4] != "-":
            return out
def say(key, line, end=b"\r\n"):
    c.sendall(line.encode() + end)
    r = reply()
    print(key + "=" + r[-1])
    return r
print("banner=" + reply()[-1])
print("hello=" + say("ehlo", "EHLO unix.example")[0])
say("mail", "MAIL FROM:<a@b.example>")
for i in range(30):
    say("relay%d" % i, "RCPT TO:<someone%d@elsewhere.example>" % i)
say("local", "RCPT TO:<root@localhost>")
say("barelf", "NOOP", b"\n")
say("data", "DATA")
c.sendall(b"Subject: unix\r\n\r\nbody\r\n")
say("dot", ".")
say("quit", "QUIT")
p.wait(20)
PY
}
out=$(unix_session "$CF")
like "$out" '^hello=250-mx\.test\.example Hello \[UNIX:/' "B: default: an AF_UNIX client is [UNIX:path], not a local user"
like "$out" '^relay0=550 5\.7\.1 <someone0@elsewhere\.example>\.\.\. Relaying denied$' \
    "B: default: an AF_UNIX client may not relay (550 5.7.1)"
like "$out" '^barelf=500 5\.5\.2 Bare CR or LF' "B: default: a bare LF line is refused (500 5.5.2)"
like "$out" '^local=250 2\.1\.5 ' "B: default: a local recipient is taken"
like "$out" '^relay29=550 5\.7\.1 ' "A+B: 30 relay refusals are not counted: the 30th is answered"
like "$out" '^dot=250 2\.0\.0 .* Message accepted' "B: default: ... the message is accepted"
like "$out" '^quit=221 ' "A+B: ... and the session was not closed"
qf=$(ls -t "$Q"/qf* | head -1)
like "$(received "$qf")" 'from unix\.example \(\[UNIX:/[^]]*smtp\.sock\]\)' "B: Received: names the socket"
write_cf "$T/unixok.cf" "O UnixSocketTrusted=True"
out=$(unix_session "$T/unixok.cf")
like "$out" '^relay0=250 2\.1\.5 ' "B: UnixSocketTrusted=True: the AF_UNIX client relays"
like "$out" '^barelf=250 ' "B: UnixSocketTrusted=True: a bare LF line is taken"
like "$out" '^hello=250-mx\.test\.example Hello [^ ]+@localhost' "B: UnixSocketTrusted=True: it is a local user"
out=$("$SM" -bC -C "$T/unixok.cf" 2>&1)
unlike "$out" 'UnixSocketTrusted' "B: -bC knows UnixSocketTrusted (not listed as unknown or unimplemented)"

# --- C. a NUL in a command line; the user of a local session ----------------
out=$(printf 'EHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<root@localhost>\000ORCPT=x\r\nDATA\r\nQUIT\r\n' | session)
like "$out" '^500 5\.5\.2 NUL octet in command not allowed$' "C: RCPT with a NUL inside -> 500 5.5.2"
unlike "$out" '^250 2\.1\.5 ' "C: ... and the recipient is not taken"
like "$out" '^503 5\.0\.0 Need RCPT' "C: ... so DATA has no recipient"
out=$(printf 'EHLO x\r\nMAIL FROM:<a@b.example>\000 SIZE=1\r\nRCPT TO:<root@localhost>\r\nQUIT\r\n' | session)
like "$out" '^500 5\.5\.2 NUL' "C: MAIL with a NUL inside -> 500 5.5.2"
unlike "$out" '^250 2\.1\.0 ' "C: ... and no transaction starts"
out=$({ echo 'EHLO x'; repeat 30 "$(printf 'NOOP\001')" | sed 's/\x01/\x00/'; echo QUIT; } | session)
like "$(last "$out")" '^421 4\.7\.0 .*Too many errors' "C: NUL lines count toward MaxBadCommands"
is "$(count "$out" '^500 5\.5\.2 NUL')" 25 "C: ... 421 after 25 x 500 5.5.2"
me=$(id -un)
out=$(printf 'EHLO x\nMAIL FROM:<a@b.example>\nRCPT TO:<root@localhost>\n%s\nQUIT\n' "$msg" |
    USER=forged LOGNAME=forged session)
like "$out" "^250-mx\\.test\\.example Hello $me@localhost" "C: USER=forged: the session's user is $me (from the uid)"
qf=$(ls -t "$Q"/qf* | head -1)
like "$(received "$qf")" "\\($me@localhost\\)" "C: ... in Received: too"
unlike "$(cat "$qf")" 'forged' "C: ... and \"forged\" is nowhere in the qf"

# --- D. the lookup helper's answers (a unit test) -----------------------------
[ -x "$SOCKMAIL_BUILD/t/lookup_answer_test" ] ||
    bail "build/t/lookup_answer_test is not built (make unit builds it)"
out=$("$SOCKMAIL_BUILD/t/lookup_answer_test" 2>/dev/null)
ok $? "D: t/unit/lookup_answer_test passes (host name, status, user lookup checked)"
unlike "$out" '^not ok' "D: ... every one of its tests"

# --- E. the banner names the program once -----------------------------------
out=$(echo QUIT | session)
like "$out" '^220 mx\.test\.example ESMTP Sockmail 0\.1; ' "E: 220 mx ESMTP Sockmail 0.1; date"
unlike "$out" 'Sockmail sockmail' "E: ... not \"Sockmail sockmail\""
out=$(printf 'HELP\nQUIT\n' | session)
like "$out" '^214-2\.0\.0 This is sockmail 0\.1$' "E: HELP still says \"This is sockmail 0.1\""

done_testing
