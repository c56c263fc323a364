#!/bin/sh
# 35-admin.t - what a sendmail administrator meets in the first hour
# (issue 15, item 15): help, the version, the links sendmail installs.
. "${0%/*}/lib.sh"
setup

out=$("$SM" --help 2>&1); rc=$?
is "$rc" 0 "--help exits 0"
like "$out" '^usage: sendmail ' "--help prints the usage"
like "$out" '-bs +one SMTP session' "... and what each mode does"

out=$("$SM" --version 2>&1); rc=$?
is "$rc" 0 "--version exits 0"
like "$out" '^Version sockmail [0-9]' "--version: a Version line, as sendmail's -d0.1 prints"
is "$("$SM" -bV -C "$CF" 2>&1 | head -1)" "$(printf '%s\n' "$out" | head -1)" "-bV says the same"
out=$("$SM" -d0.1 -bp -C "$CF" 2>&1)
like "$out" '^Version sockmail [0-9]' "-d0.1 prints the version before the mode runs"
like "$out" 'Mail queue is empty|Total requests' "... and the mode still runs"

for l in hoststat purgestat; do
	ln -s "$SM" "$T/$l"
	out=$("$T/$l" -C "$CF" 2>&1); rc=$?
	is "$rc" 0 "$l (a link to sendmail) exits 0"
	like "$out" "^$l: sockmail keeps no host status" "$l says there is no host status"
	unlike "$out" 'mode -bm' "$l does not say mode -bm"
done

# --- Issue 15.11: no RunAsUser (Debian's stock sendmail.cf sets none) ---
if is_root; then
	grep -v '^O RunAsUser=' "$CF" > "$T/norun.cf"
	chmod 644 "$T/norun.cf"
	: > "$T/aliases"
	"$SM" -bi -C "$T/norun.cf" >/dev/null 2>&1
	out=$(printf 'EHLO x\nMAIL FROM:<a@b.example>\nRCPT TO:<root@localhost>\nDATA\nSubject: t\n\nhi\n.\nQUIT\n' |
	    "$SM" -Am -bs -C "$T/norun.cf" 2>&1)
	like "$out" '^220 ' "no RunAsUser, started as root: the session greets (220), not 421"
	id=$(qid_of "$out")
	[ -n "$id" ] && is "$(stat -c %U "$Q/qf$id")" smmta "... and runs as smmta, the default"
	[ -n "$id" ] || ok 1 "... and the message is queued"
	out=$("$SM" -bC -C "$T/norun.cf" 2>&1)
	like "$out" 'RunAsUser is not set: SMTP sessions started as root run as smmta' \
	    "-bC says sessions run as smmta"
	# Without the account: refused, and said on stderr (not only in syslog).
	grep -v '^smmta:' /etc/passwd > "$T/passwd.nosmmta"
	chmod 644 "$T/passwd.nosmmta"
	out=$(printf 'QUIT\n' | unshare -m sh -c "mount --bind '$T/passwd.nosmmta' /etc/passwd &&
	    exec script -qec \"'$SM' -Am -bs -C '$T/norun.cf'\" /dev/null" 2>&1)
	like "$out" 'sets no RunAsUser and there is no smmta account.*fix: O RunAsUser=' \
	    "no smmta account either: stderr says why and how to fix it"
	like "$out" '421 ' "... and the session answers 421"
	out=$(unshare -m sh -c "mount --bind '$T/passwd.nosmmta' /etc/passwd &&
	    exec '$SM' -bC -C '$T/norun.cf'" 2>&1); rc=$?
	is "$rc" 78 "-bC exits 78 then"
	like "$out" 'there is no smmta account' "... and says so"
fi
done_testing
