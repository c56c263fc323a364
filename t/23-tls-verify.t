#!/bin/sh
# 23-tls-verify.t - client certificates at STARTTLS, as sendmail 8.17.
#
# A private CA (root's, mode 0600: the session opens CACertFile before it
# drops to smmta) signs a client certificate; a self-signed one, one
# for servers only (serverAuth) and one with an odd subject are made too.
# Real clients (Python's ssl through t/smtpclient.py, swaks --tls-cert)
# present them to servers with CACertFile, CACertPath, neither,
# TLSSrvOptions=V, a missing and a useless CACertFile, and the tests
# check ${verify} (OK, FAIL, NO, NOT) in the STARTTLS= log line and the
# Received: header, the cert-subject/cert-issuer line (sendmail's xtext:
# the odd subject is written as the real sendmail 8.17 wrote it for the
# same certificate), which descriptors a session holds, and relaying by
# certificate: a stranger (in a network namespace, as t/22) may relay
# with the access map's CERTISSUER:<issuer> RELAY, or SUBJECT and
# CERTSUBJECT:<subject> RELAY, and only with a certificate that verified;
# a map that could not be read at the handshake makes that 451, not 550.
. "${0%/*}/lib.sh"
export LC_ALL=C

need_root "(RunAsUser, a network namespace)"
need_cmd systemd-socket-activate openssl swaks ip
setup
LOG="$T/syslog.txt"
: >"$LOG"

# --- certificates ---------------------------------------------------------------
make_cert	# the server's: $T/cert.pem, $T/key.pem
ossl() { openssl "$@" >>"$T/openssl.log" 2>&1 || bail "openssl $1: $(tail -3 "$T/openssl.log")"; }
EC="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
# shellcheck disable=SC2086
ossl req -x509 $EC -keyout "$T/ca-key.pem" -out "$T/ca.pem" \
    -subj "/C=US/O=Sockmail Test (CA)/CN=Sockmail Test CA" \
    -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign
# signed NAME SUBJECT EKU: $T/NAME.pem and $T/NAME-key.pem, signed by the CA
signed() {
	# shellcheck disable=SC2086
	ossl req -new -utf8 $EC -keyout "$T/$1-key.pem" -out "$T/$1.csr" -subj "$2"
	printf 'extendedKeyUsage=%s\n' "$3" >"$T/$1.ext"
	ossl x509 -req -in "$T/$1.csr" -CA "$T/ca.pem" -CAkey "$T/ca-key.pem" \
	    -CAcreateserial -days 2 -out "$T/$1.pem" -extfile "$T/$1.ext"
}
signed good "/O=Client Org/CN=client.example" clientAuth
signed other "/O=Client Org/CN=other.example" clientAuth
signed srvonly "/CN=serveronly.example" serverAuth
signed odd "/C=US/O=Ex\\+ample <x>/OU=a+OU=b/CN=Tést client.example" clientAuth
signed nocn "/O=No CN Org" clientAuth
# shellcheck disable=SC2086
ossl req -x509 $EC -keyout "$T/self-key.pem" -out "$T/self.pem" \
    -subj "/CN=stranger.example"
chmod 600 "$T"/*-key.pem "$T/ca.pem"
mkdir -m 755 "$T/cadir" "$T/emptydir"
cp "$T/ca.pem" "$T/cadir/private-ca.pem"
chmod 644 "$T/cadir/private-ca.pem"
printf 'not a certificate\n' >"$T/cadir/junk.crt"
printf 'not a certificate\n' >"$T/garbage.pem"

# sendmail's ${cert_issuer} and ${cert_subject}: X509_NAME_oneline, xtext
ISSUER='/C=US/O=Sockmail+20Test+20+28CA+29/CN=Sockmail+20Test+20CA'
GOOD='/O=Client+20Org/CN=client.example'

# --- configurations and the access map ---------------------------------------------
TLS="O ServerCertFile=$T/cert.pem
O ServerKeyFile=$T/key.pem"
ln -s "$SM" "$T/makemap"
printf 'CERTISSUER:%s\tRELAY\n' "$ISSUER" >"$T/access.txt"
printf 'CERTISSUER:%s\tSUBJECT\nCERTSUBJECT:%s\tRELAY\n' "$ISSUER" "$GOOD" \
    >"$T/subject.txt"
for m in access subject; do
	# -f: certificate names are compared exactly, case kept
	"$T/makemap" -f hash "$T/$m" <"$T/$m.txt" 2>"$T/mm.err" ||
	    bail "makemap $m: $(cat "$T/mm.err")"
done
write_cf "$T/ca.cf" "$TLS" "O CACertFile=$T/ca.pem"
write_cf "$T/capath.cf" "$TLS" "O CACertPath=$T/cadir"
write_cf "$T/noca.cf" "$TLS"
write_cf "$T/vflag.cf" "$TLS" "O CACertFile=$T/ca.pem" "O TLSSrvOptions=V"
write_cf "$T/missing.cf" "$TLS" "O CACertFile=$T/nonexistent.pem"
write_cf "$T/garbage.cf" "$TLS" "O CACertFile=$T/garbage.pem" \
    "O CACertPath=$T/emptydir"
write_cf "$T/relay.cf" "$TLS" "O CACertFile=$T/ca.pem" "Kaccess hash $T/access"
write_cf "$T/subj.cf" "$TLS" "O CACertFile=$T/ca.pem" "Kaccess hash $T/subject"
write_cf "$T/vrelay.cf" "$TLS" "O CACertFile=$T/ca.pem" "O TLSSrvOptions=V" \
    "Kaccess hash $T/access"
# late: the map appears only after the handshake (see below)
write_cf "$T/late.cf" "$TLS" "O CACertFile=$T/ca.pem" "Kaccess hash $T/late"
make_aliases "$T/ca.cf" "postmaster: root"

LOG_TAG=sm-tlsv		# t/lib.sh: start_logged_server, logged
for c in ca capath noca vflag missing garbage; do start_logged_server "$c"; done

# The client: banner, EHLO, STARTTLS with CERT KEY (or none), EHLO, one
# message to RCPT; prints the session's pid, the descriptors it holds on
# FILE before and after STARTTLS, and the replies.
cat >"$T/vclient.py" <<'PY'
import os, sys
from smtpclient import Conn
port, cert, key, rcpt, watch = sys.argv[1:6]
host, src = (sys.argv[6], sys.argv[7]) if len(sys.argv) > 7 else ("127.0.0.1", None)

def holds(pid):
    n = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            n += os.readlink("/proc/%d/fd/%s" % (pid, fd)) == watch
        except OSError:
            pass
    return n

c = Conn(int(port), host=host, src=src)
c.reply()
c.cmd("EHLO c.example")
pid = c.session_pid() if src is None else None
print("pid=%s" % pid)
if pid:
    print("before=%d" % holds(pid))
print("starttls=" + c.last("STARTTLS"))
c.starttls(cert or None, key or None)
c.cmd("EHLO c.example")
if pid:
    print("after=%d" % holds(pid))
c.last("MAIL FROM:<s@example.org>")
r = c.last("RCPT TO:<%s>" % rcpt)
print("rcpt=" + r)
if r.startswith("250"):
    c.last("DATA")
    c.send(b"Subject: client certificate\r\n\r\nbody\r\n.\r\n")
    print("end=" + c.reply()[-1])
print("quit=" + c.last("QUIT"))
PY
# client NAME PORT CERT RCPT [WATCHED-FILE]: vclient.py with $T/CERT.pem
# (CERT "": none); OUT, PID and the queue ID are set.
client() {
	_c="" _k=""
	[ -n "$3" ] && _c="$T/$3.pem" _k="$T/$3-key.pem"
	py "$2" "$_c" "$_k" "$4" "${5:--}" <"$T/vclient.py" >"$T/$1.out" 2>&1
	OUT=$(cat "$T/$1.out")
	PID=$(printf '%s\n' "$OUT" | sed -n 's/^pid=//p')
	ID=$(printf '%s\n' "$OUT" | sed -n 's/^end=250 2\.0\.0 \([A-Za-z0-9]*\) .*/\1/p')
}
# tlsline PID TEXT DESCRIPTION: the session PID logged the line TEXT, exactly.
tlsline() {
	wait_log "$LOG_TAG\\[$1\\]: STARTTLS=server, " >/dev/null
	sed -n "s/^.*$LOG_TAG\\[$1\\]: //p" "$LOG" | grep -qxF -- "$2"
	ok $? "$3"
	sed -n "s/^.*$LOG_TAG\\[$1\\]: //p" "$LOG" | grep -qxF -- "$2" ||
	    sed -n "s/^.*$LOG_TAG\\[$1\\]: /#   log: /p" "$LOG"
}
# verified PID VERIFY: the session's STARTTLS= line says verify=VERIFY.
verified() {
	logged "$LOG_TAG\\[$1\\]: STARTTLS=server, relay=\\[127\\.0\\.0\\.1\\], version=TLSv1\\.[23], verify=$2, cipher=[A-Z0-9_]+, bits=[0-9]+/[0-9]+\$" \
	    "${3:-log: STARTTLS=server, relay=, version=, verify=$2, cipher=, bits=}"
}
# rcvd ID VERIFY: the Received: header's TLS clause says verify=VERIFY.
rcvd() {
	like "$(received "$Q/qf$1" 2>/dev/null | sed -n 3p)" \
	    "^	\\(version=TLSv1\\.[23] cipher=[A-Z0-9_]+ bits=[0-9]+ verify=$2\\)\$" \
	    "${3:-Received: (version= cipher= bits= verify=$2)}"
}
certline() {	# PID SUBJECT ISSUER VERIFYMSG
	tlsline "$1" "STARTTLS=server, cert-subject=$2, cert-issuer=$3, verifymsg=$4" \
	    "log: STARTTLS=server, cert-subject=$2, cert-issuer=..., verifymsg=$4"
}

# --- CACertFile: a certificate it signed -> OK -----------------------------------
client good "$PORT_ca" good root@localhost "$T/ca.pem"
like "$OUT" '^starttls=220 2\.0\.0 ' "CACertFile: STARTTLS -> 220"
like "$OUT" '^end=250 2\.0\.0 ' "a client certificate the CA signed: the message is accepted"
is "$(printf '%s\n' "$OUT" | sed -n 's/^before=//p')" 1 \
    "before STARTTLS the session holds CACertFile open (opened before the drop, mode 0600)"
is "$(printf '%s\n' "$OUT" | sed -n 's/^after=//p')" 0 "after STARTTLS it is closed"
rcvd "$ID" OK "Received: ... verify=OK"
verified "$PID" OK
certline "$PID" "$GOOD" "$ISSUER" ok
unlike "$(grep "$LOG_TAG\\[$PID\\]" "$LOG")" 'field=cn_subject' "a CN: nothing said of it"
grep -q "^\\\$rESMTPS\$" "$Q/qf$ID"
ok $? "the qf's protocol is ESMTPS"

# --- FAIL: self-signed, and a certificate for servers only ---------------------------
client self "$PORT_ca" self root@localhost
like "$OUT" '^end=250 2\.0\.0 ' "a self-signed client certificate: the session goes on, the message is accepted"
rcvd "$ID" FAIL "Received: ... verify=FAIL (self-signed)"
verified "$PID" FAIL "log: verify=FAIL for the self-signed certificate"
certline "$PID" /CN=stranger.example /CN=stranger.example "self-signed certificate"

client srvonly "$PORT_ca" srvonly root@localhost
rcvd "$ID" FAIL "Received: ... verify=FAIL (serverAuth only)"
certline "$PID" /CN=serveronly.example "$ISSUER" "unsuitable certificate purpose"

# --- NO: asked, none presented ----------------------------------------------------
client none "$PORT_ca" "" root@localhost
like "$OUT" '^end=250 2\.0\.0 ' "no client certificate: the message is accepted"
rcvd "$ID" NO "Received: ... verify=NO"
verified "$PID" NO
unlike "$(grep "$LOG_TAG\\[$PID\\]" "$LOG")" 'cert-subject=' "no certificate: no cert-subject line"

# --- the subject, written as sendmail writes it ---------------------------------------
client odd "$PORT_ca" odd root@localhost
# what sendmail 8.17.1.9 (Debian 12, OpenSSL 3) logged for this subject
certline "$PID" '/C=US/O=Ex+5C+2Bample+20+3Cx+3E/OU=a+2BOU=b/CN=T+5CxC3+5CxA9st+20client.example' \
    "$ISSUER" ok

client nocn "$PORT_ca" nocn root@localhost
rcvd "$ID" OK "a certificate without a CN verifies: verify=OK"
tlsline "$PID" "STARTTLS=server, relay=[127.0.0.1], field=cn_subject, status=failed to extract CN" \
    "log: its CN could not be extracted (sendmail's line)"
certline "$PID" "/O=No+20CN+20Org" "$ISSUER" ok

# --- swaks --tls-cert -------------------------------------------------------------
out=$(swaks_at "$PORT_ca" --to root@localhost \
    --from tester@example.org --tls --tls-cert "$T/good.pem" \
    --tls-key "$T/good-key.pem" --body 'sent by swaks with a client certificate')
ok $? "swaks --tls --tls-cert delivers"
rcvd "$(qid_of "$out")" OK "swaks: Received: ... verify=OK"

# --- CACertPath: the directory, read at STARTTLS -----------------------------------
client capath "$PORT_capath" good root@localhost "$T/cadir"
is "$(printf '%s\n' "$OUT" | sed -n 's/^before=//p')" 0 \
    "CACertPath: the directory is not opened before STARTTLS"
rcvd "$ID" OK "CACertPath: Received: ... verify=OK"
certline "$PID" "$GOOD" "$ISSUER" ok
logged "$LOG_TAG\\[$PID\\]: STARTTLS=server: CACertPath $T/cadir: 1 of 2 files not usable \\(file junk\\.crt: .*\\), relay=\\[127\\.0\\.0\\.1\\]\$" \
    "CACertPath: a file without a certificate is logged"

# --- NOT: no CA, TLSSrvOptions=V ------------------------------------------------------
client noca "$PORT_noca" good root@localhost "$T/ca.pem"
is "$(printf '%s\n' "$OUT" | sed -n 's/^before=//p')" 0 "no CACertFile: no file held"
rcvd "$ID" NOT "no CA: Received: ... verify=NOT"
verified "$PID" NOT "log: no CA: verify=NOT"
unlike "$(grep "$LOG_TAG\\[$PID\\]" "$LOG")" 'cert-subject=' "no CA: no certificate asked for, none seen"

client vflag "$PORT_vflag" good root@localhost "$T/ca.pem"
is "$(printf '%s\n' "$OUT" | sed -n 's/^before=//p')" 0 "TLSSrvOptions=V: CACertFile is not even opened"
rcvd "$ID" NOT "TLSSrvOptions=V: Received: ... verify=NOT"
verified "$PID" NOT "log: TLSSrvOptions=V: verify=NOT"

# --- a CACertFile that is missing or holds no certificate ------------------------------
client missing "$PORT_missing" good root@localhost
like "$OUT" '^starttls=220 2\.0\.0 ' "a missing CACertFile: STARTTLS still works"
like "$OUT" '^end=250 2\.0\.0 ' "... and so does the session"
rcvd "$ID" NOT "a missing CACertFile: verify=NOT"
tlsline "$PID" "STARTTLS=server: CACertFile $T/nonexistent.pem: No such file or directory; no CA certificate, no client certificate requested, relay=[127.0.0.1]" \
    "log: the missing CACertFile is named, and that no certificate is requested"

client garbage "$PORT_garbage" good root@localhost
like "$OUT" '^end=250 2\.0\.0 ' "a CACertFile without a certificate: the session works"
rcvd "$ID" NOT "... verify=NOT"
tlsline "$PID" "STARTTLS=server: CACertFile $T/garbage.pem: no certificate in it; CACertPath $T/emptydir: no *.pem or *.crt file; no CA certificate, no client certificate requested, relay=[127.0.0.1]" \
    "log: the useless CACertFile and CACertPath are named"

# --- sendmail -bC: TLSSrvOptions is implemented, its C is not ------------------------
write_cf "$T/c.cf" "O TLSSrvOptions=V, C"
"$SM" -bC -C "$T/vflag.cf" >/dev/null 2>"$T/bc.err"
is "$?:$(cat "$T/bc.err")" "0:" "-bC: TLSSrvOptions=V is not reported"
"$SM" -bC -C "$T/c.cf" >/dev/null 2>"$T/bc.err"
is "$(cat "$T/bc.err")" "sendmail: $T/c.cf: option TLSSrvOptions=C is not implemented (ignored)" \
    "-bC: TLSSrvOptions=C is reported as not implemented"

# --- relaying by certificate: a stranger (network namespace) ---------------------------
SERVER=192.0.2.1
STRANGER=198.51.100.7
netns_up $SERVER $STRANGER
port=2525
for c in relay subj vrelay late; do
	ns_server "$c" "$T/log-$c" "$SERVER:$port" "$T/$c.cf"
	eval "PORT_$c=$port"
	port=$((port + 1))
done
# stranger NAME CFNAME CERT: from 198.51.100.7, RCPT to a foreign domain
stranger() {
	eval _p=\$PORT_$2
	_k=""
	[ -n "$3" ] && _k="$T/$3-key.pem"
	ip netns exec "$NS" env PYTHONPATH="$T:$T_DIR" timeout 60 python3 - \
	    "$_p" "${3:+$T/$3.pem}" "$_k" user@other.example - "$SERVER" \
	    "$STRANGER" <"$T/vclient.py" >"$T/$1.out" 2>&1
	OUT=$(cat "$T/$1.out")
}
stranger snone relay ""
like "$OUT" '^rcpt=550 5\.7\.1 <user@other\.example>\.\.\. Relaying denied' \
    "a stranger inside TLS without a certificate: 550 5.7.1 Relaying denied"
stranger sgood relay good
like "$OUT" '^rcpt=250 2\.1\.5 ' "with the certificate CERTISSUER: names (RELAY): it may relay"
like "$OUT" '^end=250 2\.0\.0 ' "... the message is accepted"
grep -qF "STARTTLS=server, relay=[$STRANGER], access=CERTISSUER:$ISSUER, relaying allowed by the client certificate" "$T/log-relay"
ok $? "log: relaying allowed by the client certificate, and the access entry"
grep -q "STARTTLS=server, relay=\\[$STRANGER\\], version=TLSv1\\.[23], verify=OK, " "$T/log-relay"
ok $? "log: the stranger's verify=OK"
stranger sself relay self
like "$OUT" '^rcpt=550 5\.7\.1 ' "a self-signed certificate (verify=FAIL): 550 5.7.1"
stranger ssrv relay srvonly
like "$OUT" '^rcpt=550 5\.7\.1 ' "the CA's certificate for servers only (verify=FAIL): 550 5.7.1"
stranger ssgood subj good
like "$OUT" '^rcpt=250 2\.1\.5 ' "CERTISSUER: SUBJECT and CERTSUBJECT: RELAY for its subject: it may relay"
stranger ssother subj other
like "$OUT" '^rcpt=550 5\.7\.1 ' "... the same CA's certificate for another subject: 550 5.7.1"
stranger svgood vrelay good
like "$OUT" '^rcpt=550 5\.7\.1 ' "TLSSrvOptions=V: no certificate asked for, no relaying by it"
grep -q "STARTTLS=server, relay=\\[$STRANGER\\], version=TLSv1\\.[23], verify=NOT, " "$T/log-vrelay"
ok $? "... verify=NOT"

# The map cannot be read at the handshake, then can: the certificate's
# right to relay is unknown, so a foreign recipient gets 451, not 550.
ip netns exec "$NS" env PYTHONPATH="$T:$T_DIR" timeout 60 python3 - \
    "$PORT_late" "$T" "$SERVER" "$STRANGER" >"$T/late.out" 2>&1 <<'PY'
import shutil, sys
from smtpclient import Conn
port, t, host, src = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
c = Conn(port, host=host, src=src)
c.reply()
c.cmd("EHLO c.example")
c.cmd("STARTTLS")
c.starttls(t + "/good.pem", t + "/good-key.pem")
c.cmd("EHLO c.example")
shutil.copy(t + "/access.db", t + "/late.db")
print("mail=" + c.last("MAIL FROM:<s@example.org>"))
print("rcpt=" + c.last("RCPT TO:<user@other.example>"))
print("quit=" + c.last("QUIT"))
PY
out=$(cat "$T/late.out")
like "$out" '^mail=250 ' "the access map readable again at MAIL: 250"
like "$out" '^rcpt=451 4\.3\.0 <user@other\.example>\.\.\. Temporary lookup failure$' \
    "the certificate's lookup had failed at the handshake: 451 4.3.0, not 550"
grep -q "NOQUEUE: to=<user@other\.example>, relay=\[$STRANGER\], reject=451 4\.3\.0 access map unavailable for the client certificate" "$T/log-late"
ok $? "log: why the recipient got 451"

# The sessions wrote nothing to stderr (no sanitizer report under SANITIZE=1).
is "$(ssa_errors)" "" "the sessions wrote nothing to stderr"

done_testing
