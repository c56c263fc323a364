#!/bin/sh
# 30-newaliases.t - `sendmail -bi` and `newaliases` build the aliases map.
# The map is read back with Python's dbm.gnu, a second GDBM reader.
. "${0%/*}/lib.sh"
setup	# $T, $Q; this test writes its own, smaller configuration

# ok_out, is_out (t/lib.sh): ok and is, plus $T/out and $T/err on failure
has() {	# has FILE TEXT: FILE contains the fixed string TEXT
	grep -F -q -e "$2" "$1"
}

gdbm_python	# $PY reads the map back
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

cat >"$T/cf" <<EOF
# sockmail test configuration
O AliasFile=$T/aliases
O QueueDirectory=$Q
EOF
cat >"$T/aliases" <<'EOF'
# test aliases
root: admin
PostMaster: root
list: a@example.org,   b@example.org,
	"|/usr/bin/prog -x"
EOF

"$SM" -bi -C "$T/cf" >"$T/out" 2>"$T/err"
is_out $? 0 "sendmail -bi: exit 0 on a clean file"
has "$T/out" "3 aliases"
ok_out $? "sendmail -bi: summary says 3 aliases"
[ ! -s "$T/err" ]
ok_out $? "sendmail -bi: nothing on stderr"
[ -f "$T/aliases.db" ]
ok_out $? "sendmail -bi: aliases.db exists"
no_tmp "$T"
ok_out $? "sendmail -bi: no .tmp file left"
if [ -n "$PY" ]; then
	is_out "$(dbget postmaster list @ root ROOT | tr '\n' ' ')" \
	    'root a@example.org,b@example.org,"|/usr/bin/prog -x" @ admin - ' \
	    "dbm.gnu reads the map: keys lower-cased, values joined, \"@\" set"
fi

ln -s "$SM" "$T/newaliases"
echo "new: root" >>"$T/aliases"
"$T/newaliases" -C "$T/cf" >"$T/out" 2>"$T/err"
is_out $? 0 "newaliases: exit 0"
has "$T/out" "4 aliases"
ok_out $? "newaliases: summary says 4 aliases"
if [ -n "$PY" ]; then
	is_out "$(dbget new)" "root" \
	    "newaliases: the rebuilt map has the new alias"
fi

printf 'broken line\nlast: admin\n' >>"$T/aliases"
"$SM" -bi -C "$T/cf" >"$T/out" 2>"$T/err"
is_out $? 65 "bad line: exit 65 (EX_DATAERR)"
has "$T/err" "$T/aliases: line 7: missing colon"
ok_out $? "bad line: stderr names file and line"
if [ -n "$PY" ]; then
	is_out "$(dbget last new)" "admin
root" "bad line: the good entries are still built"
fi

sed "s|^O AliasFile=.*|O AliasFile=$T/missing|" "$T/cf" >"$T/cf2"
"$SM" -bi -C "$T/cf2" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 66 ] || [ "$rc" -eq 78 ]
ok_out $? "missing alias file: exit 66 or 78 (got $rc)"
has "$T/err" "$T/missing"
ok_out $? "missing alias file: stderr names it"
[ ! -e "$T/missing.db" ]
ok_out $? "missing alias file: no map created"
no_tmp "$T"
ok_out $? "no .tmp file left at the end"

done_testing
