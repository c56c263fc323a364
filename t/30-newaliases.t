#!/bin/sh
# 30-newaliases.t - `sendmail -bi` and `newaliases` build the aliases map.
# The map is read back with Python's dbm.gnu, a second GDBM reader.
B=${SOCKMAIL_BUILD:?SOCKMAIL_BUILD is not set}
T=$(mktemp -d "${TMPDIR:-/tmp}/sockmail-30.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM
n=0
failed=0

# ok CONDITION-STATUS DESCRIPTION
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		for f in "$T/out" "$T/err"; do
			[ -s "$f" ] && sed "s/^/#   $(basename "$f"): /" "$f"
		done
	fi
}
is() {	# is GOT WANT DESCRIPTION
	[ "$1" = "$2" ]
	ok $? "$3"
	[ "$1" = "$2" ] || printf '#   got "%s", expected "%s"\n' "$1" "$2"
}
skip() {
	n=$((n + 1))
	echo "ok $n # SKIP $1"
}
has() {	# has FILE TEXT: FILE contains the fixed string TEXT
	grep -F -q -e "$2" "$1"
}
no_tmp() {
	! ls -a "$T" | grep -q '\.tmp'
}

# A Python that can read GDBM files (Debian: python3-gdbm), if any.
PY=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import dbm.gnu' 2>/dev/null; then
		PY=$p
		break
	fi
done
# dbget KEY...: print the value of each KEY in the map, "-" if absent.
dbget() {
	"$PY" - "$T/aliases.db" "$@" <<'EOF'
import dbm.gnu, sys
db = dbm.gnu.open(sys.argv[1], "r")
for k in sys.argv[2:]:
    v = db.get(k.encode())
    print("-" if v is None else v.decode())
EOF
}

mkdir "$T/q"
cat >"$T/cf" <<EOF
# sockmail test configuration
O AliasFile=$T/aliases
O QueueDirectory=$T/q
EOF
cat >"$T/aliases" <<'EOF'
# test aliases
root: admin
PostMaster: root
list: a@example.org,   b@example.org,
	"|/usr/bin/prog -x"
EOF

"$B/sendmail" -bi -C "$T/cf" >"$T/out" 2>"$T/err"
is $? 0 "sendmail -bi: exit 0 on a clean file"
has "$T/out" "3 aliases"
ok $? "sendmail -bi: summary says 3 aliases"
[ ! -s "$T/err" ]
ok $? "sendmail -bi: nothing on stderr"
[ -f "$T/aliases.db" ]
ok $? "sendmail -bi: aliases.db exists"
no_tmp
ok $? "sendmail -bi: no .tmp file left"
if [ -n "$PY" ]; then
	is "$(dbget postmaster list @ root ROOT | tr '\n' ' ')" \
	    'root a@example.org,b@example.org,"|/usr/bin/prog -x" @ admin - ' \
	    "dbm.gnu reads the map: keys lower-cased, values joined, \"@\" set"
else
	skip "no Python with dbm.gnu (install python3-gdbm)"
fi

ln -s "$B/sendmail" "$T/newaliases"
echo "new: root" >>"$T/aliases"
"$T/newaliases" -C "$T/cf" >"$T/out" 2>"$T/err"
is $? 0 "newaliases: exit 0"
has "$T/out" "4 aliases"
ok $? "newaliases: summary says 4 aliases"
if [ -n "$PY" ]; then
	is "$(dbget new)" "root" "newaliases: the rebuilt map has the new alias"
else
	skip "no Python with dbm.gnu"
fi

printf 'broken line\nlast: admin\n' >>"$T/aliases"
"$B/sendmail" -bi -C "$T/cf" >"$T/out" 2>"$T/err"
is $? 65 "bad line: exit 65 (EX_DATAERR)"
has "$T/err" "$T/aliases: line 7: missing colon"
ok $? "bad line: stderr names file and line"
if [ -n "$PY" ]; then
	is "$(dbget last new)" "admin
root" "bad line: the good entries are still built"
else
	skip "no Python with dbm.gnu"
fi

sed "s|^O AliasFile=.*|O AliasFile=$T/missing|" "$T/cf" >"$T/cf2"
"$B/sendmail" -bi -C "$T/cf2" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 66 ] || [ "$rc" -eq 78 ]
ok $? "missing alias file: exit 66 or 78 (got $rc)"
has "$T/err" "$T/missing"
ok $? "missing alias file: stderr names it"
[ ! -e "$T/missing.db" ]
ok $? "missing alias file: no map created"
no_tmp
ok $? "no .tmp file left at the end"

echo "1..$n"
[ "$failed" -eq 0 ]
