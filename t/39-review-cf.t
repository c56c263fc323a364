#!/bin/sh
# 39-review-cf.t - issue 15, items 9 (part) and 12.
#
# 9: a file is only as safe as the directories on its way: whoever may
# write to one of them may put another file in its place.  Run by root,
# sendmail refuses a configuration file, and always a class file (F
# line) or a file map (K line), when a directory on its path (or on the
# way a symbolic link leads) is writable by group or others, or owned by
# anyone but root and us; a sticky directory such as /tmp is fine.  The
# message names the directory and the fix.  (That the configuration is
# checked by fstat() of the descriptor it is read from, not by a stat()
# of its name before the open, has no black-box test: the swap is a
# race.  t/unit/cf_test.c shows cf_read() itself refusing the unsafe file
# it reads, t/unit/safefile_test.c the directory rules.)
#
# 12: sendmail -bC on Debian's stock sendmail.cf (m4 on Debian's own .mc,
# as t/21) names the rulesets sockmail does not run, the FEATUREs they
# give away, and the access map keys that have no effect, as notices:
# the exit status stays 0.
. "${0%/*}/lib.sh"
export LC_ALL=C

need_root "(directories of other owners and groups)"
setup

# bc CF [ARGS]: sendmail -bC -C CF; stderr in $out, exit status in $rc.
bc() {
	_cf=$1
	shift
	out=$("$SM" -bC -C "$_cf" "$@" 2>&1 >/dev/null)
	rc=$?
}

# --- item 9: the configuration's directories ---------------------------------
D="$T/etc"
mkdir -m 755 "$D"
write_cf "$D/sendmail.cf"
bc "$D/sendmail.cf"
is "$rc" 0 "config in a root-owned 0755 directory: -bC exits 0"
chgrp smmsp "$D"
chmod 775 "$D"
bc "$D/sendmail.cf"
is "$rc" 78 "config in a directory writable by its group (smmsp): EX_CONFIG"
like "$out" "$D/sendmail\\.cf: configuration file in an unsafe place: directory $D is writable by its group \\(fix: chmod go-w $D\\)\$" \
    "... naming the file, the directory and the fix"
out=$(printf 'QUIT\n' | "$SM" -bs -C "$D/sendmail.cf" 2>&1 >/dev/null)
like "$out" "directory $D is writable by its group" "a session (-bs) refuses it too, on stderr"
chmod go-w "$D"
bc "$D/sendmail.cf"
is "$rc" 0 "after the fix given (chmod go-w): exit 0"
chmod 777 "$D"
bc "$D/sendmail.cf"
is "$rc" 78 "config in a world-writable directory: EX_CONFIG"
like "$out" "directory $D is writable by anyone \\(fix: chmod go-w $D\\)" "... writable by anyone"
chmod 1777 "$D"
bc "$D/sendmail.cf"
is "$rc" 0 "... but sticky (as /tmp) and root's: others cannot replace the file"
chmod 755 "$D"
chown nobody "$D"
bc "$D/sendmail.cf"
is "$rc" 78 "config in a directory owned by another user: EX_CONFIG"
like "$out" "directory $D is owned by uid $(id -u nobody), not root \\(fix: chown root $D\\)" \
    "... owned by another user, with the fix"
chown root "$D"
mkdir -m 755 "$T/sub"
write_cf "$T/sub/deep.cf"
chgrp smmsp "$T/sub"
chmod 775 "$T/sub"
ln -s "$T/sub" "$D/link"
bc "$D/link/deep.cf"
is "$rc" 78 "a symbolic link into a group-writable directory: EX_CONFIG"
like "$out" "directory $T/sub is writable by its group" "... naming the directory the link leads to"
ln -s "$D/link/deep.cf" "$D/file-link.cf"
bc "$D/file-link.cf"
is "$rc" 78 "a link to such a file, in a safe directory: EX_CONFIG"
chmod 755 "$T/sub"
bc "$D/link/deep.cf"
is "$rc" 0 "the directory made safe: the link is fine"
chmod 775 "$T/sub"
(cd "$T/sub" && "$SM" -bC -C deep.cf >/dev/null 2>"$T/err")
is "$?" 78 "a relative name is checked from the working directory"
like "$(cat "$T/err")" "directory $T/sub is writable by its group" "... and named in full"
chmod 755 "$T/sub"

# --- item 9: a class file and a map ------------------------------------------
C="$T/classes"
mkdir -m 775 "$C"
chgrp smmsp "$C"
printf 'other.example\n' >"$C/lhn"
write_cf "$T/class.cf" "Fw $C/lhn"
bc "$T/class.cf"
is "$rc" 78 "a class file in a group-writable directory: EX_CONFIG"
like "$out" "class\\.cf: line [0-9]+: cannot read class file $C/lhn: directory $C is writable by its group \\(fix: chmod go-w $C\\)\$" \
    "... naming the line, the file, the directory and the fix"
write_cf "$T/classo.cf" "Fw-o $C/lhn"
bc "$T/classo.cf"
is "$rc" 78 "... F-o excuses a missing file, not an unsafe way to it"
chmod go-w "$C"
bc "$T/class.cf"
is "$rc" 0 "the directory fixed: the class file loads"

M="$T/maps"
mkdir -m 755 "$M"
ln -s "$SM" "$T/makemap"
printf 'From:spam.example\tREJECT\n' | (cd "$M" && "$T/makemap" hash access) ||
	bail "makemap failed"
write_cf "$T/map.cf" "Kaccess hash -o $M/access"
bc "$T/map.cf"
is "$rc" 0 "a map in a safe directory: -bC exits 0"
chgrp smmsp "$M"
chmod 775 "$M"
bc "$T/map.cf"
is "$rc" 78 "a map in a group-writable directory: EX_CONFIG, even with -o"
like "$out" "map\\.cf: line [0-9]+: map access: $M/access\\.db: unsafe map file: directory $M is writable by its group \\(fix: chmod go-w $M\\)\$" \
    "... naming the line, the map, the directory and the fix"
out=$(printf 'EHLO x\nMAIL FROM:<a@ok.example>\nQUIT\n' | "$SM" -Am -bs -C "$T/map.cf" 2>&1 | tr -d '\r')
unlike "$out" '^250 2\.1\.0 ' "a session does not take mail under that configuration"
like "$out" "directory $M is writable by its group" "... and says why on stderr"
chmod go-w "$M"
out=$(printf 'EHLO x\nMAIL FROM:<a@spam.example>\nQUIT\n' | "$SM" -Am -bs -C "$T/map.cf" 2>&1 | tr -d '\r')
like "$out" '^550 5\.7\.1 ' "the directory fixed: the map is used (its REJECT holds)"

# --- item 12: -bC on the stock sendmail.cf -------------------------------------
P="$T/root"
unpack_debs "$P" sendmail-cf
[ -f "$P/usr/share/sendmail/cf/debian/sendmail.mc" ] || bail "no sendmail.mc in sendmail-cf"
grep -rl '/usr/share/sendmail/' "$P/usr/share/sendmail" |
	xargs -r sed -i "s#/usr/share/sendmail/#$P/usr/share/sendmail/#g"
sed -e '/\/etc\/mail\/m4\//d' "$P/usr/share/sendmail/cf/debian/sendmail.mc" \
	>"$T/sendmail.mc"
S="$T/mail"
mkdir -m 755 "$S"
echo localhost >"$S/local-host-names"
# The access map's text beside its map, as on a Debian host.
cat >"$S/access" <<'EOF'
# a Debian administrator's access map
Connect:127.0.0.1	RELAY
GreetPause:localhost	0
GreetPause:192.0.2	5000
ClientRate:192.0.2.7	2
ClientConn:192.0.2.7	3
  Spam:abuse@	FRIEND
TLS_Clt:mx.example	ENCR:128
#ClientRate:commented.example	1
EOF
(cd "$S" && "$T/makemap" hash access <access) || bail "makemap access failed"
(cd "$T" && m4 -DMAIL_SETTINGS_DIR="$S/" sendmail.mc >stock.cf 2>m4.log) ||
	bail "m4 sendmail.mc: $(cat "$T/m4.log")"
bc "$T/stock.cf" -O QueueDirectory="$Q" -O AliasFile=
is "$rc" 0 "stock sendmail.cf: -bC still exits 0 (notices, not problems)"
for rs in check_relay check_rcpt Local_check_relay Local_check_mail \
    Local_check_rcpt trust_auth Local_trust_auth srv_features tls_client \
    tls_server clt_features; do
	like "$out" "stock\\.cf: ruleset $rs is not run \\(" "ruleset $rs named"
done
like "$out" "ruleset check_rcpt is not run \\([0-9]+ rules\\); sockmail looks up To: in the access map and decides relaying itself" \
    "... check_rcpt with its rule count and what sockmail does instead"
like "$out" "ruleset Local_check_rcpt is not run \\(no rules\\); rules added to it would have no effect" \
    "... an empty Local_ ruleset: what adding to it would do"
unlike "$out" "ruleset check_mail is not run" "check_mail is not there (delay_checks renames it): not named"
like "$out" "FEATURE\\(delay_checks\\) has no effect \\(its ruleset checkmail is not run\\); sockmail refuses by Connect: and From: entries at MAIL" \
    "FEATURE(delay_checks) recognised"
like "$out" "FEATURE\\(greet_pause\\) has no effect .*sockmail's GreetPause option \\(now 0 ms\\) sets one pause for all clients" \
    "FEATURE(greet_pause), with the option in its place"
like "$out" "FEATURE\\(conncontrol\\) has no effect .*MaxDaemonChildren" "FEATURE(conncontrol)"
like "$out" "FEATURE\\(ratecontrol\\) has no effect .*ConnectionRateThrottle \\(now 15\\)" "FEATURE(ratecontrol)"
like "$out" "stock\\.cf: [0-9]+ other rulesets are not run \\(address rewriting" "the rest counted on one line"
like "$out" "$S/access: GreetPause: in the access map has no effect \\(2 entries\\); sockmail's GreetPause option sets one pause for all clients" \
    "GreetPause: keys of the access map: no effect, counted, what sockmail does instead"
like "$out" "$S/access: ClientRate: in the access map has no effect \\(1 entry\\); ConnectionRateThrottle" "ClientRate: keys"
like "$out" "$S/access: ClientConn: in the access map has no effect \\(1 entry\\); MaxDaemonChildren" "ClientConn: keys"
like "$out" "$S/access: Spam: in the access map has no effect" "Spam: keys (delay_checks' FRIEND)"
like "$out" "$S/access: TLS_Clt: in the access map has no effect" "TLS_Clt: keys"
unlike "$out" "Connect: in the access map has no effect" "Connect: keys, which sockmail honours: not named"
is "$(printf '%s\n' "$out" | grep -c 'ruleset check_rcpt ')" 1 "each ruleset named once"

# --- item 12: a hand-written cf, and the shipped one ---------------------------
write_cf "$T/rules.cf" "Scheck_mail" 'R$*	$#error $: 550 no' 'R$*	$@ OK' \
    "SLocal_check_rcpt" 'R$*	$@ OK' "Scanonify=3" 'R$*	$@ $1'
bc "$T/rules.cf"
is "$rc" 0 "a cf with rules: exit 0"
like "$out" "ruleset check_mail is not run \\(2 rules\\); sockmail looks up From: in the access map itself" \
    "check_mail: its two rules counted"
like "$out" "ruleset Local_check_rcpt is not run \\(1 rule\\); its rules have no effect" \
    "a Local_ ruleset with a rule: it has no effect"
like "$out" "rules\\.cf: 1 other rulesets are not run" "canonify counted among the rest"
unlike "$out" "access map has no effect" "no access map: no key lines"
# A copy: the checkout may belong to someone else than root (sudo make
# check), and the file names /etc/mail's class files, which are not ours.
mkdir -p "$T/etc/mail"
sed "s#/etc/mail/#$T/etc/mail/#g" "$SRC_DIR/cf/sendmail.cf" >"$T/shipped.cf"
chmod 644 "$T/shipped.cf"
bc "$T/shipped.cf" -O QueueDirectory="$Q" -O AliasFile=
unlike "$out" "is not run" "the shipped cf/sendmail.cf has no rulesets: nothing said of them"

done_testing
