#!/bin/sh
# 29-lookup-helper.t - the session's lookup helper (src/lib/lookup.c) and
# the passwd file read without NSS (src/lib/passwd.c), with the real
# binary and the real C library.  Each session runs in a private mount
# namespace (unshare -m) with an nsswitch.conf of the test's own bound
# over /etc/nsswitch.conf, started like inetd starts it (the connected socket
# on fds 0 and 1, as root, dropping to smmta), by t/lookup-drive.py,
# which watches the session's children through /proc and collects the
# ones it leaves behind (a subreaper):
#  - "passwd: files": users in /etc/passwd and users not there are
#    answered in the session; no helper is started;
#  - "passwd: files compat": a name not in the file must go to NSS; that
#    is the helper's work: one helper, running as smmta, holding none of
#    the client's descriptors, asked again for the next name; killed, it
#    is replaced; it goes when the session does;
#  - a helper that does not answer (stopped): 451 4.3.0 after
#    Timeout.command, and a new helper for the next lookup;
#  - STARTTLS starts the helper before the key is read, so it never
#    holds the key or the session's keys (nor maps GnuTLS);
#  - fork() refused (RLIMIT_NPROC): the session looks up itself, and
#    answers the same, and says so in the log.
. "${0%/*}/lib.sh"
export LC_ALL=C

need_root "(mount namespaces, RunAsUser)"
need_cmd unshare
setup
LOG="$T/log"
LOG_TAG=sendmail
: >"$LOG"

nss() { # FILE PASSWD-SERVICES
	printf 'passwd: %s\ngroup: files\nshadow: files\nhosts: files\n' "$2" >"$1"
	chmod 644 "$1"
}
# drive NAME NSSWITCH-FILE MODE [CF]: one session; its findings in $T/NAME.out
drive() {
	with_syslog unshare -m sh -c \
	    "mount --bind '$2' /etc/nsswitch.conf && exec python3 '$T_DIR/lookup-drive.py' '$SM' '${4:-$CF}' '$3'" \
	    >"$T/$1.out" 2>&1
}
val() { sed -n "s/^$2 //p" "$T/$1.out" | head -1; }

# --- passwd: files ------------------------------------------------------------------
nss "$T/nss-files" "files"
drive files "$T/nss-files" plain
is "$(val files root)" "250 2.1.5" "files: root is a local user (from /etc/passwd)"
is "$(val files nosuch)" "550 5.1.1" "files: a name not in /etc/passwd is unknown: 550 5.1.1"
is "$(val files helpers)" "0" "files: the passwd file settles both, no helper is started"
is "$(val files orphans)" "0" "... and nothing is left behind"
is "$(val files eof)" "EOF" "the client sees the end after QUIT"

# --- passwd: files compat -------------------------------------------------------------
nss "$T/nss-compat" "files compat"
drive compat "$T/nss-compat" plain
is "$(val compat root)" "250 2.1.5" "files compat: root from the file, in the session"
is "$(val compat after_root)" "0" "... without a helper"
is "$(val compat nosuch)" "550 5.1.1" "files compat: an unknown name, asked of NSS: 550 5.1.1"
is "$(val compat helpers)" "1" "... by one helper process"
is "$(val compat helper_uid)" "$(id -u smmta)" "the helper runs as the session's user (smmta), not root"
is "$(val compat helper_holds_client)" "0" "the helper holds none of the client's connection"
is "$(val compat nosuch2)" "550 5.1.1" "the next unknown name: 550 5.1.1"
is "$(val compat same_helper)" "1" "... from the same helper"
is "$(val compat nosuch3)" "550 5.1.1" "helper killed: the next lookup still answers 550 5.1.1"
is "$(val compat new_helper)" "1" "... from a new helper"
is "$(val compat eof)" "EOF" "QUIT: the client sees the end of the connection"
is "$(val compat orphans)" "1" "the helper goes when the session does (collected by the subreaper)"
is "$(val compat status)" "0" "the session exits 0"

# --- a helper that does not answer -----------------------------------------------------
write_cf "$T/stop.cf" "O Timeout.command=3s"
drive stop "$T/nss-compat" stop "$T/stop.cf"
is "$(val stop nosuch)" "550 5.1.1" "Timeout.command=3s: a helper answers"
is "$(val stop stopped)" "451 4.3.0" "the helper stopped (SIGSTOP): 451 4.3.0, a temporary failure"
secs=$(val stop stopped_secs)
ok $([ "${secs:-0}" -ge 2 ] && [ "${secs:-0}" -le 10 ] && echo 0 || echo 1) \
    "... after Timeout.command (3 s; took ${secs:-?} s)"
logged 'lookup helper: no answer in time' "the session logs that the helper did not answer"
is "$(val stop after_stop)" "550 5.1.1" "the next lookup goes to a new helper: 550 5.1.1"
is "$(val stop helpers_after_stop)" "1" "... the stopped one was ended and collected (one child)"
is "$(val stop status)" "0" "the session exits 0"

# --- STARTTLS ---------------------------------------------------------------------------------
make_cert
write_cf "$T/tls.cf" "O ServerCertFile=$T/cert.pem" "O ServerKeyFile=$T/key.pem"
drive tls "$T/nss-compat" tls "$T/tls.cf"
is "$(val tls starttls)" "220" "STARTTLS: 220"
is "$(val tls tls_helpers)" "1" "the helper is started at STARTTLS, before any lookup"
is "$(val tls session_gnutls)" "1" "the session maps GnuTLS"
is "$(val tls helper_gnutls)" "0" "the helper does not: it was forked before the key was read"
is "$(val tls root)" "250 2.1.5" "over TLS: root, from the passwd file"
is "$(val tls nosuch)" "550 5.1.1" "over TLS: an unknown name, from the same helper"
is "$(val tls helpers)" "1" "... still one helper"
is "$(val tls status)" "0" "the session exits 0"

# --- no helper to be had ------------------------------------------------------------------
drive nproc "$T/nss-compat" nproc
is "$(val nproc root)" "250 2.1.5" "RLIMIT_NPROC: root is still a user"
is "$(val nproc nosuch)" "550 5.1.1" "RLIMIT_NPROC: an unknown name is still 550 5.1.1 (looked up in the session)"
is "$(val nproc helpers)" "0" "... with no helper"
is "$(val nproc nosuch_again)" "550 5.1.1" "... and the next one too"
wait_log 'lookup helper: fork: .*; looking up in the session'
ok $? "the session logs that it could not start a helper"
is "$(grep -c 'lookup helper: fork: ' "$LOG")" 1 "... once: it does not try again in that session"
is "$(val nproc status)" "0" "the session exits 0"

grep -q "Traceback" "$T"/*.out && sed 's/^/# /' "$T"/*.out
done_testing
