#!/bin/sh
# 21-cf-stock.t - a stock sendmail.cf and submit.cf, generated with
# Debian's own m4 files and .mc files (package sendmail-cf, unpacked in a
# private directory, never installed), load with `sendmail -bC -C FILE`;
# broken copies fail with EX_CONFIG (78) and name the file and line.
# Also the shipped cf/sendmail.cf and cf/submit.cf, with nothing reported
# as unimplemented (only the options kept for parts not built yet).
#
# Needs SOCKMAIL_BUILD (set by make check), m4 (make deps), and root or a
# cached .deb for `apt-get download sendmail-cf`.
. "${0%/*}/lib.sh"
setup	# $T; the stock sendmail.cf below replaces setup's $CF, unused here

# show FILE [LINES]: a file's first lines as TAP diagnostics
show() { sed -e 's/^/#   /' "$1" | head -n "${2:-20}"; }
# check STATUS DESCRIPTION [FILE]: lib.sh's ok; on failure, show FILE
check() {
	ok "$1" "$2"
	[ "$1" -eq 0 ] || [ -z "${3:-}" ] || show "$3"
}

CACHE="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/sockmail-debs"

# 1. The sendmail-cf package, downloaded once and cached (a damaged
# cached copy is fetched again).
mkdir -p "$CACHE"
find_deb() {
	deb=
	for f in "$CACHE"/sendmail-cf_*_all.deb; do
		[ -f "$f" ] && deb=$f
	done
	[ -n "$deb" ] && dpkg-deb --info "$deb" >/dev/null 2>&1
}
if ! find_deb; then
	rm -f "$CACHE"/sendmail-cf_*_all.deb
	(cd "$CACHE" && { apt-get download sendmail-cf ||
	    { apt-get update && apt-get download sendmail-cf; }; }) \
	    >"$T/apt.log" 2>&1
	find_deb || show "$T/apt.log"
fi
find_deb
ok $? "sendmail-cf .deb in $CACHE"

# 2. Unpack it privately and point its m4 files at the private copy.
P="$T/root"
mkdir -p "$P" "$T/etc/mail"
dpkg -x "$deb" "$P" 2>"$T/dpkg.log" &&
	[ -f "$P/usr/share/sendmail/cf/m4/cf.m4" ] &&
	[ -f "$P/usr/share/sendmail/cf/debian/sendmail.mc" ] &&
	[ -f "$P/usr/share/sendmail/cf/debian/submit.mc" ]
check $? "dpkg -x: m4 files and Debian's sendmail.mc, submit.mc" "$T/dpkg.log"
grep -rl '/usr/share/sendmail/' "$P/usr/share/sendmail" |
	xargs -r sed -i "s#/usr/share/sendmail/#$P/usr/share/sendmail/#g"
# Debian's sendmail.mc includes local overrides from /etc/mail/m4.
sed -e '/\/etc\/mail\/m4\//d' "$P/usr/share/sendmail/cf/debian/sendmail.mc" \
	>"$T/sendmail.mc"
cp "$P/usr/share/sendmail/cf/debian/submit.mc" "$T/submit.mc"

# 3. m4, as Debian's sendmailconfig does it; the settings directory
# (local-host-names, which the stock file requires, aliases, access...)
# is a private one.
echo "localhost" >"$T/etc/mail/local-host-names"
# Its access map is not optional (no -o): a Debian host has one, built
# by makemap, and so does this test.
ln -s "$SM" "$T/makemap"
printf 'Connect:127.0.0.1\tRELAY\n' | (cd "$T/etc/mail" && "$T/makemap" hash access) ||
	bail "makemap access failed"
for f in sendmail submit; do
	(cd "$T" && m4 -DMAIL_SETTINGS_DIR="$T/etc/mail/" "$f.mc" \
	    >"$f.cf" 2>"$f.m4.log")
	rc=$?
	[ "$rc" -eq 0 ] && [ "$(wc -l <"$T/$f.cf")" -gt 1000 ] &&
		grep -q '^V10/Berkeley' "$T/$f.cf" &&
		grep -q '^Mrelay,' "$T/$f.cf" &&
		! grep -q '^Xbogus' "$T/$f.cf"
	check $? "m4 $f.mc: a stock $f.cf ($(wc -l <"$T/$f.cf") lines)" \
	    "$T/$f.m4.log"
done

# 4. Both load: exit 0, and stderr holds nothing but the list of options
# sockmail does not implement and the notices of the rulesets it skips
# (t/39 looks at those).  (-bC also looks at the queue and the
# aliases a session would use: here the test's, not this host's.)
# here CF: the options that point CF at them (submit.cf: a client queue).
CQ="$T/clientmqueue"
mkdir -m 770 "$CQ"
is_root && chown smmsp:smmsp "$CQ"
here() {
	case $1 in
	*submit.cf)	echo "-O QueueDirectory=$CQ -O AliasFile=" ;;
	*)		echo "-O QueueDirectory=$Q -O AliasFile=" ;;
	esac
}
check_ok() {	# file description
	"$SM" -bC -C "$1" $(here "$1") >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" -eq 0 ]
	check $? "$2: sendmail -bC exits 0 (got $rc)" "$T/err"
	! grep -v 'option [A-Za-z0-9.-]* is not implemented (ignored)$' \
	    "$T/err" | grep -v 'option [A-Za-z0-9.-]* is read and checked; ' |
	    grep -v 'RunAsUser is not set: SMTP sessions started as root run as smmta, the default$' |
	    grep -v ': ruleset [A-Za-z0-9_]* is not run ([a-z0-9 ]*); ' |
	    grep -v ': FEATURE([a-z_]*) has no effect (its ruleset [A-Za-z_]* is not run); ' |
	    grep -v ': [0-9]* other rulesets are not run (' |
	    grep -q .
	check $? "$2: nothing on stderr but unimplemented options and those kept for later" "$T/err"
}
check_ok "$T/sendmail.cf" "stock sendmail.cf"
msg="option SevenBitInput is not implemented (ignored)"
grep -q "^sendmail: $T/sendmail.cf: $msg\$" "$T/err"
check $? "stock sendmail.cf: SevenBitInput reported as not implemented" "$T/err"
[ "$(grep -c 'option AliasWait is' "$T/err")" -eq 1 ]
ok $? "stock sendmail.cf: each option reported once"
check_ok "$T/submit.cf" "stock submit.cf"
grep -q "option Timeout.iconnect is not implemented" "$T/err"
check $? "stock submit.cf: Timeout.iconnect reported" "$T/err"

# 5. Broken copies: EX_CONFIG, and the message names file and line.
check_bad() {	# file line-text expected-message description
	cp "$T/sendmail.cf" "$1"
	printf '%s\n' "$2" >>"$1"
	line=$(wc -l <"$1")
	"$SM" -bC -C "$1" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" -eq 78 ]
	check $? "$4: exit 78 (got $rc)" "$T/err"
	grep -qF "$1: line $line: $3" "$T/err"
	check $? "$4: message names $1, line $line" "$T/err"
}
check_bad "$T/bad1.cf" "Xbogus" "" "appended Xbogus line"
check_bad "$T/bad2.cf" "O NoSuchOption=1" "unknown option NoSuchOption" \
	"appended unknown option"
check_bad "$T/bad3.cf" "O MaxHopCount=lots" \
	"option MaxHopCount: bad number" "appended bad number"

# A missing required class file.
sed -e "s#^Fw$T/etc/mail/local-host-names#Fw$T/nonexistent#" \
	"$T/sendmail.cf" >"$T/bad4.cf"
line=$(grep -n "^Fw$T/nonexistent" "$T/bad4.cf" | cut -d: -f1)
"$SM" -bC -C "$T/bad4.cf" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 78 ] && [ -n "$line" ] &&
	grep -qF "$T/bad4.cf: line $line: cannot read class file" "$T/err" &&
	grep -qF "class file $T/nonexistent: No such file" "$T/err"
check $? "missing Fw file: exit 78, file and line named" "$T/err"

# 6. The shipped files: they load and use only implemented options.
# Their class files (Fw-o /etc/mail/local-host-names...) are the test's:
# a copy with /etc/mail/ moved to $T/etc/mail/, as the m4 files above.
for f in sendmail submit; do
	sed "s#/etc/mail/#$T/etc/mail/#g" "$SRC_DIR/cf/$f.cf" >"$T/shipped-$f.cf"
	"$SM" -bC -C "$T/shipped-$f.cf" $(here $f.cf) >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" -eq 0 ] && ! grep -v ' is read and checked; it takes effect with the \(queue runner\|submission program\), not built yet$' "$T/err" | grep -q .
	check $? "shipped cf/$f.cf: exit 0 (got $rc), nothing reported but the options kept for the queue runner and the submission program" "$T/err"
done

done_testing
