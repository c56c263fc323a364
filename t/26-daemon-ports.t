#!/bin/sh
# 26-daemon-ports.t - DaemonPortOptions entries give each listening
# address its own rules, and a session finds its entry by its socket's
# local address, whoever accepted the connection: the -bD listener (which
# binds every entry) or an activator (systemd-socket-activate --inetd
# here, as the units for ports 25 and 587 will).  Name= becomes the qf's
# ${daemon_name} and the log's daemon=; M= letters: a (AUTH before MAIL,
# the MSA's "M=Ea"), A (no AUTH), S (no STARTTLS), f (fully qualified
# addresses only), O (the listener goes on without an entry it cannot
# bind).  A bad entry stops a session with 421 before anything is read.
. "${0%/*}/lib.sh"
export LC_ALL=C

need_root "(RunAsUser, the listener)"
need_cmd systemd-socket-activate openssl saslpasswd2
setup
LOG="$T/syslog.txt"
: >"$LOG"
LOG_TAG=sm-ports

make_cert
make_sasldb
printf 'postmaster: root\n' >"$T/aliases"

P_MTA=$(free_port)
P_MSA=$(free_port)
P_STRICT=$(free_port)
P_GONE=$(free_port)
P_SMTPS=$(free_port)
# AuthOptions empty: AUTH is offered in the clear too, so that a plain
# client can show where it is and is not offered.
write_cf "$T/ports.cf" "O ServerCertFile=$T/cert.pem" \
    "O ServerKeyFile=$T/key.pem" "O AuthSasldbPath=$T/sasldb" \
    "O AuthOptions=" \
    "O DaemonPortOptions=Name=MTA, Port=$P_MTA, Addr=127.0.0.1" \
    "O DaemonPortOptions=Family=inet, Name=MSA, Port=$P_MSA, M=Ea" \
    "O DaemonPortOptions=Name=STRICT, Port=$P_STRICT, Addr=127.0.0.1, M=fSA" \
    "O DaemonPortOptions=Name=GONE, Port=$P_GONE, Addr=192.0.2.77, M=O" \
    "O DaemonPortOptions=Name=SMTPS, Port=$P_SMTPS, Addr=127.0.0.1, M=s"
"$SM" -bi -C "$T/ports.cf" >/dev/null || bail "newaliases failed"

bg python3 "$T_DIR/withsyslog.py" "$LOG" "$SM" -bD -L "$LOG_TAG" \
    -C "$T/ports.cf" >"$T/bd.out" 2>&1
for p in $P_MTA $P_MSA $P_STRICT $P_SMTPS; do
	wait_port $p || bail "the listener does not listen on $p: $(cat "$T/bd.out")"
done
logged "cannot listen on 192\\.0\\.2\\.77 port $P_GONE: .*\\(M=O: going on without it\\)" \
    "M=O: an entry that cannot be bound is logged and skipped"

PLAIN=$(printf 'user\0user\0secret' | base64 -w0)
# msg FROM TO: a transaction, then QUIT, each command after the reply to
# the one before (smtpraw.py's <<WAIT>>), so that DATA's text follows 354.
msg() {
	printf 'MAIL FROM:<%s>\r\n<<WAIT>>\nRCPT TO:<%s>\r\n<<WAIT>>\nDATA\r\n<<WAIT>>\nSubject: ports\r\n\r\nhi\r\n.\r\n<<WAIT>>\nQUIT\r\n' "$1" "$2"
}
ehlo_has() { printf '%s\n' "$1" | tr -d '\r' | grep -q "^250.$2\$"; }

# --- the MTA entry: everything offered, no AUTH needed ---------------------------
out=$( { printf 'EHLO c\r\n<<WAIT>>\n'; msg a@example.org root@localhost; } | raw $P_MTA)
ehlo_has "$out" "STARTTLS" && ehlo_has "$out" "AUTH PLAIN LOGIN"
ok $? "MTA entry: EHLO offers STARTTLS and AUTH"
id=$(qid_of "$(printf '%s\n' "$out" | tr -d '\r')")
[ -n "$id" ] && grep -qx '\${daemon_name}MTA' "$Q/qf$id"
ok $? "MTA entry: a message is accepted, its qf says \${daemon_name}MTA"
logged "$id: from=<a@example\\.org>, .*proto=ESMTP, daemon=MTA, relay=localhost \\[127\\.0\\.0\\.1\\]\$" \
    "MTA entry: the from= line says daemon=MTA before relay="

# --- the MSA entry, M=Ea: AUTH first ------------------------------------------------
out=$( { printf 'EHLO c\r\n<<WAIT>>\n'; msg a@example.org root@localhost; } | raw $P_MSA | tr -d '\r')
like "$out" '^530 5\.7\.0 Authentication required$' "MSA (M=a): MAIL before AUTH -> 530 5.7.0"
unlike "$out" '^250 2\.0\.0 ' "MSA (M=a): nothing accepted without AUTH"
logged "NOQUEUE: from=<a@example\\.org>, relay=.*reject=530 5\\.7\\.0 Authentication required" \
    "MSA (M=a): the refusal is logged"
out=$( { printf 'EHLO c\r\n<<WAIT>>\nAUTH PLAIN %s\r\n<<WAIT>>\n' "$PLAIN"; msg u@example.org someone@other.example; } |
    raw $P_MSA | tr -d '\r')
like "$out" '^235 ' "MSA: AUTH PLAIN -> 235"
id=$(qid_of "$out")
[ -n "$id" ] && grep -qx '\${daemon_name}MSA' "$Q/qf$id"
ok $? "MSA: after AUTH a message (relayed) is accepted, qf \${daemon_name}MSA"
logged "$id: from=<u@example\\.org>, .*proto=ESMTPA, daemon=MSA, relay=" \
    "MSA: the from= line says proto=ESMTPA, daemon=MSA"

# --- M=fSA ---------------------------------------------------------------------------
out=$(printf 'EHLO c\r\nSTARTTLS\r\nAUTH PLAIN %s\r\nMAIL FROM:<user>\r\nMAIL FROM:<u@example.org>\r\nRCPT TO:<root>\r\nRCPT TO:<Postmaster>\r\nRCPT TO:<root@localhost>\r\nQUIT\r\n' "$PLAIN" |
    raw $P_STRICT | tr -d '\r')
ehlo_has "$out" STARTTLS || ehlo_has "$out" "AUTH PLAIN LOGIN"
ok $((! $?)) "M=SA: EHLO offers neither STARTTLS nor AUTH"
like "$out" '^502 5\.5\.1 STARTTLS not offered$' "M=S: STARTTLS -> 502"
like "$out" '^503 5\.3\.3 AUTH not available$' "M=A: AUTH -> 503"
like "$out" '^553 5\.5\.4 <user>\.\.\. Domain name required for sender address user$' \
    "M=f: an unqualified sender -> 553 5.5.4"
like "$out" '^250 2\.1\.0 <u@example\.org>' "M=f: a qualified sender -> 250"
like "$out" '^553 5\.5\.4 <root>\.\.\. Domain name required$' "M=f: an unqualified recipient -> 553 5.5.4"
like "$out" '^250 2\.1\.5 <Postmaster>' "M=f: <Postmaster> alone is still fine (RFC 5321 4.5.1)"
like "$out" '^250 2\.1\.5 <root@localhost>' "M=f: a qualified recipient -> 250"

# --- M=s: SMTPS (RFC 8314), TLS before the banner -------------------------------
out=$(swaks_at "$P_SMTPS" --tls-on-connect \
    --from a@example.org --to root@localhost --header "Subject: smtps")
ok $? "M=s: swaks --tls-on-connect delivers"
like "$out" '^<~  220 mx\.test\.example ESMTP' "M=s: the banner comes inside TLS"
unlike "$out" '^<~  250.STARTTLS' "M=s: STARTTLS is not offered inside TLS"
id=$(printf '%s\n' "$out" | sed -n 's/^<~  250 2\.0\.0 \([A-Za-z0-9]*\) Message accepted.*/\1/p')
[ -n "$id" ] && grep -qx '\$rESMTPS' "$Q/qf$id" && grep -qx '\${daemon_name}SMTPS' "$Q/qf$id"
ok $? "M=s: the qf says \$rESMTPS and \${daemon_name}SMTPS"
like "$(received "$Q/qf$id" | tr '\n' ' ')" '\(version=TLSv1\.[23] cipher=[^ ]+ bits=[0-9]+ verify=NOT\)' \
    "M=s: Received: has the TLS clause"
logged "STARTTLS=server, relay=\[127\.0\.0\.1\], version=TLSv1\.[23], verify=NOT" \
    "M=s: the handshake is logged as for STARTTLS"
nfail() { grep -c 'STARTTLS=server, error: accept failed=' "$LOG"; }
more_fails() { [ "$(nfail)" -gt "$before" ]; }
before=$(nfail)
out=$(printf 'EHLO c\r\nQUIT\r\n' | raw -n -w 5 $P_SMTPS | tr -d '\r')
unlike "$out" '^[0-9][0-9][0-9][ -]' "M=s: a client speaking plain SMTP gets no reply in the clear"
wait_for 5 more_fails
ok $((! ($(nfail) > before))) "M=s: and its failed handshake is logged"

# --- the same cf under an activator: the session finds its entry itself -------------
# ssa CF PORT: stop the servers, serve CF on PORT by systemd-socket-activate
ssa() {
	stop_bg
	start_logged_server ssa "$1" "$2"
}
ssa "$T/ports.cf" $P_MSA
out=$( { printf 'EHLO c\r\n<<WAIT>>\n'; msg a@example.org root@localhost; } | raw $P_MSA | tr -d '\r')
like "$out" '^530 5\.7\.0 Authentication required$' \
    "under systemd-socket-activate --inetd the MSA port's session applies M=a (by getsockname)"

# M=s without a certificate: nothing to speak with; close, say why.
write_cf "$T/nocert.cf" "O DaemonPortOptions=Name=SMTPS, Port=$P_SMTPS, M=s"
ssa "$T/nocert.cf" $P_SMTPS
out=$(printf 'EHLO c\r\nQUIT\r\n' | raw -n -w 5 $P_SMTPS | tr -d '\r')
is "$out" "" "M=s without ServerCertFile: the connection is closed, nothing said"
logged "SYSERR: SMTPS \(M=s\) on 127\.0\.0\.1 port $P_SMTPS needs ServerCertFile and ServerKeyFile" \
    "and the log says what is missing"

# --- a bad entry ---------------------------------------------------------------------
write_cf "$T/bad.cf" "O DaemonPortOptions=Name=MSA, Port=$P_MSA, M=Z"
ssa "$T/bad.cf" $P_MSA
out=$(printf 'EHLO c\r\nQUIT\r\n' | raw $P_MSA | tr -d '\r')
is "$out" "421 4.3.0 mx.test.example Service not available, try again later" \
    "a bad DaemonPortOptions entry: 421 at once, nothing read"
logged "SYSERR: DaemonPortOptions: bad M=Z" "and the log names the entry's fault"
out=$("$SM" -bD -C "$T/bad.cf" 2>&1)
is "$?" 78 "the listener refuses a bad entry with EX_CONFIG (78)"
like "$out" 'DaemonPortOptions: bad M=Z' "and says which"

done_testing
