#!/bin/sh
# 38-review-cert.t - issue 15, items 2 and 9 (part): relaying by client
# certificate matches only the certificate's own name, and the AUTH
# password leaves no copy in the session's memory.
#
# Certificates: a private CA signs a trusted client certificate
# (/O=Org/CN=trusted), one whose subject adds a DC of 240 x's (its
# one-line form does not fit sendmail's 256 octets: once, the DC was
# dropped and the rest matched the trusted entry) and one whose subject
# differs in case only (/O=ORG/CN=TRUSTED).  A stranger (a network
# namespace, so that only the certificate can open relaying) presents
# each to a server whose access map says CERTISSUER:<CA> SUBJECT and
# CERTSUBJECT:/O=Org/CN=trusted RELAY: built with makemap -f (keys keep
# their case), only the trusted one relays; built with keys folded to
# lower case, none does (such a map cannot tell the trusted name from
# the forged one), and the log says to rebuild it with -f.
#
# AUTH: a session in the clear (AuthOptions empty) fails AUTH PLAIN with
# recognisable passwords on every path (initial response, challenge and
# response, LOGIN, undecodable base64), then succeeds, and stays open;
# its memory (/proc/PID/mem over every mapping, as root) then holds no
# password sent, neither decoded nor in base64.
. "${0%/*}/lib.sh"
export LC_ALL=C

need_root "(RunAsUser, a network namespace, /proc/PID/mem)"
need_cmd systemd-socket-activate openssl ip saslpasswd2
setup
LOG="$T/syslog.txt"
: >"$LOG"

# --- certificates -----------------------------------------------------------------
make_cert	# the server's
ossl() { openssl "$@" >>"$T/openssl.log" 2>&1 || bail "openssl $1: $(tail -3 "$T/openssl.log")"; }
EC="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
# shellcheck disable=SC2086
ossl req -x509 $EC -keyout "$T/ca-key.pem" -out "$T/ca.pem" \
    -subj "/O=Org CA/CN=Test CA" \
    -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign
signed() {	# signed NAME SUBJECT: $T/NAME.pem, $T/NAME-key.pem
	# shellcheck disable=SC2086
	ossl req -new $EC -keyout "$T/$1-key.pem" -out "$T/$1.csr" -subj "$2"
	printf 'extendedKeyUsage=clientAuth\n' >"$T/$1.ext"
	ossl x509 -req -in "$T/$1.csr" -CA "$T/ca.pem" -CAkey "$T/ca-key.pem" \
	    -CAcreateserial -days 2 -out "$T/$1.pem" -extfile "$T/$1.ext"
}
X240=$(printf '%240s' '' | tr ' ' x)
signed trusted "/O=Org/CN=trusted"
signed long "/O=Org/CN=trusted/DC=$X240"
signed upper "/O=ORG/CN=TRUSTED"
chmod 600 "$T"/*-key.pem "$T/ca.pem"
ISSUER='/O=Org+20CA/CN=Test+20CA'

# --- the maps and the configurations ----------------------------------------------------
ln -s "$SM" "$T/makemap"
printf 'CERTISSUER:%s\tSUBJECT\nCERTSUBJECT:/O=Org/CN=trusted\tRELAY\n' \
    "$ISSUER" >"$T/certs.txt"
# -f: keys keep their case; the To: entry shows the other keys still work
{ cat "$T/certs.txt"; printf 'To:open.example\tRELAY\n'; } >"$T/exact.txt"
"$T/makemap" -f hash "$T/exact" <"$T/exact.txt" 2>"$T/mm.err" ||
    bail "makemap -f: $(cat "$T/mm.err")"
"$T/makemap" hash "$T/folded" <"$T/certs.txt" 2>"$T/mm.err" ||
    bail "makemap: $(cat "$T/mm.err")"
TLS="O ServerCertFile=$T/cert.pem
O ServerKeyFile=$T/key.pem
O CACertFile=$T/ca.pem"
write_cf "$T/exact.cf" "$TLS" "Kaccess hash $T/exact"
write_cf "$T/folded.cf" "$TLS" "Kaccess hash $T/folded"

# --- relaying by certificate: a stranger -----------------------------------------------
SERVER=192.0.2.1
STRANGER=198.51.100.7
netns_up $SERVER $STRANGER
ns_server exact "$T/log-exact" "$SERVER:2525" "$T/exact.cf"
ns_server folded "$T/log-folded" "$SERVER:2526" "$T/folded.cf"
cat >"$T/cclient.py" <<'PY'
import sys
from smtpclient import Conn
port, cert, rcpt, host, src = sys.argv[1:6]
c = Conn(int(port), host=host, src=src)
c.reply()
c.cmd("EHLO c.example")
print("starttls=" + c.last("STARTTLS"))
c.starttls(cert + ".pem" if cert else None, cert + "-key.pem" if cert else None)
c.cmd("EHLO c.example")
c.last("MAIL FROM:<s@example.org>")
print("rcpt=" + c.last("RCPT TO:<%s>" % rcpt))
print("quit=" + c.last("QUIT"))
PY
# stranger PORT CERT [RCPT]: RCPT's reply (to user@other.example) in OUT
stranger() {
	ip netns exec "$NS" env PYTHONPATH="$T:$T_DIR" timeout 60 python3 - \
	    "$1" "${2:+$T/$2}" "${3:-user@other.example}" "$SERVER" \
	    "$STRANGER" <"$T/cclient.py" >"$T/out-$1-$2" 2>&1
	OUT=$(sed -n 's/^rcpt=//p' "$T/out-$1-$2")
	[ -n "$OUT" ] || OUT="(no reply: $(tail -2 "$T/out-$1-$2"))"
}
stranger 2525 trusted
like "$OUT" '^250 2\.1\.5 ' "makemap -f map: the trusted certificate relays"
grep -qF "relay=[$STRANGER], access=CERTSUBJECT:/O=Org/CN=trusted, relaying allowed by the client certificate" "$T/log-exact"
ok $? "... logged with the entry, in its own case"
stranger 2525 long
like "$OUT" '^550 5\.7\.1 ' "... a subject too long for its one-line form (/O=Org/CN=trusted/DC=240 x's) does not: 550"
grep -qF "cert-subject=BadCertificateTooLong, " "$T/log-exact"
ok $? "... its cert-subject is BadCertificateTooLong"
grep -qF "certificate subject does not fit in 255 octets" "$T/log-exact"
ok $? "... and the log says why"
stranger 2525 upper
like "$OUT" '^550 5\.7\.1 ' "... the same subject in other case (/O=ORG/CN=TRUSTED) does not: 550"
stranger 2525 "" user@open.example
like "$OUT" '^250 2\.1\.5 ' "... the map's To:open.example RELAY (tag as written) works with -f too"

stranger 2526 trusted
like "$OUT" '^550 5\.7\.1 ' "map folded to lower case: not even the trusted certificate relays"
grep -qF "matches the client certificate only with case ignored" "$T/log-folded"
ok $? "... the log says so"
grep -qF "makemap -f" "$T/log-folded"
ok $? "... and names the fix (makemap -f)"
stranger 2526 long
like "$OUT" '^550 5\.7\.1 ' "... the long subject does not relay"
stranger 2526 upper
like "$OUT" '^550 5\.7\.1 ' "... nor the upper-case one"

# --- AUTH: no copy of the password is left --------------------------------------------
PW=Kq7v-Pw-Zr9m-sockmail-3141
printf '%s\n' "$PW" | saslpasswd2 -p -f "$T/sasldb" -c -u mx.test.example pwuser ||
    bail "saslpasswd2 failed"
chgrp smmta "$T/sasldb" && chmod 640 "$T/sasldb" || bail "chgrp sasldb"
write_cf "$T/clear.cf" "O AuthSasldbPath=$T/sasldb" "O AuthOptions="
LOG_TAG=sm-t38
start_logged_server clear

cat >"$T/memscan.py" <<'PY'
import base64, re, sys

def b64(b):
    return base64.b64encode(b).decode()

CHUNK = 1 << 24

def scan(pid, needles):
    """How often each needle occurs in the memory of pid: every readable
    mapping of /proc/PID/maps, read through /proc/PID/mem in chunks that
    overlap by a needle's length.  Mappings of 4 GiB and more are
    reservations, not memory in use (a sanitizer's shadow)."""
    found = dict((n, 0) for n in needles)
    over = max(len(n) for n in needles)
    with open("/proc/%d/maps" % pid) as maps, \
            open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for line in maps:
            m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
            lo, hi, perm = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
            if perm[0] != "r" or "[vvar" in line or "[vsyscall" in line or \
                    hi - lo >= 1 << 32:
                continue
            tail = b""
            for at in range(lo, hi, CHUNK):
                try:
                    mem.seek(at)
                    data = tail + mem.read(min(CHUNK, hi - at))
                except OSError:
                    break
                for n in needles:
                    found[n] += data.count(n)
                # a match inside the overlap is counted again with the
                # next chunk: not now
                tail = data[-over:]
                if at + CHUNK < hi:
                    for n in needles:
                        found[n] -= tail.count(n)
    return found
PY
cat >"$T/aclient.py" <<'PY'
import sys
from smtpclient import Conn, b64
from memscan import scan
port, pw, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = Conn(port)
c.reply()
c.cmd("EHLO c.example")
pid = c.session_pid()
needles = {}
# What is looked for: the password (the right one with the user name
# before it: the sasldb holds it too), and the base64 without its first
# 12 characters (a later line may overwrite the start of a buffer).
def plain(p):
    blob = b"\0pwuser\0" + p.encode()
    needles["b64"] = b64(blob)[12:].encode()
    needles["decoded"] = p.encode() if p != pw else blob[1:]
    return b64(blob)
wrong = "Wr0ng-" + path + "-" + pw
if path == "ir":	# a wrong password as the initial response
    print("r=" + c.last("AUTH PLAIN " + plain(wrong)))
elif path == "resp":	# ... as the response to the (empty) challenge
    c.last("AUTH PLAIN")
    print("r=" + c.last(plain(wrong)))
elif path == "login":	# ... to LOGIN's second challenge
    c.last("AUTH LOGIN")
    c.last(b64(b"pwuser"))
    needles["decoded"] = wrong.encode()
    needles["b64"] = b64(wrong.encode())[8:].encode()
    print("r=" + c.last(b64(wrong.encode())))
elif path == "bad":	# not base64 at its end: refused before SASL sees it
    print("r=" + c.last("AUTH PLAIN " + plain(wrong) + "!"))
else:			# the right one
    print("r=" + c.last("AUTH PLAIN " + plain(pw)))
print("noop=" + c.last("NOOP"))
found = scan(pid, list(needles.values()))
print("found=%s" % " ".join("%s:%d" % (k, found[v])
    for k, v in sorted(needles.items())))
print("quit=" + c.last("QUIT"))
PY
# auth PATH: one session down PATH, then its memory; RES and FOUND set
auth() {
	PYTHONPATH="$T:$T_DIR" timeout 60 python3 "$T/aclient.py" \
	    "$PORT_clear" "$PW" "$1" >"$T/auth-$1.out" 2>&1
	RES=$(sed -n 's/^r=//p' "$T/auth-$1.out")
	FOUND=$(sed -n 's/^found=//p' "$T/auth-$1.out")
	[ -n "$FOUND" ] || FOUND="(no scan: $(tail -2 "$T/auth-$1.out"))"
}
auth ir
like "$RES" '^535 5\.7\.8 ' "AUTH PLAIN, a wrong password as initial response: 535"
is "$FOUND" "b64:0 decoded:0" "... no copy left, decoded or in base64"
auth resp
like "$RES" '^535 5\.7\.8 ' "AUTH PLAIN, a wrong password after the challenge: 535"
is "$FOUND" "b64:0 decoded:0" "... no copy left"
auth login
like "$RES" '^535 5\.7\.8 ' "AUTH LOGIN, a wrong password: 535"
is "$FOUND" "b64:0 decoded:0" "... no copy left"
auth bad
like "$RES" '^501 5\.5\.2 ' "AUTH PLAIN, an undecodable initial response: 501"
is "$FOUND" "b64:0 decoded:0" "... no copy left"
auth good
like "$RES" '^235 2\.0\.0 ' "AUTH PLAIN, the right password: 235"
is "$FOUND" "b64:0 decoded:0" "... no copy left"

is "$(ssa_errors)" "" "the sessions wrote nothing to stderr"

done_testing
