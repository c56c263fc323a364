#!/bin/sh
# 25-io-faults.t - every system call of the commit fails in turn, for
# real: strace's fault injection makes the kernel's answer to one call an
# error (EIO, EDQUOT, ENOSPC).  Each session sends two messages; the one
# whose commit fails must get 451 4.3.0 or 452 4.3.1 and leave nothing in
# the queue, the next must be accepted whole, and the failure is logged.
# Also: the session holds a lock on its tf (and so on the qf it becomes)
# from creation until the commit is over, as sendmail does, so that a
# queue runner never starts on a message the commit may still take back.
. "${0%/*}/lib.sh"
# LeakSanitizer cannot run under ptrace: under strace, no leak check.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export LC_ALL=C

need_cmd strace flock
setup
write_cf "$T/fsync.cf" "O QueueCommit=fsync"
write_cf "$T/syncfs.cf" "O QueueCommit=syncfs"
LOG="$T/log"

two_msgs='EHLO x\nMAIL FROM:<a@b.example>\nRCPT TO:<root@localhost>\nDATA\nSubject: first\n\none\n.\nMAIL FROM:<a@b.example>\nRCPT TO:<root@localhost>\nDATA\nSubject: second\n\ntwo\n.\nQUIT\n'

# fault NAME MODE INJECT WANT: one session under strace -e inject=INJECT;
# WANT is the reply to the first message's end of data.
fault() {
	find "$Q" -type f -delete
	: >"$LOG"
	printf "$two_msgs" | with_syslog \
	    strace -f -qq -o /dev/null -e inject="$3" \
	    "$SM" -Am -bs -C "$T/$2.cf" >"$T/$1.out" 2>"$T/$1.err"
	ends=$(tr -d '\r' <"$T/$1.out" | grep -E '^(250 2\.0\.0|45[0-9]|55[0-9]) ' |
	    cut -c1-9 | tr '\n' ' ')
	is "$ends" "$4 250 2.0.0 " "$1: the failed commit gets $4, the next message 250"
	is "$(ls "$Q" | cut -c1-2 | sort | tr '\n' ' ')" "df qf " \
	    "$1: the queue holds one qf and one df, no tf"
	qf=$(ls "$Q"/qf* 2>/dev/null | head -1)
	grep -q '^H??Subject: second$' "$qf" 2>/dev/null
	ok $? "$1: and it is the second message"
	wait_log 'SYSERR: queue commit failed' 5
	grep -q 'SYSERR: queue commit failed in .*: ' "$LOG"
	ok $? "$1: the failure is logged with its reason"
}

# QueueCommit=fsync: fsync(df), fsync(tf), rename, fsync(dir) per message.
fault "fsync(df) EIO" fsync "fsync:error=EIO:when=1" "451 4.3.0"
fault "fsync(tf) EDQUOT" fsync "fsync:error=EDQUOT:when=2" "452 4.3.1"
fault "fsync(tf) ENOSPC" fsync "fsync:error=ENOSPC:when=2" "452 4.3.1"
fault "rename EIO" fsync "rename,renameat,renameat2:error=EIO:when=1" "451 4.3.0"
# The qf is in place when the directory's fsync fails: it is taken back.
fault "fsync(dir) EIO" fsync "fsync:error=EIO:when=3" "451 4.3.0"
fault "syncfs EIO" syncfs "syncfs:error=EIO:when=1" "451 4.3.0"
# A write error on the df surfaces at the end of data (the body is
# buffered); ENOSPC from a small file system is t/14's full-disk case.

# --- the lock -------------------------------------------------------------------
find "$Q" -type f -delete
mkfifo "$T/in"
"$SM" -Am -bs -C "$T/fsync.cf" <"$T/in" >"$T/lock.out" 2>&1 &
sm=$!
exec 7>"$T/in"
printf 'EHLO x\nMAIL FROM:<a@b.example>\nRCPT TO:<root@localhost>\nDATA\nSubject: locked\n\n' >&7
has_tf() { ls "$Q" | grep -q '^tf'; }
wait_for 5 has_tf
tf=$(ls "$Q" | grep '^tf' | head -1)
[ -n "$tf" ] && ! flock -n -s "$Q/$tf" true
ok $? "while the message is received its tf is locked (flock -n fails)"
printf '.\n' >&7
wait_for 5 grep -q '^250 2\.0\.0' "$T/lock.out"
qf=$(ls "$Q" | grep '^qf' | head -1)
[ -n "$qf" ] && flock -n -s "$Q/$qf" true
ok $? "after the 250 the qf is no longer locked (a runner may take it)"
printf 'QUIT\n' >&7
exec 7>&-
wait $sm
is "$?" 0 "the session ends normally"
done_testing
