#!/bin/sh
# 22-auth.t - SMTP AUTH (RFC 4954) through Cyrus SASL with real clients.
#
# A sasldb made by saslpasswd2 holds "user" in the realm mx.test.example
# (the server's $j, which is SASL's default realm, so the client says
# plain "user"); it is root's, group smmta, mode 0640, and the sessions
# run as smmta.  swaks --tls --auth PLAIN and LOGIN, Python's smtplib
# (starttls + login) and a raw client check: AUTH offered only inside
# TLS, 235, the refusals (501, 503, 504, 535), the "*" cancel, the "="
# empty response, 12288-octet AUTH lines, MaxBadCommands ending password
# guessing with 421, MAIL's AUTH= parameter, the qf's A line, ESMTPSA
# and "(authenticated bits=0)", STARTTLS forgetting an AUTH done in the
# clear, relaying by a stranger (in a network namespace, as t/13) refused
# before AUTH and allowed after it, and libsasl2 mapped only by a
# session that says AUTH.  Servers are systemd-socket-activate --inetd
# --accept (a process per connection) inside t/withsyslog.py.
. "${0%/*}/lib.sh"
export LC_ALL=C

need_root "(RunAsUser, a network namespace)"
need_cmd systemd-socket-activate openssl swaks saslpasswd2 ip
setup
LOG="$T/syslog.txt"
: >"$LOG"

# --- the certificate, the sasldb, the configurations ----------------------------
make_cert
make_sasldb

TLS="O ServerCertFile=$T/cert.pem
O ServerKeyFile=$T/key.pem"
DB="O AuthSasldbPath=$T/sasldb"
write_cf "$T/auth.cf" "$TLS" "$DB"
write_cf "$T/guess.cf" "$TLS" "$DB" "O MaxBadCommands=3"
write_cf "$T/clear.cf" "$TLS" "$DB" "O AuthOptions="
write_cf "$T/nomech.cf" "$TLS" "$DB" "O AuthMechanisms=plain,X-NO-SUCH-MECH"
make_aliases "$T/auth.cf" "postmaster: root"

LOG_TAG=sm-auth		# t/lib.sh: start_logged_server, logged
for c in auth guess clear nomech; do start_logged_server "$c"; done

b64() { printf "$1" | base64 -w0; }	# b64 PRINTF-FORMAT
PLAIN=$(b64 'user\0user\0secret')
WRONG=$(b64 'user\0user\0wrong')

# The Python side: t/smtpclient.py, and the test user's credentials.
cat >"$T/authhelp.py" <<'PY'
from smtpclient import *
PLAIN = b64(b"user\0user\0secret")
WRONG = b64(b"user\0user\0wrong")
PY

# --- the binary -------------------------------------------------------------------
unlike "$(ldd "$SM")" 'sasl' "the binary is not linked with libsasl2 (ldd)"

# --- in the clear: not offered, refused -----------------------------------------------
out=$(printf 'EHLO c\r\nAUTH PLAIN %s\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<x@other.example>\r\nQUIT\r\n' "$PLAIN" |
    raw "$PORT_auth")
unlike "$out" '^250.AUTH' "in the clear (AuthOptions p, the default): EHLO does not offer AUTH"
like "$out" '^503 5\.3\.3 AUTH not available$' "AUTH before STARTTLS -> 503 5.3.3 AUTH not available"

# --- swaks --tls --auth PLAIN and LOGIN ---------------------------------------------
for mech in PLAIN LOGIN; do
	out=$(swaks_at "$PORT_auth" --tls \
	    --auth $mech --auth-user user --auth-password secret \
	    --from sender@example.org --to someone@other.example \
	    --header "Subject: swaks $mech" --body "authenticated with $mech")
	ok $? "swaks --tls --auth $mech delivers to a foreign domain (relays)"
	like "$out" '^<~  250-AUTH PLAIN LOGIN$' "swaks $mech: AUTH PLAIN LOGIN offered inside TLS"
	like "$out" '^<~  235 2\.0\.0 OK Authenticated$' "swaks $mech: 235 2.0.0 OK Authenticated"
	id=$(qid_of "$out")
	eval "ID_$mech=\$id"
	qf="$Q/qf$id"
	[ -n "$id" ] && [ -f "$qf" ]
	ok $? "swaks $mech: queued ($id)"
	grep -qx 'Auser' "$qf" 2>/dev/null
	ok $? "swaks $mech: the qf has the A line 'Auser'"
	grep -qx '\$rESMTPSA' "$qf" 2>/dev/null
	ok $? "swaks $mech: the qf's protocol is ESMTPSA"
	logged "sm-auth\[[0-9]+\]: AUTH=server, relay=\[127\.0\.0\.1\], authid=user, mech=$mech, bits=0$" \
	    "log: AUTH=server, relay=, authid=user, mech=$mech, bits=0"
done
rcv=$(received "$Q/qf$ID_PLAIN" 2>/dev/null)
like "$(printf '%s\n' "$rcv" | sed -n 2p)" '^	\(authenticated bits=0\)$' \
    "Received: sendmail's (authenticated bits=0) after the from clause"
like "$(printf '%s\n' "$rcv" | sed -n 3p)" "^	by mx\\.test\\.example \\(sockmail\\) with ESMTPSA id $ID_PLAIN\$" \
    "Received: with ESMTPSA"
logged "$ID_PLAIN: from=<sender@example.org>, .*proto=ESMTPSA, relay=localhost \[127\.0\.0\.1\]" \
    "log: the from= line says proto=ESMTPSA"

# --- smtplib: starttls() and login() ---------------------------------------------------
py "$PORT_auth" >"$T/smtplib.out" 2>&1 <<'PY'
import smtplib, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.ehlo("py.example")
print("before=%s" % s.has_extn("auth"))
s.starttls(context=ctx)
s.ehlo("py.example")
print("after=%s" % s.esmtp_features.get("auth", "").strip())
code, msg = s.login("user", "secret")
print("login=%d %s" % (code, msg.decode()))
r = s.sendmail("py@example.org", ["far@other.example"],
               "Subject: smtplib login\r\n\r\nbody\r\n")
print("refused=%r" % r)
s.quit()
try:
    s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
    s.starttls(context=ctx)
    s.login("user", "not-the-password")
except smtplib.SMTPAuthenticationError as e:
    print("wrong=%d %s" % (e.smtp_code, e.smtp_error.decode()))
PY
out=$(cat "$T/smtplib.out")
like "$out" '^before=False$' "smtplib: no AUTH before starttls()"
like "$out" '^after=PLAIN LOGIN$' "smtplib: AUTH PLAIN LOGIN after starttls()"
like "$out" '^login=235 2\.0\.0 OK Authenticated$' "smtplib: login() -> 235"
like "$out" '^refused=\{\}$' "smtplib: a message to a foreign domain is accepted"
like "$out" '^wrong=535 5\.7\.8 Authentication credentials invalid$' \
    "smtplib: a wrong password -> 535 5.7.8"
logged 'AUTH failure \((PLAIN|LOGIN)\): [^,]+ \(-13\), relay=\[127\.0\.0\.1\]$' \
    "log: AUTH failure (MECH): reason (-13), relay="

# --- the exchange, raw -----------------------------------------------------------------
py "$PORT_auth" >"$T/raw.out" 2>&1 <<'PY'
import sys
from authhelp import Conn, PLAIN, WRONG, b64
port = int(sys.argv[1])
c = Conn(port)
print("ehlo=%s" % [l for l in c.tls() if "AUTH" in l])
print("unknown=" + c.last("AUTH NO-SUCH-MECH"))
print("syntax=" + c.last("AUTH"))
print("extra=" + c.last("AUTH PLAIN a b"))
print("badb64=" + c.last("AUTH PLAIN !!!notbase64"))
print("empty=" + c.last("AUTH PLAIN ="))
print("ask=" + c.last("AUTH PLAIN"))
print("cancel=" + c.last("*"))
print("ask2=" + c.last("AUTH PLAIN"))
print("badresp=" + c.last("%%%"))
c.last("MAIL FROM:<a@example.org>")
print("intx=" + c.last("AUTH PLAIN " + PLAIN))
c.last("RSET")
print("ask3=" + c.last("AUTH PLAIN"))
print("roundtrip=" + c.last(PLAIN))
print("again=" + c.last("AUTH PLAIN " + PLAIN))
print("ehlo2=%s" % [l for l in c.cmd("EHLO c.example") if "AUTH" in l])
print("quit=" + c.last("QUIT"))

# LOGIN step by step
c = Conn(port)
c.tls()
print("login1=" + c.last("AUTH LOGIN"))
print("login2=" + c.last(b64(b"user")))
print("login3=" + c.last(b64(b"secret")))

# Long lines: an AUTH line may be 12288 octets, others 1000.
c = Conn(port)
c.tls()
long_ir = b64(b"user\0user\0" + b"x" * 9000)    # 12016 octets of base64
print("longlen=%d" % len("AUTH PLAIN " + long_ir + "\r\n"))
print("longauth=" + c.last("AUTH PLAIN " + long_ir))
print("longnoop=" + c.last("NOOP " + "x" * 1500))
print("longresp0=" + c.last("AUTH PLAIN"))
print("longresp=" + c.last(long_ir))
print("toolong=" + c.last("AUTH PLAIN " + "QUFB" * 3100))
print("after=" + c.last("AUTH PLAIN " + PLAIN))
PY
out=$(cat "$T/raw.out")
like "$out" "^ehlo=\\['250-AUTH PLAIN LOGIN'\\]\$" "raw: inside TLS EHLO offers AUTH PLAIN LOGIN"
like "$out" '^unknown=504 5\.5\.4 Mechanism NO-SUCH-MECH not supported$' "an unknown mechanism -> 504 5.5.4"
like "$out" '^syntax=501 5\.5\.4 ' "AUTH without a mechanism -> 501 5.5.4"
like "$out" '^extra=501 5\.5\.4 ' "AUTH with two arguments -> 501 5.5.4"
like "$out" '^badb64=501 5\.5\.2 ' "an initial response that is not base64 -> 501 5.5.2"
like "$out" '^empty=535 5\.7\.8 ' "AUTH PLAIN = (an empty initial response) is taken as empty: 535, not 501"
like "$out" '^ask=334 ?$' "AUTH PLAIN without initial response -> an empty 334 challenge"
like "$out" '^cancel=501 5\.7\.0 AUTH aborted$' "\"*\" cancels: 501 5.7.0 AUTH aborted"
like "$out" '^ask2=334 ?$' "... and AUTH may be tried again"
like "$out" '^badresp=501 5\.5\.2 ' "a response that is not base64 -> 501 5.5.2"
like "$out" '^intx=503 5\.5\.0 ' "AUTH inside a mail transaction -> 503 5.5.0"
like "$out" '^ask3=334 ?$' "after RSET: 334"
like "$out" '^roundtrip=235 2\.0\.0 OK Authenticated$' "the 334 round trip -> 235"
like "$out" '^again=503 5\.5\.0 Already Authenticated$' "a second AUTH -> 503 5.5.0 Already Authenticated"
like "$out" "^ehlo2=\\[\\]\$" "after AUTH, EHLO no longer offers AUTH"
like "$out" '^quit=221 ' "the session goes on to QUIT"
like "$out" '^login1=334 VXNlcm5hbWU6$' "LOGIN: 334 Username:"
like "$out" '^login2=334 UGFzc3dvcmQ6$' "LOGIN: 334 Password:"
like "$out" '^login3=235 ' "LOGIN: 235"
like "$out" '^longlen=12029$' "the long AUTH line is 12029 octets"
like "$out" '^longauth=535 5\.7\.8 ' "a 12029-octet AUTH line is read whole (535, not 500)"
like "$out" '^longnoop=500 5\.5\.2 Line too long' "a 1506-octet NOOP is still too long (500 5.5.2)"
like "$out" '^longresp=535 5\.7\.8 ' "a 12018-octet response line is read whole (535)"
like "$out" '^toolong=500 5\.5\.2 Line too long' "a 12413-octet AUTH line is too long (500 5.5.2)"
like "$out" '^after=235 ' "and the session is in step: AUTH then succeeds"

# An AUTH line with no end is cut off at 16 KB like any other.
out=$(python3 -c 'import sys; sys.stdout.buffer.write(b"EHLO x\r\nAUTH PLAIN " + b"QUFB" * 4200 + b"\r\nNOOP\r\n")' |
	"$SM" -Am -bs -C "$T/auth.cf" 2>"$T/ssa-pipe2.log" | tr -d '\r')
like "$out" "^421 4\.7\.0 .*Command line too long" "a 16811-octet AUTH line: 421 (no end within 16 KB)"
unlike "$out" "^250 2\.0\.0 OK" "... and nothing after it is read"

# --- MAIL's AUTH= parameter -------------------------------------------------------------
py "$PORT_auth" >"$T/param.out" 2>&1 <<'PY'
import sys
from authhelp import Conn, PLAIN
port = int(sys.argv[1])
def send(c, param, n):
    print("mail%d=%s" % (n, c.last("MAIL FROM:<a@example.org> " + param)))
    c.last("RCPT TO:<root@localhost>")
    c.last("DATA")
    c.s.sendall(b"Subject: auth param %d\r\n\r\nbody\r\n.\r\n" % n)
    print("end%d=%s" % (n, c.reply()[-1]))
c = Conn(port)
c.tls()
send(c, "AUTH=someone@example.org", 0)   # not authenticated: ignored
c.last("AUTH PLAIN " + PLAIN)
send(c, "AUTH=user", 1)
send(c, "AUTH=<>", 2)
send(c, "AUTH=other+40example.org", 3)  # not the user: replaced
print("bad=" + c.last("MAIL FROM:<a@example.org> AUTH=a+zz"))
c.last("QUIT")
PY
out=$(cat "$T/param.out")
aline() {	# aline N: the A line of message N, or "none"
	_id=$(printf '%s\n' "$out" | sed -n "s/^end$1=250 2\\.0\\.0 \\([A-Za-z0-9]*\\) .*/\\1/p")
	_a=$(grep '^A' "$Q/qf$_id" 2>/dev/null)
	[ -f "$Q/qf$_id" ] && echo "${_a:-none}" || echo "no qf"
}
is "$(aline 0)" none "AUTH= from a client that has not authenticated: ignored, no A line"
is "$(aline 1)" Auser "AUTH=user after AUTH as user: A line Auser"
is "$(aline 2)" 'A<>' "AUTH=<>: A line A<>"
is "$(aline 3)" Auser "AUTH= naming someone else: replaced by the user"
like "$out" '^bad=501 5\.5\.4 ' "a malformed AUTH= xtext -> 501 5.5.4"

# --- password guessing ends the session (MaxBadCommands=3) ------------------------------
py "$PORT_guess" "$WRONG" >"$T/guess2.out" 2>&1 <<'PY'
import sys
from authhelp import Conn
c = Conn(int(sys.argv[1]))
c.tls()
print("try0=" + c.last("AUTH PLAIN " + sys.argv[2]))
print("try1=" + c.last("AUTH PLAIN " + sys.argv[2]))
c.s.sendall(b"AUTH PLAIN " + sys.argv[2].encode() + b"\r\n")
print("third=" + c.reply()[-1])
print("then=" + c.reply()[-1])
print("closed=%s" % c.closed())
PY
out=$(cat "$T/guess2.out")
like "$out" '^try0=535 5\.7\.8 ' "guessing: a wrong password -> 535"
like "$out" '^try1=535 5\.7\.8 ' "guessing: a second -> 535"
like "$out" '^third=535 5\.7\.8 Authentication credentials invalid$' "guessing: the third -> 535 ..."
like "$out" '^then=421 4\.7\.0 .*Too many errors' "guessing: ... and 421 at MaxBadCommands"
like "$out" '^closed=True$' "guessing: the connection is closed"

# --- STARTTLS forgets an AUTH done in the clear (AuthOptions empty) ----------------------
py "$PORT_clear" >"$T/clear.out" 2>&1 <<'PY'
import sys
from authhelp import Conn, PLAIN
c = Conn(int(sys.argv[1]))
c.reply()
print("ehlo=%s" % [l for l in c.cmd("EHLO c.example") if "AUTH" in l])
print("auth=" + c.last("AUTH PLAIN " + PLAIN))
print("starttls=" + c.last("STARTTLS"))
import ssl
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
c.s = ctx.wrap_socket(c.s)
print("ehlo2=%s" % [l for l in c.cmd("EHLO c.example") if "AUTH" in l])
c.last("MAIL FROM:<a@example.org>")
c.last("RCPT TO:<root@localhost>")
c.last("DATA")
c.s.sendall(b"Subject: after STARTTLS\r\n\r\nbody\r\n.\r\n")
print("end=" + c.reply()[-1])
print("auth2=" + c.last("AUTH PLAIN " + PLAIN))
PY
out=$(cat "$T/clear.out")
like "$out" "^ehlo=\\['250-AUTH PLAIN LOGIN'\\]\$" "AuthOptions empty: AUTH offered in the clear"
like "$out" '^auth=235 ' "AuthOptions empty: AUTH in the clear -> 235"
like "$out" "^ehlo2=\\['250-AUTH PLAIN LOGIN'\\]\$" "after STARTTLS AUTH is offered again: the clear one is forgotten"
id=$(printf '%s\n' "$out" | sed -n 's/^end=250 2\.0\.0 \([A-Za-z0-9]*\) .*/\1/p')
[ -n "$id" ] && grep -qx '\$rESMTPS' "$Q/qf$id" && ! grep -q '^A' "$Q/qf$id"
ok $? "a message after STARTTLS is ESMTPS without an A line"
like "$out" '^auth2=235 ' "AUTH inside TLS -> 235 (not 503 Already Authenticated)"

# --- a mechanism the library does not have -------------------------------------------------
py "$PORT_nomech" >"$T/nomech.out" 2>&1 <<'PY'
import sys
from authhelp import Conn, PLAIN
c = Conn(int(sys.argv[1]))
print("ehlo=%s" % [l for l in c.tls() if "AUTH" in l])
print("nomech=" + c.last("AUTH X-NO-SUCH-MECH"))
print("login=" + c.last("AUTH LOGIN"))
print("plain=" + c.last("AUTH PLAIN " + PLAIN))
PY
out=$(cat "$T/nomech.out")
like "$out" "^ehlo=\\['250-AUTH PLAIN X-NO-SUCH-MECH'\\]\$" \
    "EHLO offers AuthMechanisms=plain,X-NO-SUCH-MECH as names (no library asked)"
like "$out" '^nomech=504 5\.5\.4 ' "a configured mechanism the library lacks -> 504 5.5.4 at AUTH"
like "$out" '^login=504 5\.5\.4 ' "a mechanism not in AuthMechanisms -> 504 5.5.4"
like "$out" '^plain=235 ' "the library was given plain,X-... as a list of names: PLAIN works"

# --- a local client (a pipe) is offered AUTH ------------------------------------------------
out=$(printf 'EHLO c\nAUTH PLAIN %s\nQUIT\n' "$PLAIN" | "$SM" -Am -bs -C "$T/auth.cf" 2>"$T/ssa-pipe.log" | tr -d '\r')
like "$out" '^250-AUTH PLAIN LOGIN$' "a local client (a pipe) is offered AUTH without TLS"
like "$out" '^235 2\.0\.0 ' "a local client authenticates (the sasldb read as smmta, by group)"
out=$(printf 'HELP\nEHLO c\nHELP\nAUTH PLAIN %s\nHELP\nQUIT\n' "$PLAIN" |
    "$SM" -Am -bs -C "$T/auth.cf" 2>>"$T/ssa-pipe.log" | tr -d '\r' | grep 'RSET NOOP')
is "$(printf '%s\n' "$out" | sed 's/.*EXPN//' | tr '\n' '|')" "| AUTH||" \
    "HELP lists AUTH only while it is offered (after EHLO, before authenticating)"
# Timeout.auth (1 s here; Timeout.command is 20 s) bounds the wait for an
# answer to a challenge.
out=$( (printf 'EHLO c\nAUTH LOGIN\n'; sleep 5) |
    timeout 30 "$SM" -Am -bs -C "$T/auth.cf" -O Timeout.auth=1s 2>>"$T/ssa-pipe.log" | tr -d '\r')
is "$(printf '%s\n' "$out" | tail -2 | cut -c1-9 | tr '\n' '|')" "334 VXNlc|421 4.4.2|" \
    "no answer to an AUTH challenge within Timeout.auth: 421 4.4.2"

# --- libsasl2 is loaded only by a session that says AUTH -------------------------------------
py "$PORT_auth" >"$T/maps.out" 2>&1 <<'PY'
import sys
from authhelp import Conn, PLAIN, maps
c = Conn(int(sys.argv[1]))
c.tls()
c.last("MAIL FROM:<a@example.org>")
c.last("RCPT TO:<root@localhost>")
c.last("DATA")
c.s.sendall(b"Subject: no auth\r\n\r\nbody\r\n.\r\n")
print("msg=" + c.reply()[-1])
pid = c.session_pid()
m = maps(pid) if pid else ""
print("gnutls=%s" % ("libgnutls" in m))
print("sasl0=%s" % ("libsasl2" in m))
print("auth=" + c.last("AUTH PLAIN " + PLAIN))
m = maps(pid) if pid else ""
print("sasl=%s" % ("libsasl2.so.2" in m))
c.last("QUIT")
PY
out=$(cat "$T/maps.out")
like "$out" '^msg=250 2\.0\.0 ' "a whole transaction inside TLS, without AUTH"
like "$out" '^gnutls=True$' "its /proc/PID/maps is read (GnuTLS is there)"
like "$out" '^sasl0=False$' "... and libsasl2 is not: EHLO offering AUTH does not load it"
like "$out" '^auth=235 ' "then AUTH -> 235"
like "$out" '^sasl=True$' "... and now the session maps libsasl2.so.2"

# --- relaying: a stranger, before and after AUTH (network namespace) --------------------------
netns_up 192.0.2.1 198.51.100.7
ns_server ns "$T/log-ns" 192.0.2.1:2525 "$T/auth.cf"
ip netns exec "$NS" env PYTHONPATH="$T:$T_DIR" timeout 60 python3 - >"$T/relay.out" 2>&1 <<'PY'
from authhelp import Conn, PLAIN
c = Conn(2525, host="192.0.2.1", src="198.51.100.7")
c.tls()
c.last("MAIL FROM:<s@example.org>")
print("before=" + c.last("RCPT TO:<user@other.example>"))
c.last("RSET")
print("auth=" + c.last("AUTH PLAIN " + PLAIN))
c.last("MAIL FROM:<s@example.org>")
print("after=" + c.last("RCPT TO:<user@other.example>"))
c.last("QUIT")
PY
out=$(cat "$T/relay.out")
like "$out" '^before=550 5\.7\.1 <user@other\.example>\.\.\. Relaying denied\. IP name lookup failed \[198\.51\.100\.7\]$' \
    "a stranger (198.51.100.7) inside TLS, before AUTH: 550 5.7.1 Relaying denied"
like "$out" '^auth=235 ' "the stranger authenticates"
like "$out" '^after=250 2\.1\.5 ' "after AUTH the stranger may relay: 250"
grep -q 'AUTH=server, relay=\[198\.51\.100\.7\], authid=user, mech=PLAIN, bits=0' "$T/log-ns"
ok $? "log: the stranger's AUTH=server line names its address"

# The sessions wrote nothing to stderr (no sanitizer report under SANITIZE=1).
is "$(ssa_errors)" "" "the sessions wrote nothing to stderr"

done_testing
