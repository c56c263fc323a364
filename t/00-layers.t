#!/bin/sh
# 00-layers.t - src/ keeps the floor rule of doc/ARCHITECTURE.md: a folder
# includes (and calls) only its own folder and lower floors, no circles,
# no file over 800 lines, no function over 80.  The checker is shown to
# fail on a flat tree and on planted bad includes, so it can fail.
. "${0%/*}/lib.sh"
setup
CHECK="python3 $T_DIR/layers.py"

out=$($CHECK "$SRC_DIR/src" "$SOCKMAIL_BUILD/obj" 2>&1)
ok $? "src/ and its objects keep the floor rule"
[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'

# A flat tree, as src/ was before the folders.
mkdir -p "$T/flat/src"
cp "$SRC_DIR"/src/*/*.[ch] "$T/flat/src/"
out=$($CHECK "$T/flat/src" 2>&1)
[ $? -ne 0 ]; ok $? "a flat src/ fails"
like "$out" '^buf\.c: not in a floor folder' "and names the files outside a folder"

plant() {	# plant FILE LINE: a copy of src/ with LINE added to FILE
	rm -rf "$T/p"; cp -r "$SRC_DIR/src" "$T/p"
	printf '%s\n' "$2" >> "$T/p/$1"
}
plant lib/buf.c '#include "smtpd/smtpd.h"'
out=$($CHECK "$T/p" 2>&1)
[ $? -ne 0 ]; ok $? "an upward include fails"
like "$out" '^lib/buf\.c:[0-9]+: #include "smtpd/smtpd\.h": upward' "and is named with its line"

plant tools/mailq.c '#include "smtpd/smtpd.h"'
out=$($CHECK "$T/p" 2>&1)
[ $? -ne 0 ]; ok $? "a sideways include fails"
like "$out" 'mailq\.c:[0-9]+: .*sideways' "and is called sideways"

plant smtpd/smtpd_data.c '#include "buf.h"'
out=$($CHECK "$T/p" 2>&1)
[ $? -ne 0 ]; ok $? "a bare include of another folder's header fails"

plant lib/fmt.h '#include "log.h"'
out=$($CHECK "$T/p" 2>&1)
[ $? -ne 0 ]; ok $? "a planted include circle fails"
like "$out" 'include circle: .*lib/fmt.*lib/log|include circle: .*lib/log.*lib/fmt' "and is shown"

plant lib/date.c "$(printf 'void\nlong_one(void)\n{\n'; i=0; while [ $i -lt 90 ]; do echo '	;'; i=$((i+1)); done; echo '}')"
out=$($CHECK "$T/p" 2>&1)
[ $? -ne 0 ]; ok $? "a function over 80 lines fails"
like "$out" 'lib/date\.c:[0-9]+: function of 92 lines' "and is measured"
done_testing
