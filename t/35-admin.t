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
done_testing
