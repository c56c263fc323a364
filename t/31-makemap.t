#!/bin/sh
# 31-makemap.t - makemap(8): the sendmail binary run as "makemap" builds
# NAME.db (GDBM) from text on stdin.  Maps are read back with Python's
# dbm.gnu, a second GDBM reader: keys and values exactly as stored.
. "${0%/*}/lib.sh"
export LC_ALL=C
setup
trap 'exit 1' INT TERM HUP PIPE

gdbm_python	# $PY reads the maps back

# dump MAP.db: every entry as "key=value" lines, sorted; non-printable
# octets (a stored NUL, a CR) shown as \xNN.
dump() {
	"$PY" - "$1" <<'EOF'
import dbm.gnu, sys
db = dbm.gnu.open(sys.argv[1], "r")
def vis(b):
    return "".join(chr(c) if 0x20 <= c < 0x7f else "\\x%02x" % c for c in b)
out = []
k = db.firstkey()
while k is not None:
    out.append("%s=%s" % (vis(k), vis(db[k])))
    k = db.nextkey(k)
for l in sorted(out):
    print(l)
EOF
}

W="$T/w"
mkdir "$W"
ln -s "$SM" "$W/makemap"
MM="$W/makemap"
# mm ARGS... < text: run makemap in $W (so that the map name in messages
# is the relative one given); stdout to $T/out, stderr to $T/err; the
# exit status in $rc.
# (never at the end of a pipeline: $rc would be set in a subshell)
mm() { (cd "$W" && "$MM" "$@") >"$T/out" 2>"$T/err"; rc=$?; }
# text FORMAT: printf FORMAT into $T/in, the next mm's input
text() { printf "$1" >"$T/in"; }
# is_out (t/lib.sh): is, plus $T/out and $T/err on failure

# --- a clean text ----------------------------------------------------------------
printf '%s\n' '# an access map' '' \
    'Connect:192.0.2.7	REJECT' \
    'From:Spammer@Example.COM   ERROR:5.7.1:550 Go Away  ' \
    '   To:Partner.Example	 RELAY' \
    '	' \
    'untagged.example OK' \
    'nonl.example DISCARD' | head -c -1 >"$T/clean"
mm hash access <"$T/clean"
is_out "$rc" 0 "a clean text: exit 0"
is_out "$(cat "$T/err")" "" "a clean text: nothing on stderr"
is_out "$(dump "$W/access.db")" "$(printf '%s\n' \
    'connect:192.0.2.7=REJECT' \
    'from:spammer@example.com=ERROR:5.7.1:550 Go Away  ' \
    'nonl.example=DISCARD' \
    'to:partner.example=RELAY' \
    'untagged.example=OK')" \
    "keys folded to lower case, values as written (no trailing NUL), blanks after the key skipped, last line without newline"
is_out "$(stat -c %a "$W/access.db")" 644 "a new map is mode 0644"
no_tmp "$W"; ok $? "no temporary file left"

(umask 077; cd "$W" && "$MM" hash umask <"$T/clean")
is "$(stat -c %a "$W/umask.db")" 644 "a new map is 0644 whatever the umask"

for t in btree gdbm; do
	mm $t "m-$t" <"$T/clean"
	is_out "$rc|$(dump "$W/m-$t.db" | md5sum)" "0|$(dump "$W/access.db" | md5sum)" \
	    "type $t: the same GDBM map"
done
mm -N -c 1024 -s hash ignored <"$T/clean"
is_out "$rc|$(dump "$W/ignored.db" | md5sum)" "0|$(dump "$W/access.db" | md5sum)" \
    "-N, -c size and -s are accepted and change nothing"

# CRLF text: the same map.
sed 's/$/\r/' "$T/clean" >"$T/clean.crlf"
mm hash crlf <"$T/clean.crlf"
is_out "$rc|$(dump "$W/crlf.db")" "0|$(dump "$W/access.db")" \
    "CRLF text: the same entries, no CR in any value"

# -v: one line per entry stored.
text 'A 1\nb two words\n'; mm -v hash verbose <"$T/in"
is_out "$rc|$(cat "$T/out")" "0|key=\`a', val=\`1'
key=\`b', val=\`two words'" "-v prints key=\`k', val=\`v' for each entry"

# -l: the types.
mm -l
is_out "$rc|$(cat "$T/out")" "0|hash
btree
gdbm" "-l lists hash, btree, gdbm"

# --- bad lines ------------------------------------------------------------------------
{
	printf 'good1 v1\n'			# 1
	printf 'novalue\n'			# 2
	printf 'novalue2   \t\n'		# 3
	printf 'nul\000x value\n'		# 4
	printf 'long %04092d\n' 0		# 5: 4097 octets
	printf 'good2 v2\n'			# 6
	printf 'GOOD1 again\n'			# 7: a duplicate, folded
	printf 'edge %04091d\n' 0		# 8: 4096 octets, fine
	printf 'edge2 %04090d\r\n' 0		# 9: 4096 + CR: fine
	printf '#comment without value\n'	# 10
}	>"$T/bad"
mm hash bad <"$T/bad"
is_out "$rc" 65 "bad lines: exit 65 (EX_DATAERR)"
is_out "$(cat "$T/err")" "makemap: bad: line 2: no value for key novalue
makemap: bad: line 3: no value for key novalue2
makemap: bad: line 4: NUL byte
makemap: bad: line 5: longer than 4096 octets
makemap: bad: line 7: duplicate key good1 (-r to replace)" \
    "bad lines: each reported on stderr with its line number"
is_out "$(dump "$W/bad.db" | cut -c1-20)" "edge2=00000000000000
edge=000000000000000
good1=v1
good2=v2" "bad lines: the map is built from the good lines; a duplicate keeps the first value"
is_out "$(dump "$W/bad.db" | awk -F= '$1 ~ /^edge/ { print length($2) }' | tr '\n' ' ')" \
    "4090 4091 " "lines of 4096 octets (without the CR LF) are whole"
no_tmp "$W"; ok $? "bad lines: no temporary file left"

text 'a 1\nA 2\nb 3\na 4\n'; mm -r hash dup <"$T/in"
is_out "$rc|$(cat "$T/err")|$(dump "$W/dup.db" | tr '\n' ' ')" "0||a=4 b=3 " \
    "-r: a later duplicate replaces the earlier value, exit 0"
text 'a 1\nA 2\nb 3\na 4\n'; mm hash dup2 <"$T/in"
is_out "$rc|$(dump "$W/dup2.db" | tr '\n' ' ')" "65|a=1 b=3 " \
    "without -r: duplicates refused, the first value kept, exit 65"

# --- options ---------------------------------------------------------------------------
text 'Mixed.Case Value\nmixed.case other\n'; mm -f hash nofold <"$T/in"
is_out "$rc|$(dump "$W/nofold.db" | tr '\n' ' ')" "0|Mixed.Case=Value mixed.case=other " \
    "-f keeps the case of keys (two different keys)"

text 'key one:value: with colon \nKey Two:x\n:empty key\nnocolon\n'; mm -t : hash delim <"$T/in"
is_out "$rc|$(cat "$T/err")" "65|makemap: delim: line 3: empty key
makemap: delim: line 4: no value for key nocolon" \
    "-t: the empty key and the line without delimiter reported"
is_out "$(dump "$W/delim.db")" "key one=value: with colon 
key two=x" "-t: the key ends at the delimiter (blanks in it kept), the value is the rest"

text '; a comment\n# not a comment\n;x y\nk v\n'; mm -D ';' hash comment <"$T/in"
is_out "$rc|$(dump "$W/comment.db" | tr '\n' ' ')" "0|#=not a comment k=v " \
    "-D ';': ';' lines skipped, '#' lines are entries"

text 'k1\nk2   \nk3 v3\n'; mm -e hash empty <"$T/in"
is_out "$rc|$(dump "$W/empty.db" | tr '\n' ' ')" "0|k1= k2= k3=v3 " \
    "-e: a key without value is stored with an empty value"

for f in d o u; do
	mm -$f hash refused </dev/null
	is_out "$rc" 64 "-$f refused: exit 64 (EX_USAGE)"
	like "$(cat "$T/err")" "^makemap: -$f is not supported" "-$f refused: says so"
done
[ ! -e "$W/refused.db" ]; ok $? "a refused flag builds nothing"
mm -x hash x </dev/null
is_out "$rc" 64 "an unknown flag: exit 64"
mm dbm x </dev/null
is_out "$rc" 64 "type dbm: exit 64"
like "$(cat "$T/err")" "^makemap: type dbm not supported" "type dbm: says so"
mm hash </dev/null
is_out "$rc" 64 "no map name: exit 64"
mm -t ab hash x </dev/null
is_out "$rc" 64 "-t with two characters: exit 64"
mm -D '' hash x </dev/null
is_out "$rc" 64 "-D with an empty argument: exit 64"
[ ! -e "$W/x.db" ]; ok $? "no map built after a usage error"

mm hash emptytext </dev/null
is_out "$rc|$(dump "$W/emptytext.db")" "0|" "an empty text builds an empty map"

# --- a rebuilt map keeps the old one's mode and group -------------------------------------
text 'a 1\n'; mm hash keep <"$T/in"
chmod 640 "$W/keep.db"
g=$(id -gn)
if is_root; then chgrp smmta "$W/keep.db"; g=smmta; fi
ino=$(stat -c %i "$W/keep.db")
text 'a 2\n'; mm hash keep <"$T/in"
is_out "$rc|$(stat -c '%a %G' "$W/keep.db")|$(dump "$W/keep.db")" "0|640 $g|a=2" \
    "a rebuilt map keeps the old mode (0640) and group ($g)"
[ "$(stat -c %i "$W/keep.db")" != "$ino" ]
ok $? "the rebuilt map is a new file (renamed over the old one)"
chmod 666 "$W/keep.db"
text 'a 3\n'; mm hash keep <"$T/in"
is_out "$(stat -c %a "$W/keep.db")" 644 "an old mode of 0666 gives 0644 (never group or world writable)"
chmod 600 "$W/keep.db"
text 'a 4\n'; mm hash keep <"$T/in"
is_out "$(stat -c %a "$W/keep.db")" 600 "an old mode of 0600 is kept"

# --- failures leave nothing behind --------------------------------------------------------
# NAME.db is a directory: the rename fails after the map was written.
mkdir -p "$W/isdir.db/sub"
text 'a 1\n'; mm hash isdir <"$T/in"
is_out "$rc" 73 "NAME.db is a directory: exit 73 (EX_CANTCREAT)"
like "$(cat "$T/err")" "rename" "NAME.db is a directory: the rename is reported"
no_tmp "$W"; ok $? "NAME.db is a directory: no temporary file left"
[ -d "$W/isdir.db/sub" ]; ok $? "NAME.db is a directory: it is untouched"

if ! is_root; then
	skip "needs root (user smtest, set-group-ID)"
	done_testing
	exit
fi

asuser() { setpriv --reuid=smtest --regid=smtest --clear-groups -- "$@"; }
# A directory smtest cannot write to.
R="$T/ro"
mkdir -m 755 "$R"
ln -s "$SM" "$R/makemap"
printf 'a 1\n' >"$T/small"
(cd "$R" && asuser ./makemap hash ro) <"$T/small" >"$T/out" 2>"$T/err"
is_out "$?" 73 "a directory not writable by the user: exit 73"
like "$(cat "$T/err")" "^makemap: .*ro\.db\.tmp[0-9]+: cannot create: Permission denied" \
    "a directory not writable by the user: the error names the file"
no_tmp "$R"; ok $? "a directory not writable by the user: nothing left behind"
[ ! -e "$R/ro.db" ]; ok $? "a directory not writable by the user: no map"

# A directory of smtest's own.
U="$T/user"
mkdir -m 755 "$U"
chown smtest:smtest "$U"
ln -s "$SM" "$U/makemap"
(cd "$U" && asuser ./makemap hash m) <"$T/small" >"$T/out" 2>"$T/err"
is_out "$?|$(stat -c '%U %G %a' "$U/m.db")" "0|smtest smtest 644" \
    "as smtest in its own directory: the map is smtest's, 0644"

# A set-group-ID copy of the binary: makemap must give the group up.
S="$T/sgid"
mkdir -m 755 "$S"
install -m 2755 -g smmsp "$SM" "$S/sendmail"
ln -s sendmail "$S/makemap"
# The control: a set-group-ID program in the same place does get smmsp
# (the file system honours the bit), so the test can fail.
install -m 2755 -g smmsp "$(command -v id)" "$S/id"
is_out "$(asuser "$S/id" -gn)" smmsp \
    "control: a set-group-ID smmsp program in that directory runs with group smmsp"
(cd "$U" && asuser "$S/makemap" hash sgid) <"$T/small" >"$T/out" 2>"$T/err"
rc=$?
# LeakSanitizer cannot run in a set-group-ID process (it needs ptrace, and
# ignores its options there): under SANITIZE=1 the exit status is its
# failure at exit, so only the map itself is judged.
ldd "$SM" 2>/dev/null | grep -q libasan && rc=0
is_out "$rc|$(stat -c %G "$U/sgid.db")" "0|smtest" \
    "a set-group-ID smmsp makemap creates a map of the user's group, not smmsp (privilege dropped)"
is_out "$(dump "$U/sgid.db")" "a=1" "the set-group-ID makemap's map holds the entry"

done_testing
