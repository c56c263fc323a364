#!/bin/sh
# 36-tls-defaults.t - the default STARTTLS settings, per port, as
# testssl.sh sees them (issue 15, item 8), and a client's renegotiation.
# Port 25 (opportunistic): every version GnuTLS's NORMAL allows, our
# cipher order.  Submission (M=a, 587, 465, Name=MSA): TLS 1.2 and 1.3,
# AEAD suites only.  doc/tls-defaults.md lists what testssl.sh reports.
. "${0%/*}/lib.sh"
setup
is_root || { echo "1..0 # SKIP needs root (RunAsUser)"; exit 0; }
need_cmd testssl
need_cmd openssl
make_cert
LOG=$T/log; LOG_TAG=sm; : > "$LOG"
write_cf "$T/mta.cf" "O ServerCertFile=$T/cert.pem" "O ServerKeyFile=$T/key.pem"
start_logged_server mta
P_MSA=$(free_port)
write_cf "$T/msa.cf" "O ServerCertFile=$T/cert.pem" "O ServerKeyFile=$T/key.pem" \
    "O DaemonPortOptions=Name=MSA, Port=$P_MSA, M=Ea" "O AuthOptions=p"
start_logged_server msa "$T/msa.cf" "$P_MSA"

# tssl NAME PORT: testssl.sh's findings as "id severity finding" lines.
tssl() {
	timeout 300 testssl --quiet --color 0 --warnings off --ip one \
	    --starttls smtp -p -P -s -R --jsonfile "$T/$1.json" \
	    "127.0.0.1:$2" >"$T/$1.txt" 2>&1
	python3 - "$T/$1.json" <<'PY'
import json, sys
for f in json.load(open(sys.argv[1])):
    print(f.get("id"), f.get("severity"), f.get("finding"))
PY
}
mta=$(tssl mta "$PORT_mta")
msa=$(tssl msa "$P_MSA")
printf '%s\n' "$mta" | sed 's/^/# port 25 (MTA): /'
printf '%s\n' "$msa" | sed 's/^/# submission: /'

like "$mta" '^TLS1_3 [A-Z]+ offered' "opportunistic: TLS 1.3 offered"
like "$mta" '^TLS1_2 [A-Z]+ offered' "opportunistic: TLS 1.2 offered"
like "$mta" '^TLS1 [A-Z]+ offered' "opportunistic: TLS 1.0 kept for old peers (better than clear text)"
like "$mta" '^cipher_order[^ ]* [A-Z]+ server' "opportunistic: the server's cipher order (%SERVER_PRECEDENCE)"
like "$msa" '^TLS1_3 [A-Z]+ offered' "submission: TLS 1.3 offered"
like "$msa" '^TLS1_2 [A-Z]+ offered' "submission: TLS 1.2 offered"
like "$msa" '^TLS1 [A-Z]+ not offered' "submission: TLS 1.0 not offered"
like "$msa" '^TLS1_1 [A-Z]+ not offered' "submission: TLS 1.1 not offered"
like "$msa" '^cipherlist_AVERAGE [A-Z]+ not offered' "submission: no CBC suites (testssl's AVERAGE)"
like "$msa" '^cipher_order[^ ]* [A-Z]+ server' "submission: the server's cipher order"
unlike "$msa" ' (HIGH|CRITICAL) ' "submission: no HIGH or CRITICAL finding"
unlike "$mta" ' CRITICAL ' "opportunistic: no CRITICAL finding"
like "$mta" '^secure_client_renego OK not vulnerable' "opportunistic: client-initiated renegotiation refused"
like "$msa" '^secure_client_renego OK not vulnerable' "submission: client-initiated renegotiation refused"

# A client's renegotiation (TLS 1.2; 1.3 has none) ends the session at
# once: it is not ignored, which would leave the client waiting.
t0=$(date +%s)
out=$( (sleep 2; echo R; sleep 3; printf 'EHLO after\r\n'; sleep 3) |
    timeout 20 openssl s_client -connect "127.0.0.1:$PORT_mta" -starttls smtp \
    -tls1_2 -crlf 2>&1)
rc=$?
t1=$(date +%s)
like "$out" 'RENEGOTIATING' "openssl s_client asked to renegotiate"
[ "$rc" -ne 124 ] && [ $((t1 - t0)) -lt 15 ]
ok $? "the session ended it, not left it waiting (rc $rc, $((t1 - t0)) s)"
unlike "$out" '250[ -]mx\.test\.example Hello.*after' "no command is served after the renegotiation request"
done_testing
