#!/bin/sh
# Logging: syslog facility mail, sendmail's line shapes (doc/DESIGN.md 7),
# every refusal logged with its reason, peer text escaped.  Sessions run
# under t/withsyslog.py, which gives them a private /dev/log.
. "${0%/*}/lib.sh"
setup

LOG="$T/syslog.txt"
: > "$LOG"
LOG_TAG=sm-test		# t/lib.sh: start_logged_server
# Every line of $LOG keeps its "<pri>" prefix (the facility is checked).
WITHSYSLOG_RAW=1
export WITHSYSLOG_RAW

printf 'EHLO client.example\nMAIL FROM:<alice@client.example>\nRCPT TO:<root@localhost>\nDATA\nMessage-Id: <m1@client.example>\nSubject: logged\n\nbody\n.\nQUIT\n' |
	with_syslog "$SM" -Am -bs -L sm-test -C "$CF" > "$T/out1"
id=$(qid_of <"$T/out1")
[ -n "$id" ]; ok $? "message accepted ($id)"
from=$(grep -a "sm-test\[[0-9]*\]: $id: from=" "$LOG")
like "$from" "^<22>" "the from= line is facility mail, severity info"
like "$from" "$id: from=<alice@client.example>, size=[0-9]+, class=0, nrcpts=1, msgid=<m1@client.example>, proto=ESMTP, relay=[a-z]+@localhost$" \
    "from= line has sendmail's shape"
to=$(grep -a "$id: to=" "$LOG")
like "$to" "$id: to=<root@localhost>, delay=00:00:00, mailer=local, pri=[0-9]+, stat=queued$" \
    "to= line names the recipient, mailer and stat"

# Refusals: each one logged with its reason.
printf 'EHLO x\nMAIL FROM:<bad@@x>\nMAIL FROM:<a@b.example>\nRCPT TO:<nosuchuser@localhost>\nRCPT TO:<root@localhost>\nDATA\nSubject: nul\n\na\0b\n.\nQUIT\n' |
	with_syslog "$SM" -Am -bs -L sm-test -C "$CF" > "$T/out2"
like "$(cat "$T/out2")" "550 5.1.1" "unknown user refused"
like "$(cat "$LOG")" "NOQUEUE: from=<bad@@x>, relay=[a-z]+@localhost, reject=501 5.1.7" \
    "a bad sender is logged with its reply"
like "$(cat "$LOG")" "NOQUEUE: to=<nosuchuser@localhost>, relay=.*reject=550 5.1.1 User unknown" \
    "an unknown user is logged with the reason"
like "$(cat "$LOG")" "NOQUEUE: from=<a@b.example>, relay=.*reject=554 5.6.1 NUL byte not allowed" \
    "a refused message is logged with the reason"

# A network refusal names the client address; peer text is escaped.
start_logged_server net "$CF"
PORT=$PORT_net
printf 'EHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<nobody-here@localhost>\r\nQUIT\r\n' |
	raw $PORT > "$T/out3"
like "$(cat "$T/out3")" "550 5.1.1" "unknown user over the network"
printf 'GET /\033[31m HTTP/1.0\r\n\r\n' | raw $PORT > /dev/null
wait_log 'command=GET '	# (the sessions log after their reply)
like "$(cat "$LOG")" 'to=<nobody-here@localhost>, relay=localhost \[127\.0\.0\.1\], reject=550 5.1.1 User unknown' \
    "a network refusal names the client (host name from /etc/hosts, address) and the reason"
# (t/13-relay.t checks the "Relaying denied" line from a stranger's address.)
like "$(cat "$LOG")" 'command=GET /\\033\[31m HTTP/1.0, relay=\[127\.0\.0\.1\], reject=421' \
    "a web request is logged, its control bytes escaped"
unlike "$(cat "$LOG")" "$(printf '\033')" "no raw control bytes from the peer reach the log"
# A listening socket as stdin (inetd "wait", an activator without
# --accept) is not a local client: the session refuses to start.
rc=$(with_syslog python3 -c '
import socket, subprocess, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
r = subprocess.run(sys.argv[1:], stdin=s.fileno(), stdout=subprocess.DEVNULL)
print(r.returncode)' "$SM" -Am -bs -L sm-test -C "$CF")
is "$rc" 71 "a listening socket on stdin: exit 71 (EX_OSERR), not a trusted local session"
like "$(cat "$LOG")" "socket without a peer" "and the reason is logged"
done_testing
