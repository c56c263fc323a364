#!/bin/sh
# 18-starttls.t - STARTTLS (RFC 3207) with real clients.  swaks --tls and
# Python's smtplib (verifying the certificate) deliver through it; the
# command's refusals (501, 502, 503, 454); EHLO before and after TLS; the
# plaintext command-injection attack (CVE-2011-0411); a client that sends
# garbage instead of a ClientHello, or nothing at all; unsafe or unusable
# key settings; and GnuTLS is mapped only by a session that says
# STARTTLS.  The servers are systemd-socket-activate --inetd --accept (a
# process per connection, as in production) inside t/withsyslog.py, which
# collects their syslog lines.  The key is root's, mode 0600, and the
# sessions run as smmta: the key is opened before the privilege drop.
. "${0%/*}/lib.sh"
export LC_ALL=C

need_cmd systemd-socket-activate openssl swaks
need_root "(t/withsyslog.py, RunAsUser)"
setup
LOG="$T/syslog.txt"
: >"$LOG"

make_cert
cp "$T/key.pem" "$T/key644.pem"
chmod 644 "$T/key644.pem"

CERT="O ServerCertFile=$T/cert.pem"
KEY="O ServerKeyFile=$T/key.pem"
write_cf "$T/tls.cf" "$CERT" "$KEY" "O Timeout.starttls=3s" \
    "O PrivacyOptions=needmailhelo"
write_cf "$T/notls.cf"
write_cf "$T/badkey.cf" "$CERT" "O ServerKeyFile=$T/key644.pem"
write_cf "$T/prio.cf" "$CERT" "$KEY" "O TLSPriority=NO-SUCH-KEYWORD"
write_cf "$T/tmo.cf" "$CERT" "$KEY" "O Timeout.command=2s"
make_aliases "$T/tls.cf" "postmaster: root"

LOG_TAG=sm-tls		# t/lib.sh: start_logged_server, logged
for c in tls notls badkey prio tmo; do start_logged_server "$c"; done



# --- the binary ---------------------------------------------------------------
unlike "$(ldd "$SM")" 'gnutls' "the binary is not linked with GnuTLS (ldd)"

# --- EHLO, and the refusals in the clear --------------------------------------
out=$(printf 'EHLO c\r\nQUIT\r\n' | raw "$PORT_tls")
like "$out" '^250-STARTTLS$' "EHLO offers STARTTLS when ServerCertFile and ServerKeyFile are set"
out=$(printf 'HELP\r\nQUIT\r\n' | raw "$PORT_tls")
like "$out" '^214-2\.0\.0 .* STARTTLS$' "HELP lists STARTTLS when it is offered"
out=$(printf 'HELP\r\nEHLO c\r\nSTARTTLS\r\nQUIT\r\n' | raw "$PORT_notls")
unlike "$out" 'STARTTLS$' "no certificate configured: neither HELP nor EHLO offers STARTTLS"
unlike "$out" '^250.STARTTLS' "no certificate configured: EHLO does not offer STARTTLS"
is "$(codes "$out")" "220 214 250 502 221" "no certificate configured: STARTTLS -> 502"
like "$out" '^502 5\.5\.1 ' "... 502 5.5.1"
out=$(printf 'EHLO c\r\nSTARTTLS foo\r\nMAIL FROM:<a@example.org>\r\nSTARTTLS\r\nQUIT\r\n' |
    raw "$PORT_tls")
is "$(codes "$out")" "220 250 501 250 503 221" \
    "STARTTLS with a parameter -> 501; inside a transaction -> 503; the session goes on"
like "$out" '^501 5\.5\.4 Syntax error \(no parameters allowed\)$' "501 5.5.4 text"
like "$out" '^503 5\.5\.1 ' "503 5.5.1 in a transaction"
out=$(printf 'EHLO c\nSTARTTLS\nQUIT\n' | "$SM" -Am -bs -C "$T/tls.cf" | tr -d '\r')
unlike "$out" '^250.STARTTLS' "a local client (a pipe) is not offered STARTTLS"
is "$(codes "$out")" "220 250 502 221" "a local client's STARTTLS -> 502"

# --- swaks --tls --------------------------------------------------------------
out=$(swaks_at "$PORT_tls" --to root@localhost \
    --from tester@example.org --tls --header 'Subject: over TLS' \
    --body 'sent by swaks inside TLS')
ok $? "swaks --tls delivers a message"
like "$out" '^=== TLS started with cipher TLSv1\.[23]' "swaks: the handshake succeeded"
like "$out" '^<-  250-STARTTLS$' "swaks: offered in the clear"
unlike "$out" '^<~  250-STARTTLS$' "swaks: not offered inside TLS"
id=$(qid_of "$out")
qf="$Q/qf$id"
[ -n "$id" ] && [ -f "$qf" ] && [ -f "$Q/df$id" ]
ok $? "swaks: the message is queued ($id)"
grep -q 'sent by swaks inside TLS' "$Q/df$id" 2>/dev/null
ok $? "swaks: the df holds the body"
rcv=$(received "$qf")
is "$(printf '%s\n' "$rcv" | wc -l)" 4 "Received: has four lines"
like "$(printf '%s\n' "$rcv" | sed -n 2p)" "^	by mx\.test\.example \(sockmail\) with ESMTPS id $id\$" \
    "Received: with ESMTPS id ..."
like "$(printf '%s\n' "$rcv" | sed -n 3p)" '^	\(version=TLSv1\.[23] cipher=[A-Z0-9_]+ bits=(128|256) verify=NOT\)$' \
    "Received: then sendmail's TLS clause (version= cipher= bits= verify=NOT)"
like "$(printf '%s\n' "$rcv" | sed -n 4p)" '^	for <root@localhost>; ' \
    "Received: then for <rcpt>; date"
grep -qx '\$rESMTPS' "$qf"
ok $? "the qf's protocol macro is ESMTPS"
logged 'sm-tls\[[0-9]+\]: STARTTLS=server, relay=\[127\.0\.0\.1\], version=TLSv1\.[23], verify=NOT, cipher=[A-Z0-9_]+, bits=[0-9]+/[0-9]+$' \
    "log: STARTTLS=server, relay=, version=, verify=NOT, cipher=, bits="
logged "$id: from=<tester@example.org>, .*proto=ESMTPS, relay=localhost \[127\.0\.0\.1\]" \
    "log: the from= line says proto=ESMTPS"

# --- smtplib: starttls() with verification, a 100 KB message ------------------
py "$PORT_tls" "$T/cert.pem" "$T/py.df" >"$T/py.out" 2>&1 <<'PY'
import smtplib, ssl, sys
port, cafile, dfout = int(sys.argv[1]), sys.argv[2], sys.argv[3]
lines = ["line %05d %s" % (i, "x" * 60) for i in range(1500)]
open(dfout, "w").write("".join(l + "\n" for l in lines))
s = smtplib.SMTP("127.0.0.1", port, timeout=20)
s.ehlo("py.example")
print("before=%s" % s.has_extn("starttls"))
code, msg = s.starttls(context=ssl.create_default_context(cafile=cafile))
print("starttls=%d %s" % (code, msg.decode()))
print("version=%s" % s.sock.version())
s.ehlo("py.example")
print("after=%s" % s.has_extn("starttls"))
s.mail("py@example.org")
s.rcpt("root@localhost")
code, msg = s.data("Subject: smtplib over TLS\r\n\r\n" +
                   "".join(l + "\r\n" for l in lines))
print("data=%d %s" % (code, msg.decode()))
print("quit=%d" % s.quit()[0])
PY
out=$(cat "$T/py.out")
like "$out" '^before=True$' "smtplib: STARTTLS offered before TLS"
like "$out" '^starttls=220 2\.0\.0 Ready to start TLS$' "smtplib: starttls() -> 220 2.0.0 Ready to start TLS"
like "$out" '^version=TLSv1\.[23]$' "smtplib: the certificate verified (cafile, IP 127.0.0.1)"
like "$out" '^after=False$' "smtplib: EHLO inside TLS does not offer STARTTLS"
like "$out" '^data=250 2\.0\.0 [A-Za-z0-9]+ Message accepted for delivery$' "smtplib: the message is accepted"
like "$out" '^quit=221$' "smtplib: QUIT -> 221"
id=$(printf '%s\n' "$out" | sed -n 's/^data=250 2\.0\.0 \([A-Za-z0-9]*\) .*/\1/p')
cmp -s "$Q/df$id" "$T/py.df"
ok $? "smtplib: 100 KB through TLS records, the df byte for byte"

# --- inside TLS: state forgotten, no second STARTTLS, HELO -> SMTPS -----------
py "$PORT_tls" >"$T/in.out" 2>&1 <<'PY'
import sys
from smtpclient import Conn
c = Conn(int(sys.argv[1]))
c.reply()
c.cmd("EHLO before.example")
print("starttls=" + c.cmd("STARTTLS")[-1])
c.starttls()
print("mail=" + c.cmd("MAIL FROM:<a@example.org>")[-1])
print("again=" + c.cmd("STARTTLS")[-1])
print("helo=" + c.cmd("HELO helo.example")[-1])
c.cmd("MAIL FROM:<a@example.org>")
c.cmd("RCPT TO:<root@localhost>")
print("data=" + c.cmd("DATA")[-1])
c.send(b"Subject: HELO inside TLS\r\n\r\nbody\r\n.\r\n")
print("end=" + c.reply()[-1])
print("quit=" + c.cmd("QUIT")[-1])
PY
out=$(cat "$T/in.out")
like "$out" '^starttls=220 2\.0\.0 ' "raw client: STARTTLS -> 220"
like "$out" '^mail=503 5\.0\.0 Need HELO' "inside TLS the EHLO sent before is forgotten (needmailhelo: MAIL -> 503)"
like "$out" '^again=503 5\.5\.1 TLS already active$' "a second STARTTLS -> 503 5.5.1 TLS already active"
like "$out" '^helo=250 ' "HELO inside TLS -> 250"
like "$out" '^end=250 2\.0\.0 ' "a message after HELO inside TLS is accepted"
id=$(printf '%s\n' "$out" | sed -n 's/^end=250 2\.0\.0 \([A-Za-z0-9]*\) .*/\1/p')
like "$(received "$Q/qf$id" 2>/dev/null)" "with SMTPS id $id" "HELO inside TLS: Received: says SMTPS"

# --- CVE-2011-0411: commands pipelined after STARTTLS are discarded ----------
py "$PORT_tls" >"$T/inj.out" 2>&1 <<'PY'
import sys
from smtpclient import Conn
c = Conn(int(sys.argv[1]))
c.reply()
c.cmd("EHLO x")
c.send(b"STARTTLS\r\nNOOP\r\n")          # one write, one segment
print("starttls=" + c.reply()[-1])
c.starttls()
r = c.cmd("EHLO inside.example")
print("first=" + r[0])
print("quit=" + c.cmd("QUIT")[-1])
PY
out=$(cat "$T/inj.out")
like "$out" '^starttls=220 2\.0\.0 ' "injection: STARTTLS and NOOP in one write -> 220"
like "$out" '^first=250-mx\.test\.example Hello ' \
    "injection: the first reply inside TLS is the EHLO's, not the NOOP's 250"
like "$out" '^quit=221 ' "injection: the session goes on"
logged 'STARTTLS=server: discarded 6 octets sent after STARTTLS before the handshake, relay=\[127\.0\.0\.1\]' \
    "log: the 6 discarded octets"

# --- garbage instead of a ClientHello; a client that never handshakes ----------
py "$PORT_tls" >"$T/junk.out" 2>&1 <<'PY'
import sys
from smtpclient import Conn, gone_within
c = Conn(int(sys.argv[1]))
c.reply()
c.cmd("EHLO x")
print("starttls=" + c.cmd("STARTTLS")[-1])
pid = c.session_pid()
print("pid=%s" % pid)
c.send(b"this is not a ClientHello\r\n" * 4)
t = c.closed_within(10)
print("closed=%s" % (t is not None and t < 5))
print("gone=%s" % (pid is not None and gone_within(pid, 5)))
PY
out=$(cat "$T/junk.out")
like "$out" '^starttls=220 ' "garbage: STARTTLS -> 220"
like "$out" '^pid=[0-9]+$' "garbage: the session process is found"
like "$out" '^closed=True$' "garbage instead of a ClientHello: the connection is closed at once"
like "$out" '^gone=True$' "garbage: the session process exits"
pid=$(printf '%s\n' "$out" | sed -n 's/^pid=//p')
logged 'STARTTLS=server, error: accept failed=-[0-9]+, reason=[^,]+, relay=\[127\.0\.0\.1\]$' \
    "log: STARTTLS=server, error: accept failed=<code>, reason=..."
grep -q "^Child $pid died with code 76\$" "$T/ssa-tls.log"
ok $? "garbage: the session exits 76 (EX_PROTOCOL)"

py "$PORT_tls" >"$T/mute.out" 2>&1 <<'PY'
import sys, time
from smtpclient import Conn
c = Conn(int(sys.argv[1]))
c.reply()
c.cmd("EHLO x")
print("starttls=" + c.cmd("STARTTLS")[-1])
t = c.closed_within(15)                  # and say nothing
print("secs=%s" % ("never" if t is None else "%.1f" % t))
PY
out=$(cat "$T/mute.out")
secs=$(printf '%s\n' "$out" | sed -n 's/^secs=//p')
like "$out" '^starttls=220 ' "silent client: STARTTLS -> 220"
awk -v s="$secs" 'BEGIN { exit !(s >= 2.5 && s < 8) }'
ok $? "silent client: closed after Timeout.starttls=3s (took $secs s)"
logged 'STARTTLS=server, error: accept failed=-319, ' "log: the handshake timed out (-319)"

# --- Timeout.command still holds inside TLS --------------------------------------
py "$PORT_tmo" >"$T/idle.out" 2>&1 <<'PY'
import sys, time
from smtpclient import Conn
c = Conn(int(sys.argv[1]))
c.reply()
c.cmd("EHLO x")
c.cmd("STARTTLS")
c.starttls()
c.cmd("EHLO y")
t0 = time.time()
try:
    print("reply=" + c.reply()[-1])        # and say nothing
except Exception as e:
    print("reply=%r" % e)
print("secs=%.1f" % (time.time() - t0))
PY
out=$(cat "$T/idle.out")
secs=$(printf '%s\n' "$out" | sed -n 's/^secs=//p')
like "$out" '^reply=421 4\.4\.2 .*Timeout waiting for input' \
    "idle inside TLS: 421 4.4.2, sent inside TLS (Timeout.command=2s)"
awk -v s="$secs" 'BEGIN { exit !(s >= 1.5 && s < 8) }'
ok $? "... after about 2 s (took $secs s)"

# --- unusable settings -----------------------------------------------------------
out=$(printf 'EHLO c\r\nSTARTTLS\r\nQUIT\r\n' | raw "$PORT_badkey")
unlike "$out" '^250.STARTTLS' "a key file with mode 0644: STARTTLS not offered"
is "$(codes "$out")" "220 250 454 221" "a key file with mode 0644: STARTTLS -> 454"
like "$out" '^454 4\.7\.0 TLS not available$' "454 4.7.0 TLS not available"
logged "STARTTLS=server: ServerKeyFile $T/key644\\.pem: unsafe mode 0644 .*; STARTTLS not offered" \
    "log: the unsafe key file is named"

out=$(printf 'EHLO c\r\nSTARTTLS\r\nEHLO c\r\nSTARTTLS\r\nQUIT\r\n' | raw "$PORT_prio")
is "$(codes "$out")" "220 250 454 250 454 221" \
    "a bad TLSPriority: STARTTLS -> 454 and the session goes on in the clear"
is "$(printf '%s\n' "$out" | grep -c '^250.STARTTLS$')" 1 \
    "after the failure STARTTLS is no longer offered"
logged 'STARTTLS=server, error: TLSPriority "NO-SUCH-KEYWORD": .*relay=\[127\.0\.0\.1\]' \
    "log: why TLS is not available"

# --- GnuTLS is loaded only by a session that says STARTTLS -------------------------
py "$PORT_tls" >"$T/maps.out" 2>&1 <<'PY'
import sys
from smtpclient import Conn, maps
port = int(sys.argv[1])
c = Conn(port)
c.reply()
c.cmd("EHLO plain.example")
c.cmd("MAIL FROM:<a@example.org>")
c.cmd("RCPT TO:<root@localhost>")
c.cmd("DATA")
c.send(b"Subject: in the clear\r\n\r\nbody\r\n.\r\n")
print("plainmsg=" + c.reply()[-1])
pid = c.session_pid()
m = maps(pid) if pid else ""
print("plainlibc=%s" % ("libc.so" in m))
print("plaingnutls=%s" % ("libgnutls" in m))
c.cmd("QUIT")
c = Conn(port)
c.reply()
c.cmd("EHLO x")
c.cmd("STARTTLS")
c.starttls()
c.cmd("EHLO y")
pid = c.session_pid()
m = maps(pid) if pid else ""
print("tlsgnutls=%s" % ("libgnutls.so.30" in m))
c.cmd("QUIT")
PY
out=$(cat "$T/maps.out")
like "$out" '^plainmsg=250 2\.0\.0 ' "a whole transaction in the clear"
like "$out" '^plainlibc=True$' "its /proc/PID/maps is read (libc is there)"
like "$out" '^plaingnutls=False$' "a session that never says STARTTLS never maps libgnutls"
like "$out" '^tlsgnutls=True$' "a session that says STARTTLS maps libgnutls.so.30"

# The sessions wrote nothing to stderr (no sanitizer report under
# SANITIZE=1); their exits were 0, or 76 after a failed handshake.
is "$(ssa_errors '0|76')" "" "the sessions wrote nothing to stderr"

done_testing
