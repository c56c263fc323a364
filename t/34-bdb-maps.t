#!/bin/sh
# 34-bdb-maps.t - the maps of a host that ran Debian's sendmail: Berkeley
# DB hash and btree files, written by the REAL sendmail's newaliases and
# makemap (Debian's sendmail-bin, downloaded once into
# ${XDG_CACHE_HOME:-$HOME/.cache}/sockmail-debs and unpacked into $T,
# never installed), owned smmta:smmsp 0640 as Debian's are.  sockmail's
# sessions (as smmta) read them through libdb (src/lib/bdb_dl.h): an
# alias resolves, an unknown name does not, an access entry REJECTs, a
# btree virtusertable routes; -bC names each map's format, owner and
# mode; a damaged map, or libdb missing (hidden by a bind mount in a
# mount namespace of the test's own), answers 4xx and never 250, with -bC
# naming the fix; and sockmail's own GDBM maps still work beside them.
# Needs root (chown, unshare).
. "${0%/*}/lib.sh"
export LC_ALL=C

is_root || { echo "1..0 # SKIP needs root (chown smmta, unshare)"; exit 0; }
[ -x "$SM" ] || bail "no sockmail binary at $SM (make first)"
for tool in dpkg unshare hostname mount python3; do
	command -v $tool >/dev/null 2>&1 || bail "$tool is missing"
done
setup
write_cf "$CF" "Kaccess hash -o $T/access" \
    "Kvirtuser btree -o $T/virtusertable" "C{VirtHost}virtual.example"

# --- maps written by the real sendmail ---------------------------------------
unpack_debs "$T/root" sendmail-bin
REAL=$T/root/usr/libexec/sendmail/sendmail
MAKEMAP=$T/root/usr/libexec/sendmail/makemap
[ -x "$REAL" ] && [ -x "$MAKEMAP" ] || bail "no sendmail or makemap in the package"
missing=$(ldd "$MAKEMAP" | sed -n 's/^[[:space:]]*\([^ ]*\) => not found.*/\1/p')
[ -z "$missing" ] || bail "the real makemap needs $missing (Debian: libdb5.3 libldap-2.5-0)"

# The real sendmail's newaliases (-bi) with a configuration of its own:
# a local mailer every address resolves to, and leave to keep its map
# in $T (under the world-writable, sticky /tmp); its service switch
# file, /etc/mail/service.switch unless named, is one of $T, absent
# (sendmail's built-in order).
cat >"$T/real.cf" <<EOF
V10/Berkeley
O AliasFile=$T/aliases
O QueueDirectory=$T
O ServiceSwitchFile=$T/service.switch
O DontBlameSendmail=MapInUnsafeDirPath,TrustStickyBit
Mlocal,	P=/bin/true, F=lsDFMAw5:/|@qSPfhn9, A=true \$u
Mprog,	P=/bin/sh, F=lsDFMoqeu9, A=sh -c \$u
S0
R\$*	\$#local \$: \$1
EOF
printf 'postmaster: root\nMyAlias: root\nlist: a, b\n' >"$T/aliases"
timeout 60 unshare --uts sh -c 'hostname mta.test.example &&
    exec "$0" -C "$1" -bi' "$REAL" "$T/real.cf" >"$T/bi.out" 2>&1
ok $? "the real sendmail's newaliases builds $T/aliases.db"
printf 'From:spam.example\tREJECT\nFrom:Ok.Example\tOK\n' >"$T/access"
printf 'info@virtual.example\troot\n' >"$T/virtusertable"
: >"$T/empty.cf"
"$MAKEMAP" -C "$T/empty.cf" hash "$T/access" <"$T/access" 2>>"$T/mm.err"
ok $? "the real makemap hash builds $T/access.db"
"$MAKEMAP" -C "$T/empty.cf" btree "$T/virtusertable" <"$T/virtusertable" 2>>"$T/mm.err"
ok $? "the real makemap btree builds $T/virtusertable.db"
for m in aliases access virtusertable; do
	chown smmta:smmsp "$T/$m.db" && chmod 0640 "$T/$m.db"
done

# What the files hold (the key forms bdb_dl.h documents): newaliases
# "myalias\0" -> "root\0", makemap "from:spam.example" -> "REJECT".
holds() {	# FILE PYTHON-BYTES
	python3 -c 'import sys; sys.exit(0 if eval(sys.argv[2]) in open(sys.argv[1], "rb").read() else 1)' "$1" "$2"
}
holds "$T/aliases.db" "b'myalias\\x00'"
ok $? "the real newaliases folds keys and stores them with their NUL"
holds "$T/access.db" "b'from:spam.example'" && ! holds "$T/access.db" "b'from:spam.example\\x00'"
ok $? "the real makemap folds keys and stores them without a NUL"

# --- sessions ----------------------------------------------------------------
# session CF COMMANDS: a -Am -bs session on a pipe; its replies' codes.
session() {
	_out=$(printf 'EHLO t\n%s\nQUIT\n' "$2" |
	    "$SM" -Am -bs -C "$1" 2>>"$T/stderr" | tr -d '\r')
	_rc=$?
	printf '%s\n' "$_out" >>"$T/sessions"
	codes "$_out"
	[ $_rc -lt 128 ] || echo "signal $((_rc - 128))"
}
rcpts='MAIL FROM:<a@example.org>
RCPT TO:<myalias>
RCPT TO:<LIST>
RCPT TO:<nosuchuser>
RCPT TO:<info@virtual.example>
RCPT TO:<other@virtual.example>'
is "$(session "$CF" "$rcpts")" "220 250 250 250 250 550 250 550 221" \
    "sendmail's hash aliases and btree virtusertable: aliases 250, unknown 550, virtual 250/550"
mails='MAIL FROM:<x@spam.example>
MAIL FROM:<x@ok.example>'
is "$(session "$CF" "$mails")" "220 250 550 250 221" \
    "sendmail's hash access map: From:spam.example REJECTs, others pass"

# --- sendmail -bC ------------------------------------------------------------
bc() { out=$("$SM" -bC -C "$1" 2>&1); rc=$?; }
bc "$CF"
is "$rc" 0 "-bC: sendmail's maps are usable"
like "$out" "^sendmail: $T/aliases\\.db: Berkeley DB hash, owner smmta:smmsp, mode 0640, writable by smmta; read with libdb-5\\.3\\.so$" \
    "-bC: the aliases map is Berkeley DB hash, with owner, mode and writer"
like "$out" "^sendmail: map access: $T/access\\.db: Berkeley DB hash, owner smmta:smmsp, mode 0640" \
    "-bC: the access map is Berkeley DB hash"
like "$out" "^sendmail: map virtuser: $T/virtusertable\\.db: Berkeley DB btree, owner smmta:smmsp" \
    "-bC: the virtusertable is Berkeley DB btree"
chown root:smmsp "$T/access.db"
bc "$CF"
is "$rc" 78 "-bC: a map root:smmsp 0640 that sessions (smmta) cannot read is a problem"
like "$out" "map access: $T/access\\.db: Berkeley DB hash, owner root:smmsp, mode 0640, writable by root; sessions run as smmta and cannot read it; fix: chgrp smmta $T/access\\.db; chmod g\\+r,g-w $T/access\\.db" \
    "... with the fix"
chown smmta:smmsp "$T/access.db"

# --- damaged maps: 4xx, never 250, never a crash -----------------------------
cp -p "$T/access.db" "$T/access.good"
cp -p "$T/aliases.db" "$T/aliases.good"
# damage FILE HOW: truncate (a copy cut short), meta (the page size
# field), magic (no magic number).
damage() {
	python3 - "$1" "$2" <<'EOF'
import sys
f, how = sys.argv[1], sys.argv[2]
d = bytearray(open(f, 'rb').read())
if how == 'truncate':
    d = d[:len(d) // 2 + 100]
elif how == 'meta':
    d[20:24] = b'\x01\x00\x00\x00'
elif how == 'magic':
    d[0:16] = b'\x00' * 16
open(f, 'wb').write(bytes(d))
EOF
}
for how in truncate meta magic; do
	cp -p "$T/access.good" "$T/access.db"
	damage "$T/access.db" $how
	got=$(session "$CF" "$mails")
	like "$got" "^220 250 4[0-9][0-9] 4[0-9][0-9] 221$" \
	    "access map damaged ($how): MAIL answers 4xx, not 250 or 550"
	cp -p "$T/access.good" "$T/access.db"
	cp -p "$T/aliases.good" "$T/aliases.db"
	damage "$T/aliases.db" $how
	got=$(session "$CF" 'MAIL FROM:<a@example.org>
RCPT TO:<myalias>')
	like "$got" "^220 250 250 4[0-9][0-9] 221$" \
	    "aliases map damaged ($how): RCPT answers 4xx"
done
damage "$T/access.db" magic
bc "$CF"
is "$rc" 78 "-bC: a damaged map is a problem"
like "$out" "sendmail: $T/aliases\\.db: unknown format, owner smmta:smmsp, mode 0640, writable by smmta; fix: newaliases" \
    "-bC: the aliases map of unknown format, with the fix"
like "$out" "map access: $T/access\\.db: unknown format, .*; fix: makemap hash $T/access < $T/access" \
    "-bC: the access map of unknown format, with the fix"
cp -p "$T/aliases.good" "$T/aliases.db"

# Random damage to the pages of a bigger map must never crash a session.
i=1
while [ $i -le 300 ]; do echo "user$i target$i"; i=$((i + 1)); done >"$T/big"
"$MAKEMAP" -C "$T/empty.cf" -N hash "$T/big" <"$T/big" 2>>"$T/mm.err" || bail "makemap big"
"$MAKEMAP" -C "$T/empty.cf" -N btree "$T/bigb" <"$T/big" 2>>"$T/mm.err" || bail "makemap bigb"
crashes=0 n=0
for src in big bigb; do
	for seed in 1 2 3 4 5 6 7 8 9 10 11 12; do
		python3 - "$T/$src.db" "$T/aliases.db" $seed <<'EOF'
import random, sys
random.seed(int(sys.argv[3]))
d = bytearray(open(sys.argv[1], 'rb').read())
for _ in range(random.randint(1, 40)):
    d[random.randrange(36, len(d))] = random.randrange(256)
open(sys.argv[2], 'wb').write(bytes(d))
EOF
		got=$(session "$CF" 'MAIL FROM:<a@example.org>
RCPT TO:<user17>
RCPT TO:<nosuchuser>')
		n=$((n + 1))
		case $got in *signal*|"") crashes=$((crashes + 1))
			diag "seed $seed ($src): $got" ;; esac
	done
done
is "$crashes" 0 "$n randomly damaged maps: no session crashed"
chown smmta:smmsp "$T/aliases.db"
cp -p "$T/aliases.good" "$T/aliases.db"
cp -p "$T/access.good" "$T/access.db"

# --- libdb missing -----------------------------------------------------------
LIBDB=$(ldconfig -p | sed -n 's/^[[:space:]]*libdb-5\.3\.so .*=> //p' | head -1)
[ -n "$LIBDB" ] || bail "libdb-5.3.so not found by ldconfig"
: >"$T/nolib.so"
# nolib COMMAND...: COMMAND where libdb-5.3.so is an empty file.
nolib() {
	unshare -m sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' \
	    nolib "$T/nolib.so" "$LIBDB" "$@"
}
write_cf "$T/aliases-only.cf"
got=$(printf 'EHLO t\nMAIL FROM:<a@example.org>\nRCPT TO:<myalias>\nQUIT\n' |
    nolib "$SM" -Am -bs -C "$T/aliases-only.cf" 2>/dev/null | tr -d '\r')
is "$(codes "$got")" "220 250 250 451 221" "without libdb a session answers 451 for a local recipient"
got=$(printf 'EHLO t\n%s\nQUIT\n' "$mails" |
    nolib "$SM" -Am -bs -C "$CF" 2>/dev/null | tr -d '\r')
is "$(codes "$got")" "220 250 451 451 221" "... and 451 for MAIL when the access map is sendmail's"
out=$(nolib "$SM" -bC -C "$CF" 2>&1); rc=$?
is "$rc" 78 "-bC without libdb: a problem"
like "$out" "$T/aliases\\.db: a Berkeley DB hash map, and cannot load libdb-5\\.3\\.so: .*; fix: apt-get install libdb5\\.3" \
    "-bC without libdb names the package to install"

# --- sockmail's own GDBM maps still work -------------------------------------
ln -s "$SM" "$T/makemap"
rm -f "$T/access.db" "$T/aliases.db" "$T/virtusertable.db"
(cd "$T" && ./makemap hash access <access && ./makemap btree virtusertable <virtusertable) ||
    bail "sockmail's makemap failed"
"$SM" -bi -C "$CF" >/dev/null || bail "sockmail's newaliases failed"
is "$(session "$CF" "$rcpts")" "220 250 250 250 250 550 250 550 221" \
    "sockmail's GDBM aliases and virtusertable: the same answers"
is "$(session "$CF" "$mails")" "220 250 550 250 221" \
    "sockmail's GDBM access map: the same answers"
bc "$CF"
is "$rc:$out" "0:" "-bC: sockmail's GDBM maps, usable: nothing to say"

done_testing
