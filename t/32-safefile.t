#!/bin/sh
# 32-safefile.t - files that set policy must be safe (src/safefile.h): a
# class file (Fw, F{R}) or a map (access) that someone other than its
# owner could change, or that another user owns, is refused with the
# reason and the fix: the configuration does not load (EX_CONFIG 78),
# and a session whose map is unsafe answers 451 4.3.0 and logs why,
# rather than trusting it.  Then the same files made safe are used.
. "${0%/*}/lib.sh"
export LC_ALL=C

if ! is_root; then
	echo "1..0 # SKIP needs root (files of other owners and groups)"
	exit 0
fi
setup
LOG="$T/log"
printf 'other.example\n' >"$T/lhn"
chmod 644 "$T/lhn"
write_cf "$T/class.cf" "Fw-o $T/lhn" "FR $T/lhn"

# check MODE [OWNER[:GROUP]]: set the class file so, then sendmail -bC.
check() {
	chmod "$1" "$T/lhn"
	chown "${2:-root:root}" "$T/lhn"
	out=$("$SM" -bC -C "$T/class.cf" 2>&1)
	rc=$?
}
check 644
is "$rc" 0 "a class file 0644 owned by root: -bC is content"
check 666
is "$rc" 78 "world-writable class file: EX_CONFIG"
like "$out" "class.cf: line [0-9]+: cannot read class file $T/lhn: writable by anyone \\(fix: chmod o-w\\)$" \
    "... naming the line, the file, the reason and the fix"
is "$(printf '%s\n' "$out" | grep -c 'writable by anyone')" 1 "... said once"
check 664 root:smmsp
is "$rc" 78 "group-writable class file of another group (smmsp): EX_CONFIG"
like "$out" "writable by its group \\(fix: chmod g-w\\)" "... writable by its group"
check 664 root:root
is "$rc" 0 "group-writable by our own group (a private group, umask 002): fine"
check 644 nobody:root
is "$rc" 78 "a class file owned by another user: EX_CONFIG"
like "$out" "owned by another user \\(fix: chown root\\)" "... owned by another user"
check 644
rm -f "$T/lhn"
out=$("$SM" -bC -C "$T/class.cf" 2>&1)
is "$?" 78 "a missing class file without -o is still an error"
printf 'other.example\n' >"$T/lhn"
write_cf "$T/opt.cf" "Fw-o $T/lhn"
chmod 666 "$T/lhn"
out=$("$SM" -bC -C "$T/opt.cf" 2>&1)
is "$?" 78 "-o excuses a missing class file, not an unsafe one"
chmod 644 "$T/lhn"
rm -f "$T/lhn"
out=$("$SM" -bC -C "$T/opt.cf" 2>&1)
is "$?" 0 "-o: a missing class file is fine"

# --- a map --------------------------------------------------------------------
ln -s "$SM" "$T/makemap"
printf 'From:spam.example\tREJECT\n' >"$T/access.txt"
(cd "$T" && ./makemap hash access <access.txt) || bail "makemap failed"
write_cf "$T/map.cf" "Kaccess hash -o $T/access"
dialogue() {
	printf 'EHLO x\nMAIL FROM:<a@spam.example>\nMAIL FROM:<a@ok.example>\nQUIT\n' |
	    python3 "$T_DIR/withsyslog.py" "$LOG" "$SM" -Am -bs -C "$T/map.cf" 2>>"$T/err" |
	    tr -d '\r'
}
chmod 644 "$T/access.db"
out=$(dialogue)
like "$out" '^550 5\.7\.1 ' "a safe access map is used: its REJECT holds"
like "$out" '^250 2\.1\.0 <a@ok\.example>' "... and other senders pass"
chmod 666 "$T/access.db"
out=$(dialogue)
like "$out" '^451 4\.3\.0 .*access map unavailable' "a world-writable access map: 451 4.3.0, not trusted"
unlike "$out" '^250 2\.1\.0 ' "... and no sender is taken"
_i=0
while ! grep -q 'unsafe map file' "$LOG" 2>/dev/null && [ $_i -lt 50 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
like "$(cat "$LOG")" "$T/access\\.db: unsafe map file: writable by anyone \\(fix: chmod o-w\\)" \
    "... and the log says why, with the fix"
chmod 644 "$T/access.db"
chown nobody "$T/access.db"
out=$(dialogue)
like "$out" '^451 4\.3\.0 ' "an access map owned by another user: 451 4.3.0"

done_testing
