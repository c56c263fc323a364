#!/bin/sh
# 32-safefile.t - files that set policy must be safe (src/lib/safefile.h):
# a class file (Fw, F{R}) or a map (access) that someone other than its
# owner could change, or that another user owns, is refused with the
# reason and the fix: the configuration does not load (EX_CONFIG 78),
# and a session whose map is unsafe answers 451 4.3.0 and logs why,
# rather than trusting it.  Then the same files made safe are used.
. "${0%/*}/lib.sh"
export LC_ALL=C

need_root "(files of other owners and groups)"
setup
LOG="$T/log"
printf 'other.example\n' >"$T/lhn"
chmod 644 "$T/lhn"
write_cf "$T/class.cf" "Fw-o $T/lhn" "FR $T/lhn"

# bc CF: sendmail -bC -C CF; its output in $out, its exit status in $rc.
bc() {
	out=$("$SM" -bC -C "$1" 2>&1)
	rc=$?
}
# check MODE [OWNER[:GROUP]]: set the class file so, then -bC.
check() {
	chmod "$1" "$T/lhn"
	chown "${2:-root:root}" "$T/lhn"
	bc "$T/class.cf"
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
bc "$T/class.cf"
is "$rc" 78 "a missing class file without -o is still an error"
printf 'other.example\n' >"$T/lhn"
write_cf "$T/opt.cf" "Fw-o $T/lhn"
chmod 666 "$T/lhn"
bc "$T/opt.cf"
is "$rc" 78 "-o excuses a missing class file, not an unsafe one"
chmod 644 "$T/lhn"
rm -f "$T/lhn"
bc "$T/opt.cf"
is "$rc" 0 "-o: a missing class file is fine"

# --- a map --------------------------------------------------------------------
ln -s "$SM" "$T/makemap"
printf 'From:spam.example\tREJECT\n' >"$T/access.txt"
(cd "$T" && ./makemap hash access <access.txt) || bail "makemap failed"
write_cf "$T/map.cf" "Kaccess hash -o $T/access"
dialogue() {
	printf 'EHLO x\nMAIL FROM:<a@spam.example>\nMAIL FROM:<a@ok.example>\nQUIT\n' |
	    with_syslog "$SM" -Am -bs -C "$T/map.cf" 2>>"$T/err" |
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
wait_log 'unsafe map file'
like "$(cat "$LOG")" "$T/access\\.db: unsafe map file: writable by anyone \\(fix: chmod o-w\\)" \
    "... and the log says why, with the fix"
chmod 644 "$T/access.db"
chown nobody "$T/access.db"
out=$(dialogue)
like "$out" '^451 4\.3\.0 ' "an access map owned by another user: 451 4.3.0"

# --- sendmail -bC says all this before a session trips over it -----------------
chown root "$T/access.db"
chmod 666 "$T/access.db"
bc "$T/map.cf"
is "$rc" 78 "-bC: an unsafe map is a problem (EX_CONFIG)"
like "$out" "map access: $T/access\\.db: unsafe map file: writable by anyone \\(fix: chmod o-w\\)" \
    "... named, with the fix"
chmod 644 "$T/access.db"
bc "$T/map.cf"
is "$rc" 0 "-bC: the same map made safe: no problem"
write_cf "$T/nomap.cf" "Kaccess hash $T/nosuch"
bc "$T/nomap.cf"
is "$rc" 78 "-bC: a map without -o whose file is missing is a problem"
like "$out" "map access: $T/nosuch\\.db: No such file or directory" "... named"
write_cf "$T/optmap.cf" "Kaccess hash -o $T/nosuch"
bc "$T/optmap.cf"
is "$rc" 0 "-bC: an optional (-o) map that is missing is fine"
# Aliases: text without a map, then a map older than its text.
printf 'postmaster: root\n' >"$T/aliases"
bc "$CF"
is "$rc" 78 "-bC: aliases text without its map is a problem (sessions would answer 451)"
like "$out" "$T/aliases\\.db: No such file or directory .*fix: newaliases" "... with the fix"
"$SM" -bi -C "$CF" >/dev/null || bail "newaliases failed"
bc "$CF"
is "$rc" 0 "-bC: after newaliases, no problem"
unlike "$out" "aliases" "... and nothing said about aliases"
touch -d '+1 minute' "$T/aliases"
bc "$CF"
is "$rc" 0 "-bC: aliases changed since newaliases: a warning, not a problem"
like "$out" "warning: $T/aliases\\.db is older than $T/aliases; fix: newaliases" "... which says so"
write_cf "$T/noq.cf" "O QueueDirectory=$T/nosuchq"
bc "$T/noq.cf"
is "$rc" 78 "-bC: a missing queue directory is a problem"
like "$out" "$T/nosuchq: cannot open queue directory: No such file or directory" "... named"

done_testing
