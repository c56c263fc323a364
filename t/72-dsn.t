#!/bin/sh
# 72-dsn.t - delivery status notifications read by a real MIME parser:
# dsn_test prints reports (src/mail/dsn.c) and Python's email package
# parses them; the parts, their content types and the RFC 3464 fields
# must come out as written, also when the original holds the boundary.
. "${0%/*}/lib.sh"
export LC_ALL=C
trap 'exit 1' INT TERM HUP PIPE

U="$SOCKMAIL_BUILD/t/dsn_test"
[ -x "$U" ] || bail "no $U: run make unit"
need_cmd python3

# summary KIND: what the parser finds in the report, one fact a line.
summary() {
	"$U" print "$1" | python3 -c '
import email, email.policy, sys
m = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.compat32)
def p(*a): print(*a)
p("type", m.get_content_type(), m.get_param("report-type"))
p("defects", len(m.defects) + sum(len(x.defects) for x in m.walk()))
p("to", m["To"]); p("subject", m["Subject"]); p("auto", m["Auto-Submitted"])
p("from", m["From"])
parts = m.get_payload()
p("parts", len(parts), *[x.get_content_type() for x in parts])
ds = parts[1].get_payload()
p("groups", len(ds))
for k in ("Original-Envelope-Id", "Reporting-MTA", "Received-From-MTA"):
    p(k, ds[0][k])
for g in ds[1:]:
    p("rcpt", g["Final-Recipient"], "|", g["Original-Recipient"], "|",
      g["Action"], g["Status"], "|", g["Diagnostic-Code"], "|",
      g["Will-Retry-Until"])
o = parts[2]
if o.get_content_type() == "message/rfc822":
    inner = o.get_payload()[0]
    p("original", inner["Subject"], repr(inner.get_payload()))
else:
    p("headers", repr(o.get_payload()[-40:]))
'
}

S=$(summary failure)
like "$S" '^type multipart/report delivery-status$' "a multipart/report of delivery-status"
like "$S" '^defects 0$' "the parser finds no defect"
like "$S" '^parts 3 text/plain message/delivery-status message/rfc822$' \
	"three parts: text, delivery-status, the original"
like "$S" '^to <alice@example.org>$' "To: the envelope sender"
like "$S" '^from Mail Delivery Subsystem <MAILER-DAEMON@mx.test.example>$' "From: MAILER-DAEMON"
like "$S" '^subject Returned mail: see transcript for details$' "sendmail's Subject"
like "$S" '^auto auto-replied$' "Auto-Submitted"
like "$S" '^groups 3$' "per-message fields and two recipients"
like "$S" '^Original-Envelope-Id env\+42$' "ENVID returned, xtext decoded"
like "$S" '^Reporting-MTA dns; mx.test.example$' "Reporting-MTA"
like "$S" '^Received-From-MTA dns; client.example.net$' "Received-From-MTA"
like "$S" '^rcpt rfc822; bob@example.com \| rfc822;bob\+x@example.com \| failed 5.1.1 \| smtp; 550 5.1.1 <bob@example.com>... User unknown \| None$' \
	"bob: ORCPT decoded, failed, 5.1.1, the diagnostic"
like "$S" '^rcpt rfc822; carol@example.com \| None \| failed 5.2.2 ' "carol: no ORCPT"
like "$S" "^original lunch 'Hello Bob,\\\\nsee you at noon.\\\\n'\$" "the original, whole"

S=$(summary hdrs)
like "$S" '^parts 3 text/plain message/delivery-status text/rfc822-headers$' \
	"RET=HDRS: text/rfc822-headers"
unlike "$S" 'Hello Bob' "RET=HDRS: no body"
like "$S" '^defects 0$' "RET=HDRS: no defect"

S=$(summary delay)
like "$S" '^subject Warning: could not send message for past 4 hours$' "delay: sendmail's Subject"
like "$S" '^rcpt rfc822; bob@example.com .* delayed 4.4.1 .*\| Sun, 19 Nov 2023 22:13:20 \+0000$' \
	"delay: Action delayed, Will-Retry-Until"

S=$(summary collide)
like "$S" '^parts 3 text/plain message/delivery-status message/rfc822$' \
	"the original holds the boundary: still three parts"
like "$S" "^original lunch 'x\\\\n--3ALnKD0y012346.1700014405/mx.test.example\\\\n\\\\nfake\\\\n--3ALnKD0y012346.1700014405/mx.test.example--\\\\n'\$" \
	"and the original comes back intact"
like "$S" '^defects 0$' "collision: no defect"

S=$(summary postmaster)
like "$S" '^to <postmaster@mx.test.example>$' "<> sender: the copy goes to the postmaster"
like "$S" '^subject Postmaster notify: see transcript for details$' "with sendmail's Subject"

done_testing
