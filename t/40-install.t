#!/bin/sh
# make install lays out the files of doc/DESIGN.md 3; unsafe configuration
# files are refused by a privileged sendmail.
. "${0%/*}/lib.sh"
setup

B=$(basename "$SOCKMAIL_BUILD")
S="$T/stage"
out=$(make -s -C "$SRC_DIR" install SANITIZE="${SANITIZE:-}" B="$B" DESTDIR="$S" PREFIX=/usr 2>&1)
ok $? "make install DESTDIR=... PREFIX=/usr succeeds"
[ -x "$S/usr/sbin/sendmail" ]; ok $? "sendmail installed in sbin"
is "$(stat -c %a "$S/usr/sbin/sendmail")" 2555 "sendmail is set-group-ID, never set-user-ID"
for l in usr/lib/sendmail usr/bin/mailq usr/bin/newaliases usr/sbin/makemap; do
	is "$(readlink "$S/$l")" ../sbin/sendmail "$l links to sendmail"
done
is "$(stat -c %a "$S/etc/mail/sendmail.cf")" 444 "sendmail.cf is read-only"
is "$(stat -c %a "$S/etc/mail/submit.cf")" 444 "submit.cf is read-only"
is "$(stat -c %a "$S/var/spool/mqueue")" 700 "mqueue is 0700"
is "$(stat -c %a "$S/var/spool/clientmqueue")" 770 "clientmqueue is 0770"
[ -f "$S/usr/share/man/man8/sendmail.8" ]; ok $? "man page installed"
# -bC also looks at the queue and aliases sessions would use: point it at
# the installed queue (and no aliases), which a packager hands to smmta.
# Its class files (Fw-o /etc/mail/local-host-names...) are the staged
# ones: a copy with /etc/mail/ moved to $S/etc/mail/, never the host's.
HERE="-O QueueDirectory=$S/var/spool/mqueue -O AliasFile="
ICF=$T/installed.cf
sed "s#/etc/mail/#$S/etc/mail/#g" "$S/etc/mail/sendmail.cf" >"$ICF"
if is_root; then
	"$S/usr/sbin/sendmail" -bC -C "$ICF" $HERE >/dev/null 2>"$T/err"
	is "$?" 78 "-bC: the installed queue still owned by root is a problem (sessions run as smmta)"
	like "$(cat "$T/err")" "queue directory is owned by uid 0, but sessions run as smmta \(uid $(id -u smmta)\) and cannot write to it; fix: chown smmta $S/var/spool/mqueue" \
	    "... named with the fix"
	chown smmta:smmta "$S/var/spool/mqueue"
fi
"$S/usr/sbin/sendmail" -bC -C "$ICF" $HERE >/dev/null 2>"$T/err"
ok $? "the installed sendmail.cf loads"
is "$(grep -c 'is not implemented' "$T/err")" 0 "and sockmail implements every option it sets"
is "$(grep -v 'is read and checked; it takes effect with the \(queue runner\|submission program\), not built yet$' "$T/err")" "" \
    "-bC names the options kept for the queue runner and the submission program, and nothing else"

# A privileged sendmail refuses a configuration others may write.
if is_root; then
	cp "$CF" "$T/gw.cf"
	chmod 664 "$T/gw.cf"
	err=$(printf 'QUIT\n' | "$SM" -Am -bs -C "$T/gw.cf" 2>&1 >/dev/null)
	is $? 78 "group-writable config: exit 78 (EX_CONFIG)"
	like "$err" "gw.cf: configuration file is writable.*fix: chmod go-w" \
	    "the message names the file and the fix"
	err=$("$SM" -bC -C "$T/gw.cf" 2>&1)
	is "$(printf '%s\n' "$err" | grep -c .)" 1 \
	    "-bC (which logs to stderr too) says it in one line"
	chmod 646 "$T/gw.cf"
	printf 'QUIT\n' | "$SM" -Am -bs -C "$T/gw.cf" >/dev/null 2>&1
	is $? 78 "world-writable config: exit 78"
	# ... or one whose owner is somebody else (who could rewrite it)
	cp "$CF" "$T/own.cf"
	chmod 644 "$T/own.cf"
	chown nobody "$T/own.cf"
	err=$(printf 'QUIT\n' | "$SM" -Am -bs -C "$T/own.cf" 2>&1 >/dev/null)
	is $? 78 "a config owned by another user: exit 78"
	like "$err" "own.cf: configuration file is owned by uid [0-9]+, not root; fix: chown root" \
	    "the message names the file, the owner and the fix"
	chown root "$T/own.cf"
	out=$(printf 'QUIT\n' | "$SM" -Am -bs -C "$T/own.cf" 2>/dev/null | tr -d '\r')
	like "$out" '^221 ' "owned by root again: it runs"
fi
done_testing
