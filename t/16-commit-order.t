#!/bin/sh
# The queue's promise, checked on the system calls themselves (strace):
# the 250 after DATA is written only after the message is durable, in the
# order doc/ARCHITECTURE.md gives for each QueueCommit mode.
. "${0%/*}/lib.sh"
# LeakSanitizer cannot run under ptrace: under strace, no leak check.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
setup

msg='EHLO x\nMAIL FROM:<a@b.example>\nRCPT TO:<root@localhost>\nDATA\nSubject: order\n\nbody\n.\nQUIT\n'

trace() {	# trace MODE: run one session under strace, print the verdict
	write_cf "$T/$1.cf" "O QueueCommit=$1"
	printf "$msg" | strace -f -qq -s 400 -o "$T/$1.trace" \
	    -e trace=openat,fsync,syncfs,rename,renameat,renameat2,write \
	    "$SM" -Am -bs -C "$T/$1.cf" > "$T/$1.out"
	python3 - "$1" "$T/$1.trace" <<'PY'
import re, sys
mode, path = sys.argv[1], sys.argv[2]
fds, events = {}, []
for line in open(path):
    m = re.search(r'openat\((?:\d+|AT_FDCWD), "([^"]*)".*= (\d+)$', line)
    if m:
        name = m.group(1).rsplit("/", 1)[-1]
        fds[m.group(2)] = name[:2] if name[:2] in ("df", "tf") else "dir" if "mqueue" in m.group(1) else name
        continue
    m = re.search(r'(fsync|syncfs)\((\d+)\)\s+= 0', line)
    if m:
        events.append(m.group(1) + ":" + fds.get(m.group(2), "?"))
        continue
    if re.search(r'rename\w*\(.*"tf\w+".*"qf\w+"', line):
        events.append("rename")
        continue
    if re.search(r'write\(1, ".*250 2\.0\.0 \w+ Message accepted', line):
        events.append("250")
print(" ".join(events))
PY
}

got=$(trace fsync)
is "$got" "fsync:df fsync:tf rename fsync:dir 250" \
    "QueueCommit=fsync: df and tf fsync'd, renamed, directory fsync'd, then 250"
is "$(nq)" 1 "and the message is in the queue"
got=$(trace syncfs)
is "$got" "rename syncfs:dir 250" \
    "QueueCommit=syncfs: renamed, one syncfs of the queue's file system, then 250"
qf=$(ls -t "$Q"/qf* | head -1)
df="$Q/df${qf##*/qf}"
is "$(sed -n 's/^\${sockmail_dfsize}//p' "$qf")" "$(stat -c %s "$df")" \
    "the qf records the df size, so a df cut short by a crash can be told"
done_testing
