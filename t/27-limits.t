#!/bin/sh
# 27-limits.t - MaxHeadersLength (the header section is held in memory:
# 552 5.6.0 past it, nothing queued) and BadRcptThrottle /
# BadRcptThrottleDelay (after N refused recipients in a transaction every
# further RCPT waits, and the flood is logged).  Sessions on a pipe.
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
    python3 "$T_DIR/withsyslog.py" "$LOG" "$SM" -Am -bs -C "$T/thr.cf" 2>>"$T/err" | tr -d '\r')
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

done_testing
