#!/bin/sh
# 70-mbox.t - local delivery into an mbox (src/local/mbox.c), as a real
# user: the driver mode of the unit test (`mbox_test deliver`) runs as
# smtest through setpriv, as the queue runner's child will after it has
# switched to the recipient.  The mailbox is read back by Python's
# mailbox module and by mutt when it is installed.  A spool like
# Debian's /var/mail (root:mail 2775); creating a mailbox needs the mail
# group; a full file system gives EX_TEMPFAIL and leaves the mailbox as
# it was; symlinks, hard links and other users' files are refused; both
# locks are honoured and two deliveries at once both land whole.
. "${0%/*}/lib.sh"
need_root "(the test user smtest, a tmpfs, files of other owners)"
need_cmd setpriv python3 cmp
export LC_ALL=C TZ=UTC	# the From lines below are in UTC
setup
[ -x "$SOCKMAIL_BUILD/t/mbox_test" ] ||
    bail "$SOCKMAIL_BUILD/t/mbox_test is missing: run make unit first"
D="$T/mbox_test"
cp "$SOCKMAIL_BUILD/t/mbox_test" "$D" && chmod 755 "$D"
getent group mail >/dev/null || groupadd -r mail
MAILGID=$(getent group mail | cut -d: -f3)
UIDT=$(id -u smtest)
SPOOL="$T/mail"
mkdir "$SPOOL" && chown root:mail "$SPOOL" && chmod 2775 "$SPOOL"
BOX="$SPOOL/smtest"

# As smtest with its own groups only, and with the spool's group too.
as_user() { setpriv --reuid=smtest --regid=smtest --init-groups -- "$@"; }
as_mail() { setpriv --reuid=smtest --regid=smtest --groups=mail -- "$@"; }

# deliver HOW [DRIVER-OPTIONS] PATH SENDER < MESSAGE: the status in $rc,
# the error line in $T/err.
deliver() {
	_how=$1
	shift
	"$_how" "$D" deliver -g "$MAILGID" "$@" 2>"$T/err"
	rc=$?
}

# mbox_read FILE: what Python's mailbox module finds, one line per
# message: From line, Return-Path, Subject, the body's repr().
mbox_read() {
	python3 - "$1" <<'PY'
import mailbox, sys
for m in mailbox.mbox(sys.argv[1], create=False):
    body = m.get_payload(decode=False)
    print("%s|%s|%s|%r" % (m.get_from(), m["Return-Path"], m["Subject"],
                           body))
PY
}

printf 'Subject: first\nFrom: Alice <alice@example.org>\nReturn-Path: <forged@evil.example>\n\nHello\nFrom the start of a line\n>From already quoted\nend\n' >"$T/m1"
printf 'Subject: second\r\nTo: smtest\r\n\r\nCRLF line\r\n\r\nFrom here too\r\n' >"$T/m2"

# --- creating the mailbox -------------------------------------------------
deliver as_user -t 1700000000 "$BOX" alice@example.org <"$T/m1"
is "$rc" 73 "without the spool's group the mailbox cannot be created (EX_CANTCREAT)"
like "$(cat "$T/err")" "2775, group mail" "  the error names the fix"
[ ! -e "$BOX" ]
ok $? "  and nothing is created"
deliver as_mail -t 1700000000 "$BOX" alice@example.org <"$T/m1"
is "$rc" 0 "with the mail group it is created and the message delivered"
is "$(stat -c '%U %G %a' "$BOX")" "smtest mail 600" \
    "  owned by the user, group mail (the spool's), mode 0600"
[ ! -e "$BOX.lock" ]
ok $? "  no dotlock left"
# Without the mail group the spool is not writable: no dotlock, fcntl only.
deliver as_user -t 1700000060 "$BOX" "" <"$T/m2"
is "$rc" 0 "a second message, as the user alone (fcntl lock only), sender <>"

# --- read back --------------------------------------------------------------
is "$(mbox_read "$BOX")" "alice@example.org Tue Nov 14 22:13:20 2023|<alice@example.org>|first|'Hello\\n>From the start of a line\\n>From already quoted\\nend\\n'
MAILER-DAEMON Tue Nov 14 22:14:20 2023|<>|second|'CRLF line\\n\\n>From here too\\n'" \
    "Python's mailbox reads both: From line, our Return-Path, body (mboxo quoting, CRLF as LF)"
is "$(grep -c '^Return-Path:' "$BOX")" 2 "one Return-Path per message (the forged one dropped)"
need_cmd mutt script
rm -f "$T/mutt.out"
# folder and HOME in $T: no "Create ~/Mail?" prompt eats the keys.
TERM=vt100 HOME=$T timeout 20 script -qec "mutt -n -F /dev/null -R \
    -f '$BOX' -e 'set folder=$T spoolfile=$BOX record=/dev/null' \
    -e 'set pipe_split=yes pipe_decode=no wait_key=no' \
    -e 'push \"<tag-pattern>~A<enter><tag-prefix><pipe-entry>cat >>$T/mutt.out<enter><exit>\"'" \
    /dev/null >/dev/null 2>&1
is "$(grep -c '^From ' "$T/mutt.out" 2>/dev/null)" 2 "mutt -f sees two messages"
is "$(grep '^Subject:' "$T/mutt.out" 2>/dev/null | tr '\n' ' ')" \
    "Subject: first Subject: second " "  with their subjects"

# --- refusals ---------------------------------------------------------------
cp "$BOX" "$T/before"
ln -s "$BOX" "$SPOOL/sym"
deliver as_mail "$SPOOL/sym" a@b.example <"$T/m1"
is "$rc" 73 "a symlinked mailbox is refused (EX_CANTCREAT)"
like "$(cat "$T/err")" "symbolic link.*remove it" "  with the reason and the fix"
ln "$BOX" "$SPOOL/hard"
deliver as_mail "$SPOOL/hard" a@b.example <"$T/m1"
is "$rc" 73 "a hard-linked mailbox is refused (EX_CANTCREAT)"
like "$(cat "$T/err")" "2 hard links" "  says so"
deliver as_mail "$BOX" a@b.example <"$T/m1"
is "$rc" 73 "  and so is the mailbox itself while the link exists"
rm -f "$SPOOL/hard" "$SPOOL/sym"
cmp -s "$BOX" "$T/before"
ok $? "  the mailbox is untouched"
: >"$SPOOL/other" && chown smmsp:mail "$SPOOL/other" && chmod 660 "$SPOOL/other"
deliver as_mail "$SPOOL/other" a@b.example <"$T/m1"
is "$rc" 77 "a mailbox owned by another user is refused (EX_NOPERM)"
like "$(cat "$T/err")" "belongs to uid $(id -u smmsp), not to uid $UIDT" "  names both uids"
is "$(stat -c %s "$SPOOL/other")" 0 "  nothing written to it"
chown smtest "$SPOOL/other" && chmod 666 "$SPOOL/other"
deliver as_user "$SPOOL/other" a@b.example <"$T/m1"
is "$rc" 77 "a world-writable mailbox is refused (EX_NOPERM)"
chmod 600 "$SPOOL/other"
deliver as_user "$SPOOL/other" a@b.example <"$T/m1"
is "$rc" 0 "  delivered once chmod 600"
: >"$T/rootbox" && chmod 600 "$T/rootbox"
"$D" deliver "$T/rootbox" a@b.example <"$T/m1" 2>"$T/err"
is "$?" 70 "as root without being told it is root's mailbox: refused (EX_SOFTWARE)"
"$D" deliver -r "$T/rootbox" a@b.example <"$T/m1" 2>"$T/err"
is "$?" 0 "  and delivered when it is (-r, root_ok)"

# --- the locks ----------------------------------------------------------------
# hold_fcntl SECONDS: a reader's fcntl() write lock on $BOX, as mutt's.
hold_fcntl() {
	python3 - "$BOX" "$1" "$T/held" <<'PY' &
import fcntl, sys, time
f = open(sys.argv[1], "r+")
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[3], "w").close()
time.sleep(float(sys.argv[2]))
PY
	holder=$!
	wait_for 5 test -e "$T/held"
}
cp "$BOX" "$T/before"
rm -f "$T/held"; hold_fcntl 3
deliver as_mail -w 1 "$BOX" a@b.example <"$T/m1"
is "$rc" 75 "an fcntl lock held past lock_wait: EX_TEMPFAIL"
like "$(cat "$T/err")" "locked by another program \\(fcntl\\)" "  says so"
cmp -s "$BOX" "$T/before"
ok $? "  the mailbox untouched"
[ ! -e "$BOX.lock" ]
ok $? "  our dotlock removed again"
wait "$holder"
rm -f "$T/held"; hold_fcntl 1
start=$(date +%s)
deliver as_mail -w 10 "$BOX" a@b.example <"$T/m1"
is "$rc" 0 "a lock released within lock_wait: we wait and deliver"
wait "$holder"
cp "$BOX" "$T/before"
: >"$BOX.lock"
deliver as_mail -w 1 "$BOX" a@b.example <"$T/m1"
is "$rc" 75 "a fresh dotlock of another program: EX_TEMPFAIL"
like "$(cat "$T/err")" "smtest.lock exists.*remove" "  names it and the fix"
cmp -s "$BOX" "$T/before"
ok $? "  the mailbox untouched"
touch -d '10 minutes ago' "$BOX.lock"
deliver as_mail -w 1 "$BOX" a@b.example <"$T/m1"
is "$rc" 0 "a dotlock 10 minutes old is stale: removed, delivered"
[ ! -e "$BOX.lock" ]
ok $? "  and no dotlock left"

# --- two (four) deliveries at once -------------------------------------------
# Each 2 MB, written in 64 KB pieces: without the lock their pieces
# would interleave.  Half take the dotlock too (mail group), half not.
rm -f "$BOX"
for i in 1 2 3 4; do
	{ echo "Subject: big $i"; echo; seq -f "message $i line %g" 1 100000; } >"$T/big$i"
done
for i in 1 2 3 4; do
	if [ $((i % 2)) = 0 ]; then how=as_mail; else how=as_user; fi
	[ $i = 1 ] && how=as_mail	# creates the mailbox
	"$how" "$D" deliver -g "$MAILGID" -w 30 "$BOX" "p$i@example.org" <"$T/big$i" 2>"$T/err$i" &
	eval "pid$i=\$!"
	[ $i = 1 ] && wait_for 5 test -e "$BOX"
done
st=""
for i in 1 2 3 4; do eval "wait \$pid$i"; st="$st$? "; done
is "$st" "0 0 0 0 " "four deliveries at once all succeed"
python3 - "$BOX" <<'PY' >"$T/check"
import mailbox, sys
seen = []
for m in mailbox.mbox(sys.argv[1], create=False):
    i = m["Subject"].split()[-1]
    want = "".join("message %s line %d\n" % (i, n) for n in range(1, 100001))
    seen.append("%s:%s" % (i, "whole" if m.get_payload() == want else "BROKEN"))
print(" ".join(sorted(seen)))
PY
is "$(cat "$T/check")" "1:whole 2:whole 3:whole 4:whole" \
    "  each lands whole, none interleaved (Python's reader)"

# --- a full file system -------------------------------------------------------
S="$T/small"
mkdir "$S"
mount -t tmpfs -o size=256k,mode=0755 tmpfs "$S" || bail "cannot mount a tmpfs"
chown smtest "$S"
deliver as_user -t 1700000000 "$S/box" a@b.example <"$T/m1"
is "$rc" 0 "a small message fits on the small file system"
cp "$S/box" "$T/before"
{ echo "Subject: too big"; echo; seq -f "line %g of a message larger than the file system" 1 10000; } >"$T/huge"
deliver as_user "$S/box" a@b.example <"$T/huge"
is "$rc" 75 "a message larger than the free space: EX_TEMPFAIL"
like "$(cat "$T/err")" "No space left on device: free space" "  the reason and the fix"
cmp -s "$S/box" "$T/before"
ok $? "  the mailbox is exactly as before (cut back)"
is "$(ls "$S" | tr '\n' ' ')" "box " "  no dotlock or other file left"
deliver as_user -t 1700000100 "$S/box" b@c.example <"$T/m2"
is "$rc" 0 "the next message fits and is delivered"
is "$(mbox_read "$S/box" | cut -d'|' -f1,3)" "a@b.example Tue Nov 14 22:13:20 2023|first
b@c.example Tue Nov 14 22:15:00 2023|second" "  the mailbox reads as two whole messages"
done_testing
