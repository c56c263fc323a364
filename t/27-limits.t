#!/bin/sh
# 27-limits.t - MaxHeadersLength (the header section is held in memory:
# 552 5.6.0 past it, nothing queued) and BadRcptThrottle /
# BadRcptThrottleDelay (after N refused recipients in a transaction every
# further RCPT waits, and the flood is logged), MaxNOOPCommands (commands
# that move no mail are bounded: 421 past the limit, the count starts
# again with each queued message).  Sessions on a pipe.
. "${0%/*}/lib.sh"
export LC_ALL=C
setup
LOG="$T/log"

# hdrs N: a header section of N header lines of 100 octets
hdrs() {
	i=0
	while [ $i -lt "$1" ]; do
		printf 'X-Filler-%04d: %085d\n' $i 0
		i=$((i + 1))
	done
}
session() {	# session CF < input: the replies, CRs removed
	"$SM" -Am -bs -C "$1" 2>>"$T/err" | tr -d '\r'
}
tx() {		# tx NHEADERS: one message with that many 100-octet headers
	printf 'EHLO x\nMAIL FROM:<a@b.example>\nRCPT TO:<root@localhost>\nDATA\n'
	hdrs "$1"
	printf 'Subject: limits\n\nbody\n.\nQUIT\n'
}

# --- MaxHeadersLength --------------------------------------------------------------
write_cf "$T/h2k.cf" "O MaxHeadersLength=2000"
out=$(tx 15 | session "$T/h2k.cf")
like "$out" '^250 2\.0\.0 .* Message accepted' "MaxHeadersLength=2000: 1.5 KB of headers are accepted"
before=$(nq)
out=$(tx 30 | session "$T/h2k.cf")
like "$out" '^552 5\.6\.0 Headers too large \(2000 max\)$' \
    "MaxHeadersLength=2000: 3 KB of headers -> 552 5.6.0 Headers too large (2000 max)"
is "$(nq)" "$before" "... and nothing is queued"
is "$(ls "$Q" | grep -c '^[dt]f')" "$before" "... and no tf or df is left"
out=$(tx 400 | session "$CF")
like "$out" '^552 5\.6\.0 Headers too large \(32768 max\)$' \
    "the default is sendmail's 32768: 40 KB of headers are refused"
out=$(tx 300 | session "$CF")
like "$out" '^250 2\.0\.0 .* Message accepted' "... and 30 KB are accepted"
write_cf "$T/hbig.cf" "O MaxHeadersLength=2000000"
out=$("$SM" -bC -C "$T/hbig.cf" 2>&1)
is "$?" 78 "MaxHeadersLength above 1 MB is a configuration error (memory stays bounded)"
like "$out" 'MaxHeadersLength' "... which names the option"

# --- BadRcptThrottle -----------------------------------------------------------------
write_cf "$T/thr.cf" "O BadRcptThrottle=2" "O BadRcptThrottleDelay=1s" \
    "O MaxBadCommands=100"
t0=$(date +%s.%N)
out=$(printf 'EHLO x\nMAIL FROM:<a@b.example>\nRCPT TO:<nosuch1@localhost>\nRCPT TO:<nosuch2@localhost>\nRCPT TO:<nosuch3@localhost>\nRCPT TO:<nosuch4@localhost>\nRCPT TO:<root@localhost>\nQUIT\n' |
    with_syslog "$SM" -Am -bs -C "$T/thr.cf" 2>>"$T/err" | tr -d '\r')
t1=$(date +%s.%N)
is "$(printf '%s\n' "$out" | grep -c '^550 5\.1\.1 ')" 4 "four unknown recipients -> 550 5.1.1 each"
like "$out" '^250 2\.1\.5 <root@localhost>' "the good one after them is still accepted"
# RCPTs 3, 4 and 5 come after two refusals: each waited 1 s.  (A lower
# bound: a sleep cannot be shorter, however busy the machine.)
ok $(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a >= 3.0) ? 0 : 1 }') \
    "the three RCPTs after two refusals waited BadRcptThrottleDelay each (>= 3 s in all)"
_i=0
while ! grep -q 'Possible SMTP RCPT flood, throttling' "$LOG" 2>/dev/null && [ $_i -lt 50 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
is "$(grep -c 'Possible SMTP RCPT flood, throttling' "$LOG")" 1 "the flood is logged once per transaction"
out=$("$SM" -bC -C "$T/thr.cf" 2>&1)
unlike "$out" 'BadRcptThrottle|MaxHeadersLength' "-bC lists neither as not implemented"

# --- a session remembers its recipients' verdicts: the same answers ---------------
out=$(printf 'EHLO x\nMAIL FROM:<a@b.example>\nRCPT TO:<nosuch@localhost>\nRCPT TO:<root@localhost>\nRSET\nMAIL FROM:<a@b.example>\nRCPT TO:<nosuch@localhost>\nRCPT TO:<root@localhost>\nRCPT TO:<ROOT@localhost>\nQUIT\n' |
    session "$CF" | grep '^[0-9]* [0-9]\.1\.[15] ' | cut -c1-9 | tr '\n' ' ')
is "$out" "550 5.1.1 250 2.1.5 550 5.1.1 250 2.1.5 250 2.1.5 " \
    "asked again in one session, an unknown and a known user get the same answers; ROOT is root"
write_cf "$T/keepcase.cf" "Mlocal, P=/usr/lib/sm.bin/mail.local, F=lsDFMAw5:/|@qPSXfmnz9u, S=EnvFromSMTP/HdrFromL, A=mail.local -l"
out=$(printf 'EHLO x\nMAIL FROM:<a@b.example>\nRCPT TO:<ROOT@localhost>\nRCPT TO:<root@localhost>\nQUIT\n' |
    session "$T/keepcase.cf" | grep '^[0-9]* [0-9]\.1\.[15] ' | cut -c1-9 | tr '\n' ' ')
is "$out" "550 5.1.1 250 2.1.5 " "with F=u on the local mailer, user names keep their case: ROOT is nobody"

# --- MaxNOOPCommands -----------------------------------------------------------------
# repeat N LINE: N copies of a command line
repeat() {
	_n=0
	while [ $_n -lt "$1" ]; do
		printf '%s\n' "$2"
		_n=$((_n + 1))
	done
}
msg='MAIL FROM:<a@b.example>
RCPT TO:<root@localhost>
DATA
Subject: noise

body
.'
# The default, sendmail's 20: EHLO and 19 NOOPs are 20 commands that move
# no mail; the 21st gets 421 and the session ends (the QUIT is never read).
out=$({ echo 'EHLO x'; repeat 19 NOOP; echo NOOP; echo QUIT; } | session "$CF")
is "$(printf '%s\n' "$out" | grep -c '^250 2\.0\.0 OK$')" 19 "default: 19 NOOPs after EHLO are answered 250"
like "$(printf '%s\n' "$out" | tail -1)" '^421 4\.7\.0 .* Too many commands that move no mail, closing connection$' \
    "... the 21st command that moves no mail gets 421 4.7.0, the last reply"
unlike "$out" '^221 ' "... and the session ended there (the QUIT was never read)"
out=$({ echo 'EHLO x'; repeat 19 NOOP; echo QUIT; } | session "$CF")
like "$(printf '%s\n' "$out" | tail -1)" '^221 2\.0\.0 ' "20 such commands are allowed: QUIT still gets 221"
# Every command that moves no mail counts, not only NOOP.
for c in RSET HELP 'VRFY root' 'EXPN root' 'HELO x' 'EHLO x'; do
	out=$({ repeat 21 "$c"; echo QUIT; } | session "$CF")
	like "$(printf '%s\n' "$out" | tail -1)" '^421 4\.7\.0 .*Too many commands that move no mail' \
	    "21 x $c -> 421 4.7.0"
done
# MAIL, RCPT and DATA do not count, and a queued message starts the count
# again: a client may idle with NOOPs between the messages it sends.
out=$({ echo 'EHLO x'; repeat 19 NOOP; echo "$msg"; repeat 20 NOOP; echo "$msg"; repeat 20 NOOP; echo QUIT; } |
    session "$CF")
is "$(printf '%s\n' "$out" | grep -c ' Message accepted for delivery$')" 2 "NOOPs between messages: both messages are accepted"
like "$(printf '%s\n' "$out" | tail -1)" '^221 2\.0\.0 ' "... and 20 NOOPs after each message are allowed"
out=$({ echo 'EHLO x'; repeat 25 'MAIL FROM:<a@b.example>
RCPT TO:<root@localhost>
RSET'; echo QUIT; } | session "$CF")
like "$(printf '%s\n' "$out" | tail -1)" '^421 4\.7\.0 ' \
    "MAIL/RCPT/RSET loops without a message are bounded too (their RSETs count)"
is "$(printf '%s\n' "$out" | grep -c '^250 2\.0\.0 Reset state$')" 19 "... closed at the 20th RSET (EHLO counts as well)"
write_cf "$T/noise3.cf" "O MaxNOOPCommands=3"
out=$({ echo 'EHLO x'; echo NOOP; echo NOOP; echo NOOP; echo QUIT; } |
    with_syslog "$SM" -Am -bs -C "$T/noise3.cf" 2>>"$T/err" | tr -d '\r')
like "$(printf '%s\n' "$out" | tail -1)" '^421 4\.7\.0 ' "MaxNOOPCommands=3: the 4th such command gets 421"
is "$(printf '%s\n' "$out" | grep -c '^250 2\.0\.0 OK$')" 2 "... after EHLO and two NOOPs"
wait_log 'possible SMTP attack: command=NOOP, count=4'
like "$(cat "$LOG")" 'NOQUEUE: possible SMTP attack: command=NOOP, count=4, relay=' \
    "... and it is logged, with the command and the count"
write_cf "$T/noise0.cf" "O MaxNOOPCommands=0"
out=$({ echo 'EHLO x'; repeat 200 NOOP; echo QUIT; } | session "$T/noise0.cf")
is "$(printf '%s\n' "$out" | grep -c '^250 2\.0\.0 OK$')" 200 "MaxNOOPCommands=0: no limit (200 NOOPs)"
like "$(printf '%s\n' "$out" | tail -1)" '^221 2\.0\.0 ' "... and QUIT gets 221"
out=$("$SM" -bC -C "$T/noise3.cf" 2>&1)
unlike "$out" 'MaxNOOPCommands' "-bC does not list MaxNOOPCommands as not implemented"

done_testing
