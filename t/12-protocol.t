#!/bin/sh
# 12-protocol.t - the SMTP dialogue, command by command, good and bad
# paths with their exact reply codes; what DATA and BDAT store in the
# queue, byte for byte.  Every check runs twice: through a pipe (a local
# client: LF line ends accepted) and through a socket under
# systemd-socket-activate --inetd --accept (a network client: CRLF only,
# each connection its own process, as production runs it).  A few
# checks only make sense on a socket (early talker, text before the 354,
# bare CR/LF).
. "${0%/*}/lib.sh"
export LC_ALL=C
D="$T_DIR/data/protocol"

need_cmd systemd-socket-activate
setup
make_aliases "$CF" "myalias: root"

# One configuration per behaviour; each also gets its own socket server.
cp "$CF" "$T/base.cf"
write_cf "$T/helo.cf" "O PrivacyOptions=needmailhelo"
write_cf "$T/priv.cf" "O PrivacyOptions=novrfy,noexpn"
write_cf "$T/tmo.cf" "O Timeout.command=2s"
# An early talker is caught only if its text is there when the greeting
# is due: a pause makes that certain (sendmail's greet_pause).
write_cf "$T/early.cf" "O GreetPause=1000ms"

# t/lib.sh's start_server: $T/NAME.cf on a free port; PORT_NAME is set.
for c in base helo priv tmo early; do start_server "$c"; done

# sess MODE [CFNAME] < text: one session; the text has LF line ends and
# may hold <<WAIT>> lines (see smtpraw.py).  MODE pipe: fed as it is to
# a -bs session on a pipe; MODE sock: every line gets CRLF and goes to
# the socket server.  Prints the replies, LF-terminated.
sess() {
	_c=${2:-base}
	case $1 in
	pipe)	grep -av '^<<WAIT>>$' | "$SM" -Am -bs -C "$T/$_c.cf" | tr -d '\r' ;;
	sock)	sed '/^<<WAIT>>$/!s/$/\r/' | eval raw "\$PORT_$_c" ;;
	esac
}

# sessx MODE [CFNAME] < bytes: the same with the bytes sent exactly as
# they are (CRLF already in place); the pipe only loses the <<WAIT>>s.
sessx() {
	_c=${2:-base}
	case $1 in
	pipe)	grep -av '^<<WAIT>>$' | "$SM" -Am -bs -C "$T/$_c.cf" | tr -d '\r' ;;
	sock)	eval raw "\$PORT_$_c" ;;
	esac
}

# txn FROM RCPT FILE [MAIL-PARAMS] [RCPT-PARAMS]: one transaction's lines.
txn() {
	printf 'MAIL FROM:<%s>%s\nRCPT TO:<%s>%s\nDATA\n<<WAIT>>\n' \
	    "$1" "${4:+ $4}" "$2" "${5:+ $5}"
	cat "$3"
	printf '.\n'
}

# The H lines of a qf without its first field (our own Received:).
hdrs_after_received() {
	awk '/^H/ { h++ } h >= 2 && $0 != "."' "$1"
}

nfiles() { ls "$Q" | wc -l; }

for m in pipe sock; do
	diag "---- $m ----"

	# --- greeting, HELO, EHLO -----------------------------------------
	out=$(printf 'EHLO client.example\nQUIT\n' | sess $m)
	like "$out" '^220 [^ ]*mx\.test\.example ESMTP' "$m: 220 banner names the host"
	for kw in PIPELINING 8BITMIME 'SIZE 200000' ENHANCEDSTATUSCODES \
	    SMTPUTF8 DSN CHUNKING; do
		like "$out" "^250[- ]$kw\$" "$m: EHLO lists $kw"
	done
	like "$out" '^221 2\.0\.0 ' "$m: QUIT -> 221"

	out=$(printf 'HELO\nEHLO\nHELO client.example\nEHLO client.example\nQUIT\n' | sess $m)
	is "$(codes "$out")" "220 501 501 250 250 221" \
	    "$m: HELO/EHLO without a domain -> 501, with one -> 250"
	like "$out" '^501 5\.0\.0 HELO requires domain address$' "$m: HELO 501 text"
	like "$out" '^501 5\.0\.0 EHLO requires domain address$' "$m: EHLO 501 text"
	out=$(printf 'HELO   \nEHLO \t\nQUIT\n' | sess $m)
	is "$(codes "$out")" "220 501 501 221" \
	    "$m: HELO/EHLO followed by blanks only -> 501 (no domain)"
	unlike "$(printf '%s\n' "$out" | sed -n '/Hello/,$p' | sed -n 1p)" '^250-' \
	    "$m: the HELO reply is a single line"
	out=$(printf 'EHLO a b\nEHLO bad<>name\nHELO bad,name\nEHLO [192.0.2.1]\nEHLO host_name-1.example.  \nQUIT\n' | sess $m)
	is "$(codes "$out")" "220 501 501 501 250 250 221" \
	    "$m: a HELO name with a blank, '<>' or ',' -> 501; a literal, '_' and trailing blanks -> 250"
	like "$out" '^501 5\.0\.0 Invalid domain name$' "$m: 501 5.0.0 Invalid domain name"

	if [ $m = pipe ]; then
		write_cf "$T/bogus.cf" "O AllowBogusHELO=True"
		out=$(printf 'EHLO a b\nHELO\nQUIT\n' | "$SM" -Am -bs -C "$T/bogus.cf" | tr -d '\r')
		is "$(codes "$out")" "220 250 250 221" "AllowBogusHELO: any HELO name, or none, is taken"
	fi

	# --- MAIL without HELO, nested MAIL, sequence errors ---------------
	out=$(printf 'MAIL FROM:<a@example.org>\nQUIT\n' | sess $m)
	is "$(codes "$out")" "220 250 221" "$m: MAIL before HELO/EHLO is accepted"
	out=$(printf 'MAIL FROM:<a@example.org>\nHELO client.example\nMAIL FROM:<a@example.org>\nQUIT\n' | sess $m helo)
	is "$(codes "$out")" "220 503 250 250 221" \
	    "$m: needmailhelo: MAIL before HELO -> 503, after it -> 250"
	like "$out" '^503 5\.0\.0 Need HELO or EHLO before MAIL$' "$m: needmailhelo 503 text"

	out=$(printf 'EHLO c\nRCPT TO:<root@localhost>\nDATA\nMAIL FROM:<a@example.org>\nMAIL FROM:<b@example.org>\nDATA\nRCPT TO:<root@localhost>\nRSET\nRCPT TO:<root@localhost>\nNOOP\nNOOP with an argument\nQUIT\n' | sess $m)
	is "$(codes "$out")" "220 250 503 503 250 503 503 250 250 503 250 250 221" \
	    "$m: RCPT/DATA before MAIL 503, nested MAIL 503, DATA before RCPT 503, RSET clears"
	like "$out" '^503 5\.5\.0 Sender already specified$' "$m: nested MAIL text"
	like "$out" '^503 5\.0\.0 Need MAIL before RCPT$' "$m: RCPT before MAIL text"
	like "$out" '^503 5\.0\.0 Need RCPT \(recipient\)$' "$m: DATA before RCPT text"
	like "$out" '^250 2\.0\.0 Reset state$' "$m: RSET -> 250 2.0.0"
	like "$out" '^250 2\.0\.0 OK$' "$m: NOOP -> 250 2.0.0"

	# --- HELP, VRFY, EXPN ----------------------------------------------
	out=$(printf 'HELP\nHELP MAIL\nQUIT\n' | sess $m)
	is "$(codes "$out")" "220 214 214 221" "$m: HELP -> 214"
	like "$out" '^214-' "$m: HELP is a multi-line 214"

	out=$(printf 'VRFY root\nVRFY <root@localhost>\nVRFY nosuchuser\nVRFY myalias\nEXPN root\nQUIT\n' | sess $m)
	is "$(codes "$out")" "220 250 250 550 250 250 221" \
	    "$m: VRFY root 250, nosuchuser 550, an alias 250; EXPN allowed"
	like "$out" '^550 5\.1\.1 <nosuchuser>\.\.\. User unknown$' "$m: VRFY unknown text"
	out=$(printf 'VRFY root\nVRFY nosuchuser\nEXPN root\nEXPN myalias\nQUIT\n' | sess $m priv)
	is "$(codes "$out")" "220 252 252 502 502 221" \
	    "$m: novrfy -> 252 for everyone, noexpn -> 502"
	like "$out" '^252 2\.5\.2 ' "$m: novrfy 252 has an enhanced code"
	like "$out" '^502 5\.7\.0 ' "$m: noexpn 502 has an enhanced code"

	# --- unknown commands, HTTP ----------------------------------------
	out=$(printf 'XYZZY\nMAILFROM:<a@b>\nhelo\nNOOP\nQUIT\n' | sess $m)
	is "$(codes "$out")" "220 500 500 501 250 221" \
	    "$m: unknown commands -> 500, session goes on"
	like "$out" '^500 5\.5\.1 Command unrecognized: "XYZZY"$' "$m: 500 5.5.1 text"

	out=$(printf 'GET / HTTP/1.0\nHost: x\n\nNOOP\nQUIT\n' | sess $m)
	is "$(codes "$out")" "220 421" "$m: GET / HTTP/1.0 -> 421 and close, nothing more"

	# --- garbage until the bad-command limit ---------------------------
	python3 - "$T/junk" <<'PY'
import random, sys
random.seed(12)
with open(sys.argv[1], "wb") as f:
    for i in range(2000):
        n = random.randint(1, 60)
        # never a letter first, so never a verb; anything but LF after
        line = bytes([random.choice([c for c in range(256) if c != 10 and
            not (65 <= c <= 90 or 97 <= c <= 122)])]) + \
            bytes(random.choice([c for c in range(256) if c != 10])
                  for _ in range(n))
        f.write(line + b"\n")
PY
	t0=$(date +%s)
	if [ $m = pipe ]; then
		out=$(timeout 30 "$SM" -Am -bs -C "$T/base.cf" <"$T/junk" | tr -d '\r'); rc=$?
	else
		out=$(sed 's/$/\r/' "$T/junk" | timeout 30 python3 "$T_DIR/smtpraw.py" -w 20 "$PORT_base"); rc=$?
	fi
	t1=$(date +%s)
	[ "$rc" != 124 ] && [ $((t1 - t0)) -lt 15 ]
	ok $? "$m: 2000 lines of binary junk: the session ends by itself ($((t1 - t0)) s)"
	is "$(printf '%s\n' "$out" | grep -cE '^500 5\.5\.[12] ')" 25 \
	    "$m: junk: 25 bad commands answered 500"
	is "$(printf '%s\n' "$out" | tail -1 | cut -c1-9)" "421 4.7.0" \
	    "$m: junk: then 421 4.7.0 and nothing after"
	like "$out" '^421 4\.7\.0 .*Too many errors' "$m: junk: 421 says too many errors"

	# --- the 1000-octet command line -------------------------------------
	# "NOOP " + 993 = 998 octets (+ CRLF = 1000): the longest legal line.
	x993=$(printf '%0993d' 0)
	out=$(printf 'NOOP %s\nNOOP %s%s%s%s%s\nNOOP\nQUIT\n' \
	    "$x993" "$x993" "$x993" "$x993" "$x993" "$x993" | sess $m)
	is "$(codes "$out")" "220 250 500 250 221" \
	    "$m: 998-octet command parsed; 5000 octets -> one 500, in step"
	like "$out" '^500 5\.5\.2 Line too long' "$m: 500 5.5.2 Line too long"
	out=$(printf 'NOOP %s1\nNOOP\nNOOP %s12\nNOOP\nQUIT\n' "$x993" "$x993" | sess $m)
	is "$(codes "$out")" "220 500 250 500 250 221" \
	    "$m: 999 and 1000 octets (1001 and 1002 with CRLF) -> 500 5.5.2, in step"

	# --- pipelining ------------------------------------------------------
	before=$(nfiles)
	out=$(printf 'EHLO client.example\nMAIL FROM:<a@example.org>\nRCPT TO:<root@localhost>\nRCPT TO:<postmaster@localhost>\nDATA\n<<WAIT>>\nSubject: pipelined\n\nbody\n.\nQUIT\n' | sess $m)
	is "$(codes "$out")" "220 250 250 250 250 354 250 221" \
	    "$m: pipelined EHLO MAIL RCPT RCPT DATA: replies in order"
	id=$(qid_of "$out")
	[ -n "$id" ] && [ -f "$Q/qf$id" ] && [ -f "$Q/df$id" ]
	ok $? "$m: the pipelined message is queued ($id)"
	is "$(grep -c '^R' "$Q/qf$id" 2>/dev/null)" 2 "$m: with its two recipients"

	out=$(printf 'NOOP\nQUIT\nNOOP\nRSET\nGARBAGE\nMAIL FROM:<a@b>\n' | sess $m)
	is "$(codes "$out")" "220 250 221" "$m: pipelined junk after QUIT is ignored"

	# --- MAIL parameters -------------------------------------------------
	out=$(printf 'EHLO c\nMAIL FROM:<a@example.org> SIZE=200001\nMAIL FROM:<a@example.org> SIZE=199999\nRSET\nMAIL FROM:<a@example.org> FOO=bar\nMAIL FROM:<a@example.org> SIZE=abc\nRSET\nHELO c\nMAIL FROM:<a@example.org> SIZE=10\nMAIL FROM:<a@example.org> BODY=8BITMIME\nQUIT\n' | sess $m)
	is "$(codes "$out")" "220 250 552 250 250 555 501 250 250 555 555 221" \
	    "$m: SIZE over 552, under 250; unknown param 555; params after HELO 555"
	like "$out" '^552 5\.3\.4 Message size exceeds fixed maximum message size \(200000\)$' \
	    "$m: SIZE 552 5.3.4 text"
	like "$out" '^555 5\.5\.4 FOO parameter unrecognized or malformed$' "$m: 555 text"

	printf 'Subject: body\n\n8bit: \351\n' >"$T/b8.msg"
	out=$({ echo "EHLO c"; txn a@example.org root@localhost "$T/b8.msg" BODY=8BITMIME; echo QUIT; } | sess $m)
	id=$(qid_of "$out")
	grep -qx 'B8BITMIME' "$Q/qf$id" 2>/dev/null
	ok $? "$m: BODY=8BITMIME is stored as a B8BITMIME line"

	# --- DSN parameters --------------------------------------------------
	printf 'Subject: dsn\n\nbody\n' >"$T/dsn.msg"
	out=$({ echo "EHLO c"; txn a@example.org root@localhost "$T/dsn.msg" \
	    'RET=HDRS ENVID=abc' 'NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x+2By@z'; echo QUIT; } | sess $m)
	is "$(codes "$out")" "220 250 250 250 354 250 221" "$m: DSN parameters accepted"
	id=$(qid_of "$out")
	qf="$Q/qf$id"
	grep -qx 'Qrfc822;x+2By@z' "$qf" 2>/dev/null
	ok $? "$m: ORCPT stored as a Q line, as sent"
	grep -qx 'RPNSF:<root@localhost>' "$qf" 2>/dev/null
	ok $? "$m: NOTIFY=SUCCESS,FAILURE stored as RPNSF:<root@localhost>"
	is "$(grep -A1 '^Q' "$qf" 2>/dev/null | sed -n 2p)" 'RPNSF:<root@localhost>' \
	    "$m: the Q line comes right before its R line"
	grep -qx 'Zabc' "$qf" 2>/dev/null
	ok $? "$m: ENVID=abc stored as a Z line"
	f=$(grep '^F' "$qf" 2>/dev/null)
	case $f in F*d*) case $f in F*n*) r=0 ;; *) r=1 ;; esac ;; *) r=1 ;; esac
	ok $r "$m: RET=HDRS sets the F flags d and n (got '$f')"

	# --- too many recipients ---------------------------------------------
	out=$(printf 'EHLO c\nMAIL FROM:<a@example.org>\nRCPT TO:<root@localhost>\nRCPT TO:<postmaster@localhost>\nRCPT TO:<myalias@localhost>\nRCPT TO:<root+a@localhost>\nRCPT TO:<root+b@localhost>\nRCPT TO:<root+c@localhost>\nDATA\n<<WAIT>>\nSubject: many\n\nx\n.\nQUIT\n' | sess $m)
	is "$(codes "$out")" "220 250 250 250 250 250 250 250 452 354 250 221" \
	    "$m: the 6th recipient -> 452 (MaxRecipientsPerMessage=5)"
	like "$out" '^452 4\.5\.3 Too many recipients$' "$m: 452 4.5.3 text"
	id=$(qid_of "$out")
	is "$(grep -c '^R' "$Q/qf$id" 2>/dev/null)" 5 "$m: the message has the first 5 recipients"

	# --- DATA: dot-stuffing, headers, body --------------------------------
	out=$({ echo "EHLO c"; txn a@example.org root@localhost "$D/dots.msg"; echo QUIT; } | sess $m)
	id=$(qid_of "$out")
	cmp -s "$Q/df$id" "$D/dots.df"; r=$?
	ok $r "$m: dot-stuffing undone exactly (\".\", \"..\", \"...x\"): df byte for byte"
	[ $r -eq 0 ] || od -c "$Q/df$id" 2>&1 | head -20 | sed 's/^/#   /'
	qf="$Q/qf$id"
	is "$(grep '^H' "$qf" | head -1 | cut -c1-13)" 'H??Received: ' \
	    "$m: Received: is the first H line"
	grep -q " id $id" "$qf"
	ok $? "$m: Received: names the queue id"
	[ -f "$Q/qf$id" ] && [ -f "$Q/df$id" ] && [ ! -e "$Q/tf$id" ]
	ok $? "$m: the id in the 250 reply names qf$id and df$id (no tf left)"
	is "$(head -1 "$qf")" V8 "$m: qf starts with V8"
	is "$(tail -1 "$qf")" . "$m: qf ends with a single dot"
	is "$(grep -c '^H??Subject: dots$' "$qf")" 1 "$m: Subject stored as an H?? line"

	out=$({ echo "EHLO c"; txn a@example.org root@localhost "$D/headers.msg"; echo QUIT; } | sess $m)
	id=$(qid_of "$out")
	hdrs_after_received "$Q/qf$id" >"$T/got.hdrs"
	cmp -s "$T/got.hdrs" "$D/headers.qf"; r=$?
	ok $r "$m: headers stored as H?? lines, folded continuations exactly"
	[ $r -eq 0 ] || diff "$D/headers.qf" "$T/got.hdrs" | sed 's/^/#   /'
	cmp -s "$Q/df$id" "$D/headers.df"
	ok $? "$m: the separator line is not stored; the body is"

	out=$({ echo "EHLO c"; txn a@example.org root@localhost "$D/eightbit.msg"; echo QUIT; } | sess $m)
	id=$(qid_of "$out")
	cmp -s "$Q/df$id" "$D/eightbit.df"
	ok $? "$m: an 8-bit body is stored byte for byte"
	like "$(grep '^F' "$Q/qf$id")" '^F.*8' "$m: qf flags the 8-bit body (F8)"

	printf 'Subject: no separator\nthis line is body\nX-Not: a header\n' >"$T/nosep.msg"
	out=$({ echo "EHLO c"; txn a@example.org root@localhost "$T/nosep.msg"; echo QUIT; } | sess $m)
	id=$(qid_of "$out")
	printf 'this line is body\nX-Not: a header\n' >"$T/nosep.df"
	cmp -s "$Q/df$id" "$T/nosep.df"
	ok $? "$m: no blank separator: the body starts at the first non-header line"
	is "$(grep -c '^H??Subject: no separator$' "$Q/qf$id") $(grep -c 'X-Not' "$Q/qf$id")" "1 0" \
	    "$m: no blank separator: only the real header is an H line"

	printf 'Subject: fake\n\nFrom: not-a-header@example.org\nReceived: neither\n\nend\n' >"$T/fake.msg"
	out=$({ echo "EHLO c"; txn a@example.org root@localhost "$T/fake.msg"; echo QUIT; } | sess $m)
	id=$(qid_of "$out")
	printf 'From: not-a-header@example.org\nReceived: neither\n\nend\n' >"$T/fake.df"
	cmp -s "$Q/df$id" "$T/fake.df"
	ok $? "$m: a body line that looks like a header stays in the body"
	is "$(grep -c 'not-a-header\|neither' "$Q/qf$id")" 0 "$m: ... and is not an H line"

	printf 'just text, no header at all\n' >"$T/nohdr.msg"
	out=$({ echo "EHLO c"; txn a@example.org root@localhost "$T/nohdr.msg"; echo QUIT; } | sess $m)
	id=$(qid_of "$out")
	cmp -s "$Q/df$id" "$T/nohdr.msg"
	ok $? "$m: a message without any header is all body"

	x998=$(printf '%0998d' 7)
	printf 'Subject: long\n\n%s\n' "$x998" >"$T/l998.msg"
	out=$({ echo "EHLO c"; txn a@example.org root@localhost "$T/l998.msg"; echo QUIT; } | sess $m)
	id=$(qid_of "$out")
	printf '%s\n' "$x998" >"$T/l998.df"
	cmp -s "$Q/df$id" "$T/l998.df"
	ok $? "$m: a 998-octet text line (1000 with CRLF) is accepted and kept"

	# --- DATA refusals: nothing queued, the session goes on ----------------
	before=$(nfiles)
	printf 'Subject: long\n\n%s9\n' "$x998" >"$T/l999.msg"
	printf 'Subject: long\n\n%s%s\n' "$x998" "$x998" >"$T/l1996.msg"
	out=$({ echo "EHLO c"; txn a@example.org root@localhost "$T/l999.msg"
	    txn a@example.org root@localhost "$T/l1996.msg"; echo QUIT; } | sess $m)
	is "$(codes "$out")" "220 250 250 250 354 554 250 250 354 554 221" \
	    "$m: text lines of 999 and 1996 octets (+CRLF) -> 554"
	like "$out" '^554 5\.6\.0 Message has a line over 1000 octets$' "$m: 554 5.6.0 text"
	is "$(nfiles)" "$before" "$m: long line: nothing queued"

	python3 -c 'import sys; sys.stdout.write("Subject: big\n\n" + ("x" * 99 + "\n") * 2100)' >"$T/big.msg"
	printf 'Subject: small after big\n\nsmall\n' >"$T/small.msg"
	out=$({ echo "EHLO c"; txn a@example.org root@localhost "$T/big.msg"
	    txn a@example.org root@localhost "$T/small.msg"; echo QUIT; } | sess $m)
	is "$(codes "$out")" "220 250 250 250 354 552 250 250 354 250 221" \
	    "$m: MaxMessageSize exceeded in DATA -> 552; the next message is accepted"
	like "$out" '^552 5\.3\.4 ' "$m: 552 5.3.4"
	is "$(nfiles)" "$((before + 2))" "$m: only the small message is queued"
	before=$(nfiles)

	printf 'Subject: nul\n\nbefore\000after\n' >"$T/nul.msg"
	printf 'Subject: nul\000in a header\n\nbody\n' >"$T/nulh.msg"
	out=$({ echo "EHLO c"; txn a@example.org root@localhost "$T/nul.msg"
	    txn a@example.org root@localhost "$T/nulh.msg"; echo QUIT; } | sess $m)
	is "$(codes "$out")" "220 250 250 250 354 554 250 250 354 554 221" \
	    "$m: a NUL in the body or a header -> 554"
	is "$(printf '%s\n' "$out" | grep -c '^554 5\.6\.1 NUL byte not allowed$')" 2 \
	    "$m: 554 5.6.1 NUL byte not allowed"
	is "$(nfiles)" "$before" "$m: NUL: nothing queued"

	# Far into the text (past the 1 KB the reader looks ahead), with
	# clean messages before and after in the same pipelined stream.
	python3 -c 'import sys
line = b"x" * 70 + b"\n"
clean = b"Subject: clean\n\n" + line * 100
for name, odd in (("far8", b"\xe9"), ("farnul", b"\x00")):
    open(sys.argv[1] + "/" + name + ".msg", "wb").write(
        b"Subject: far\n\n" + line * 50 + b"odd " + odd + b" here\n" + line * 50)
open(sys.argv[1] + "/clean.msg", "wb").write(clean)' "$T"
	out=$({ echo "EHLO c"; txn a@example.org root@localhost "$T/clean.msg"
	    txn a@example.org root@localhost "$T/far8.msg"
	    txn a@example.org root@localhost "$T/clean.msg"
	    txn a@example.org root@localhost "$T/farnul.msg"
	    txn a@example.org root@localhost "$T/clean.msg"; echo QUIT; } | sess $m)
	is "$(codes "$out")" "220 250 250 250 354 250 250 250 354 250 250 250 354 250 250 250 354 554 250 250 354 250 221" \
	    "$m: an 8-bit octet 3.6 KB into a message is taken, a NUL there refused (554), the rest taken"
	ids=$(printf '%s\n' "$out" | sed -n 's/^250 2\.0\.0 \([A-Za-z0-9]*\) Message accepted.*/\1/p' | tr '\n' ' ')
	set -- $ids
	is "$(grep -c '^F.*8' "$Q/qf$1" "$Q/qf$2" "$Q/qf$3" "$Q/qf$4" | tr '\n' ' ')" \
	    "$Q/qf$1:0 $Q/qf$2:1 $Q/qf$3:0 $Q/qf$4:0 " \
	    "$m: F8 on the far 8-bit message only, not on the clean ones around it"
	before=$(nfiles)

	{ i=0; while [ $i -lt 30 ]; do
		printf 'Received: from hop%d.example.org by hop%d.example.org; Mon, 1 Jan 2024 00:00:00 +0000\n' $i $((i + 1))
		i=$((i + 1)); done; printf 'Subject: loop\n\nlooping\n'; } >"$T/hops.msg"
	out=$({ echo "EHLO c"; txn a@example.org root@localhost "$T/hops.msg"; echo QUIT; } | sess $m)
	is "$(codes "$out")" "220 250 250 250 354 554 221" "$m: 30 Received: headers -> 554"
	like "$out" '^554 5\.4\.6 Too many hops' "$m: 554 5.4.6 Too many hops"
	is "$(nfiles)" "$before" "$m: hops: nothing queued"

	# --- BDAT ---------------------------------------------------------------
	python3 - "$T/bdat1.in" "$T/bdat2.in" <<'PY'
import sys
pre = b"EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<root@localhost>\r\n"
# chunks that split CRLFs, one that holds only "\n", dots not unstuffed
chunks = [b"Subject: bdat\r", b"\n\r\nli", b"ne1\r\n..dots\r", b"\n",
          b"\r\n.\r\nline2\r\n"]
out = pre
for c in chunks:
    out += b"BDAT %d\r\n" % len(c) + c
out += b"BDAT 0 LAST\r\nQUIT\r\n"
open(sys.argv[1], "wb").write(out)
body = b"Subject: one chunk\r\n\r\nonly\r\n\xe9 8bit\r\ntail without CRLF"
open(sys.argv[2], "wb").write(pre + b"BDAT %d LAST\r\n" % len(body) + body +
    b"QUIT\r\n")
PY
	out=$(sessx $m <"$T/bdat1.in")
	is "$(codes "$out")" "220 250 250 250 250 250 250 250 250 250 221" \
	    "$m: BDAT chunks + BDAT 0 LAST: 250 per chunk, 250 at LAST"
	like "$out" '^250 2\.0\.0 14 octets received$' "$m: BDAT chunk reply counts octets"
	id=$(qid_of "$out")
	printf 'line1\n..dots\n\n.\nline2\n' >"$T/bdat1.df"
	cmp -s "$Q/df$id" "$T/bdat1.df"
	ok $? "$m: BDAT chunks splitting CRLFs: df byte-exact, no dot-unstuffing"
	is "$(grep -c '^H??Subject: bdat$' "$Q/qf$id" 2>/dev/null)" 1 "$m: BDAT header stored"

	out=$(sessx $m <"$T/bdat2.in")
	is "$(codes "$out")" "220 250 250 250 250 221" "$m: BDAT n LAST in one chunk"
	id=$(qid_of "$out")
	printf 'only\n\351 8bit\ntail without CRLF\n' >"$T/bdat2.df"
	cmp -s "$Q/df$id" "$T/bdat2.df"
	ok $? "$m: BDAT n LAST: df byte-exact (last line gets its LF)"

	out=$(printf 'EHLO c\r\nBDAT 6\r\nNOOP\r\nNOOP\r\nQUIT\r\n' | sessx $m)
	is "$(codes "$out")" "220 250 503 250 221" \
	    "$m: BDAT without MAIL -> 503, its chunk consumed, in step"
	like "$out" '^503 5\.5\.1 Need MAIL and RCPT before BDAT$' "$m: BDAT 503 text"
	out=$(printf 'EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<root@localhost>\r\nBDAT x\r\nNOOP\r\nQUIT\r\n' | sessx $m)
	is "$(codes "$out")" "220 250 250 250 501" "$m: BDAT x -> 501 and close"
	like "$out" '^501 5\.5\.4 ' "$m: BDAT x 501 5.5.4"
	before=$(nfiles)
	python3 - "$T/bdatbig.in" <<'PY'
import sys
body = b"Subject: big\r\n\r\n" + (b"x" * 98 + b"\r\n") * 2100
open(sys.argv[1], "wb").write(
    b"EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<root@localhost>\r\n"
    b"BDAT %d LAST\r\n" % len(body) + body + b"NOOP\r\nQUIT\r\n")
PY
	out=$(sessx $m <"$T/bdatbig.in")
	is "$(codes "$out")" "220 250 250 250 552 250 221" \
	    "$m: BDAT over MaxMessageSize -> 552, in step"
	is "$(nfiles)" "$before" "$m: BDAT over MaxMessageSize: nothing queued"

	# --- Timeout.command ---------------------------------------------------
	cat >"$T/idle.py" <<'PY'
import os, select, socket, subprocess, sys, time
mode, sm, cf, port = sys.argv[1:5]
t0 = time.time()
if mode == "pipe":
    p = subprocess.Popen([sm, "-Am", "-bs", "-C", cf], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE)
    p.stdin.write(b"EHLO idle.example\n")
    p.stdin.flush()          # and keep stdin open: an idle client
    out = b""
    end = t0 + 15
    while time.time() < end:  # read until the session closes stdout
        r, _, _ = select.select([p.stdout], [], [], end - time.time())
        if not r:
            break
        c = os.read(p.stdout.fileno(), 4096)
        if not c:
            break
        out += c
    if p.poll() is None:
        time.sleep(0.5)
    if p.poll() is None:
        p.kill()
        out += b"(session still running after 15 s: killed)\n"
    p.wait()
    p.stdin.close()
else:
    s = socket.create_connection(("127.0.0.1", int(port)), 5)
    s.settimeout(15)
    out = s.recv(4096)
    s.sendall(b"EHLO idle.example\r\n")
    if mode == "trickle":    # then a NOOP, a byte every 0.7 s
        while b"\r\n250 " not in out:
            c = s.recv(4096)
            if not c:
                break
            out += c
        try:
            for ch in b"NOOP\r\n":
                s.sendall(bytes([ch]))
                time.sleep(0.7)
        except OSError:
            pass             # the server may close before the last byte
    while True:              # read until the server closes; never send more
        try:
            c = s.recv(4096)
        except OSError:
            break
        if not c:
            break
        out += c
print("%.1f" % (time.time() - t0))
sys.stdout.write(out.decode("latin-1").replace("\r\n", "\n"))
PY
	python3 "$T/idle.py" "$m" "$SM" "$T/tmo.cf" "$PORT_tmo" >"$T/idle.out"
	out=$(sed 1d "$T/idle.out")
	secs=$(sed -n 1p "$T/idle.out")
	like "$out" '^421 4\.4\.2 .*Timeout waiting for input' \
	    "$m: an idle client gets 421 4.4.2 (Timeout.command=2s)"
	awk -v s="$secs" 'BEGIN { exit !(s >= 1.5 && s < 8) }'
	ok $? "$m: ... after about 2 s (took $secs s)"
done

# --- Timeout.command holds for the whole line, not each read ----------------
# A byte every 0.7 s never leaves a read waiting 2 s, but the line takes 4 s.
python3 "$T/idle.py" trickle "$SM" "$T/tmo.cf" "$PORT_tmo" >"$T/trickle.out"
out=$(sed 1d "$T/trickle.out")
like "$out" '^421 4\.4\.2 .*Timeout waiting for input' \
    "a command trickled a byte at a time gets 421 4.4.2 once the line took Timeout.command"
unlike "$out" '^250 2\.0\.0 OK' "... and is never answered"

# --- socket only: early talker, text before the 354 -------------------------
before=$(nfiles)
out=$(printf 'EHLO early.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<root@localhost>\r\nDATA\r\nSubject: early\r\n\r\nx\r\n.\r\nQUIT\r\n' |
    raw -n "$PORT_early")
like "$(printf '%s\n' "$out" | head -1)" '^554 5\.5\.0 .*talked before my greeting' \
    "sock: early talker (GreetPause=1000ms) -> 554 5.5.0"
is "$(codes "$out")" "554" "sock: early talker: nothing but the 554, then close"
is "$(nfiles)" "$before" "sock: early talker: nothing queued"
out=$(printf 'EHLO patient.example\r\nQUIT\r\n' | raw "$PORT_early")
is "$(codes "$out")" "220 250 221" "sock: GreetPause: a client that waits is served"

out=$(printf 'EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<root@localhost>\r\nDATA\r\nSubject: eager\r\n\r\nx\r\n.\r\nQUIT\r\n' |
    raw "$PORT_base")
is "$(codes "$out")" "220 250 250 250 554" \
    "sock: message text sent with DATA, before the 354 -> 554 and close"
like "$out" '^554 5\.5\.0 .*before the 354' "sock: 554 5.5.0 names the 354"
is "$(nfiles)" "$before" "sock: text before 354: nothing queued"

# Bare LF in a command line on a socket; bare LF / CR in DATA on a socket.
out=$(printf 'NOOP\nNOOP\r\nQUIT\r\n' | raw "$PORT_base")
is "$(codes "$out")" "220 500 250 221" "sock: bare LF in a command -> 500, in step"
like "$out" '^500 5\.5\.2 Bare CR or LF' "sock: 500 5.5.2 Bare CR or LF"
for bad in LF CR; do
	case $bad in LF) b='\n' ;; CR) b='\r' ;; esac
	# after the bare one: ".", a second transaction (a smuggling attempt)
	out=$(printf "EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<root@localhost>\r\nDATA\r\n<<WAIT>>\nSubject: s\r\n\r\nbare${b}$bad\r\n.${b}MAIL FROM:<evil@example.org>\r\nRCPT TO:<root@localhost>\r\nDATA\r\n<<WAIT>>\nsmuggled\r\n.\r\nQUIT\r\n" |
	    raw "$PORT_base")
	is "$(codes "$out")" "220 250 250 250 354 421" \
	    "sock: a bare $bad in DATA -> 421 and close, no smuggled message"
	like "$out" '^421 4\.5\.0 .*Bare CR or LF in message text' \
	    "sock: 421 4.5.0 text (bare $bad)"
done
is "$(nfiles)" "$before" "sock: bare CR/LF in DATA: nothing queued"
out=$(printf 'EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<root@localhost>\r\nBDAT 23 LAST\r\nSubject: s\r\n\r\nbare\nLF\r\nNOOP\r\nQUIT\r\n' |
    raw "$PORT_base")
is "$(codes "$out")" "220 250 250 250 554 250 221" "sock: a bare LF in BDAT -> 554, in step"
like "$out" '^554 5\.6\.0 .*bare CR or LF' "sock: BDAT bare LF: 554 5.6.0"
is "$(nfiles)" "$before" "sock: BDAT bare LF: nothing queued"

# No tf or stray df anywhere after all of this.
stray=$(ls "$Q" | while read -r f; do
	case $f in
	qf*) ;;
	df*) [ -f "$Q/qf${f#df}" ] || echo "$f" ;;
	*) echo "$f" ;;
	esac
done)
is "$stray" "" "no tf, no df without its qf, nothing else in the queue"

# The socket sessions' stderr went to the servers' logs: nothing from a
# sanitizer (make SANITIZE=1) or anything else that is not a log line of
# systemd-socket-activate's own.
is "$(ssa_errors)" "" "the socket sessions wrote nothing to stderr (no sanitizer report)"

# A "line" with no end at all is not SMTP: after 16 KB the session says
# 421 and closes instead of reading on.
out=$(python3 -c 'import sys; sys.stdout.buffer.write(b"EHLO x\r\nNOOP " + b"a" * 40000 + b"\r\nNOOP\r\n")' |
	smtp_pipe | tr -d '\r')
like "$out" "^421 4\.7\.0 .*Command line too long" "endless command line: 421 and close"
unlike "$out" "^250 2\.0\.0 OK" "nothing after it is read as a command"

# --- PrivacyOptions=noreceipts (and goaway): no DSN ----------------------------
write_cf "$T/norcpt.cf" "O PrivacyOptions=noreceipts"
write_cf "$T/goaway.cf" "O PrivacyOptions=goaway"
for c in norcpt goaway; do
	out=$(printf 'EHLO c\nQUIT\n' | sess pipe $c)
	unlike "$out" '^250-DSN$' "$c: EHLO does not offer DSN"
	like "$out" '^250-SIZE' "$c: ... but the other extensions"
	out=$(printf 'EHLO c\nMAIL FROM:<a@example.org> RET=HDRS\nMAIL FROM:<a@example.org> ENVID=x\nMAIL FROM:<a@example.org> BODY=8BITMIME\nRCPT TO:<root@localhost> NOTIFY=NEVER\nRCPT TO:<root@localhost> ORCPT=rfc822;root@localhost\nRCPT TO:<root@localhost>\nQUIT\n' |
	    sess pipe $c)
	is "$(codes "$out")" "220 250 504 504 250 504 504 250 221" \
	    "$c: RET, ENVID, NOTIFY and ORCPT get 504; BODY and plain RCPT do not"
	like "$out" '^504 5\.7\.0 RET: DSN is not offered here$' "$c: 504 5.7.0 names the parameter"
done
out=$(printf 'EHLO c\nQUIT\n' | sess pipe base)
like "$out" '^250-DSN$' "without noreceipts, EHLO offers DSN"

done_testing
