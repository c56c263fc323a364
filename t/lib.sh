# t/lib.sh - shared by the t/*.t shell tests: TAP output, a fresh sandbox
# per test file, a private configuration and queue, the test users, and
# the helpers more than one test needs (servers, waits, clients); each
# says its contract above it, and t/README.md lists them.
# Source it: . "${0%/*}/lib.sh"

set -u
T_DIR=$(cd "${0%/*}" && pwd)
SRC_DIR=$(cd "$T_DIR/.." && pwd)
: "${SOCKMAIL_BUILD:=$SRC_DIR/build}"
SM="$SOCKMAIL_BUILD/sendmail"
_n=0
_failed=0
_pids=""

ok() {	# ok COND-STATUS DESCRIPTION
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_failed=$((_failed + 1))
	fi
}

is() {	# is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then ok 0 "$3"; else
		ok 1 "$3"
		printf '#   got:      %s\n#   expected: %s\n' "$1" "$2"
	fi
}

like() {	# like TEXT EXTENDED-REGEX DESCRIPTION
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else
		ok 1 "$3"
		printf '%s\n' "$1" | head -20 | sed 's/^/#   /'
		printf '#   does not match: %s\n' "$2"
	fi
}

unlike() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok 1 "$3"
		printf '%s\n' "$1" | head -20 | sed 's/^/#   /'
		printf '#   matches: %s\n' "$2"
	else ok 0 "$3"; fi
}

diag() { printf '# %s\n' "$*"; }

bail() { echo "Bail out! $*"; exit 1; }

done_testing() {
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
}

# skip DESCRIPTION: one test that this run cannot make, counted as
# skipped ("ok N # SKIP DESCRIPTION").
skip() { _n=$((_n + 1)); echo "ok $_n # SKIP $*"; }

# Start a background process and remember it for cleanup.
bg() { "$@" & _pids="$_pids $!"; }

# stop_bg: end every process bg started (TERM, then wait for each), so
# that a test can start its servers anew; at exit _cleanup does it too.
stop_bg() {
	for p in $_pids; do kill "$p" 2>/dev/null; done
	for p in $_pids; do wait "$p" 2>/dev/null; done
	_pids=
}

_cleanup() {
	stop_bg
	[ -n "${T:-}" ] && [ -d "$T" ] && {
		mountpoint -q "$T/small" 2>/dev/null && umount "$T/small"
		rm -rf "$T"
	}
}

is_root() { [ "$(id -u)" = 0 ]; }

# need_root WHY: not root, the whole file is skipped ("1..0 # SKIP needs
# root WHY", exit 0); WHY says what root is needed for, e.g.
# "for a network namespace" or "(tmpfs, queue owners)".  Call it before
# setup.
need_root() {
	is_root && return 0
	echo "1..0 # SKIP needs root $*"
	exit 0
}

# need_cmd PROGRAM...: every PROGRAM is on $PATH, or the test bails out.
# A missing program is a failure, not a skip: make deps (t/deps.sh)
# installs every one the tests use, so a machine without it is not set
# up as make check expects.
need_cmd() {
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 ||
		    bail "$_c is not installed (make deps installs it)"
	done
}

# The users production uses.  Tests run as root in CI and create them.
ensure_users() {
	is_root || return 0
	getent group smmsp >/dev/null || groupadd -r smmsp
	getent group smmta >/dev/null || groupadd -r smmta
	getent passwd smmsp >/dev/null ||
		useradd -r -g smmsp -d /var/lib/sockmail -s /usr/sbin/nologin smmsp
	getent passwd smmta >/dev/null ||
		useradd -r -g smmta -d /var/lib/sockmail -s /usr/sbin/nologin smmta
	getent passwd smtest >/dev/null ||
		useradd -m -s /bin/sh smtest 2>/dev/null || true
}

# Fresh sandbox: $T with a queue $Q and a config $CF.
setup() {
	T=$(mktemp -d /tmp/sockmail-t.XXXXXX) || bail "mktemp"
	chmod 755 "$T"
	trap _cleanup EXIT
	trap 'exit 1' INT TERM
	ensure_users
	Q="$T/mqueue"
	mkdir -m 700 "$Q"
	is_root && chown smmta:smmta "$Q"
	CF="$T/sendmail.cf"
	write_cf "$CF" "$@"
}

# write_cf FILE [extra cf lines...]: the test configuration.  It names
# every file a session or -bi/-bp/-bC would otherwise take from its
# compiled-in default (/var/spool/mqueue, /etc/mail/aliases,
# /etc/sasldb2) as one under $T, whether it exists or not: a test never
# reads the host's mail configuration (make check proves it with a
# hostile /etc/mail, t/hostile-etc-mail.sh).  An extra line that names
# a map, class file, certificate... names one under $T too.
write_cf() {
	_f=$1; shift
	{
		echo "# test configuration written by t/lib.sh"
		echo "V10/Berkeley"
		echo "Djmx.test.example"
		echo "Cw localhost mx.test.example test.example [127.0.0.1]"
		echo "O QueueDirectory=$Q"
		echo "O AliasFile=$T/aliases"
		echo "O AuthSasldbPath=$T/sasldb"
		echo "O MaxRecipientsPerMessage=5"
		echo "O MaxMessageSize=200000"
		echo "O RejectNUL=True"
		echo "O Timeout.command=20s"
		echo "O Timeout.datablock=20s"
		is_root && echo "O RunAsUser=smmta"
		for l in "$@"; do echo "$l"; done
	} > "$_f"
	chmod 644 "$_f"
}

# make_aliases CF LINE...: $T/aliases (the AliasFile of write_cf's
# configurations) holds the LINEs ("postmaster: root"), and its map is
# built by sendmail -bi -C CF; bails out if that fails.
make_aliases() {
	_cf=$1
	shift
	printf '%s\n' "$@" >"$T/aliases"
	"$SM" -bi -C "$_cf" >/dev/null || bail "newaliases failed"
}

# A free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Wait until something listens on 127.0.0.1:$1 (at most 10 s).
wait_port() {
	python3 - "$1" <<'PY'
import socket, sys, time
end = time.time() + 10
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}

# wait_for SECONDS COMMAND...: run COMMAND every 0.1 s until it
# succeeds, at most SECONDS (a whole number) long; true if it did.  The
# one polling loop of the tests: every wait is bounded by it.
wait_for() {
	_wf_max=$(($1 * 10))
	shift
	_wf_i=0
	until "$@"; do
		_wf_i=$((_wf_i + 1))
		[ "$_wf_i" -gt "$_wf_max" ] && return 1
		sleep 0.1
	done
	return 0
}

# swaks_at PORT SWAKS-ARGS...: swaks against 127.0.0.1:PORT, at most 30
# s; prints its transcript (stdout and stderr), returns swaks' status.
swaks_at() {
	_sp=$1
	shift
	timeout 30 swaks --server "127.0.0.1:$_sp" "$@" 2>&1
}

# smtp_pipe: feed stdin (LF lines are fine: a pipe is a local client) to
# a -Am -bs session; prints the replies.
smtp_pipe() { "$SM" -Am -bs -C "$CF" "$@"; }

# CRLF: turn LF-terminated text on stdin into CRLF lines.
crlf() { sed 's/$/\r/'; }

# raw PORT: send stdin's bytes to 127.0.0.1:PORT after the banner (or
# at once with -n), print every reply; see t/smtpraw.py.
raw() { python3 "$T_DIR/smtpraw.py" "$@"; }

# table TEXT: the lines of TEXT that are neither blank nor comments (a
# table of cases written into the test as a string).
table() { printf '%s\n' "$1" | grep -v '^#' | grep -v '^$'; }

# field N KEY < lines: the Nth tab-separated field of the lines whose
# first field is KEY (the probes of t/data/*/txprobe.py print such).
field() { awk -F '\t' -v n="$1" -v k="$2" '$1 == k { print $n }'; }

# Queue file names
qfs() { ls "$Q" 2>/dev/null | grep '^qf' ; }
nq() { ls "$Q" 2>/dev/null | grep -c '^qf'; }

# --- servers, and their syslog ----------------------------------------------
# start_server NAME [CF]: serve CF ($T/NAME.cf by default) on a free
# 127.0.0.1 port through systemd-socket-activate --inetd --accept (one
# process per connection, as production runs it); its stderr is
# appended to $T/ssa-NAME.log.  Returns once the port listens (at most
# 10 s, else bails out); PORT_NAME is set.
start_server() {
	_p=$(free_port)
	bg systemd-socket-activate -l "127.0.0.1:$_p" --inetd --accept -- \
	    "$SM" -Am -bs -C "${2:-$T/$1.cf}" 2>>"$T/ssa-$1.log"
	wait_port "$_p" || bail "server $1 did not start on port $_p"
	eval "PORT_$1=$_p"
}

# with_syslog COMMAND...: run COMMAND with a private /dev/log whose
# messages are appended to $LOG (see withsyslog.py); its exit status.
# Not for bg: the process to end would be a subshell, not withsyslog.py;
# a server names python3 "$T_DIR/withsyslog.py" itself.
with_syslog() { python3 "$T_DIR/withsyslog.py" "$LOG" "$@"; }

# Set LOG (the syslog file, see withsyslog.py) and LOG_TAG (the -L tag of
# the sessions) first.
# start_logged_server NAME [CF [PORT]]: as start_server, but the sessions
# log to $LOG under the tag $LOG_TAG, and the activator's stdout and
# stderr go to $T/ssa-NAME.log (written anew); PORT, when given, is used
# instead of a free one (for a cf whose DaemonPortOptions name it).
start_logged_server() {
	_p=${3:-$(free_port)}
	bg python3 "$T_DIR/withsyslog.py" "$LOG" systemd-socket-activate \
	    -l "127.0.0.1:$_p" --inetd --accept -- \
	    "$SM" -Am -bs -L "$LOG_TAG" -C "${2:-$T/$1.cf}" >"$T/ssa-$1.log" 2>&1
	wait_port "$_p" || bail "server $1 did not start on port $_p"
	eval "PORT_$1=$_p"
}

# ssa_errors [CODES]: the first 20 lines of the $T/ssa-*.log files that
# are neither systemd-socket-activate's own log lines nor a session's
# exit with one of CODES (an extended regex, "0" by default): what the
# sessions wrote to stderr, a sanitizer report (SANITIZE=1) say.  Empty
# when all is well.
ssa_errors() {
	cat "$T"/ssa-*.log |
	    grep -vE "^(Listening on|Communication attempt|Connection from|Execing|Spawned |Child [0-9]+ died with code (${1:-0})\$)" |
	    head -20
}

# wait_log REGEX [SECONDS]: true once a line of $LOG matches the
# extended REGEX (at most SECONDS, 10 by default): the sessions log
# asynchronously, after their reply.
wait_log() { wait_for "${2:-10}" grep -Eq -- "$1" "$LOG"; }
# wait_line FILE STRING [SECONDS]: the same for a line of FILE (which
# may not exist yet) holding the fixed STRING: for servers that each
# log to a file of their own.
wait_line() { wait_for "${3:-10}" grep -qF -- "$2" "$1" 2>/dev/null; }
# logged REGEX DESCRIPTION: a test that $LOG gets such a line.
logged() {
	wait_log "$1"
	ok $? "$2"
	[ -z "$(grep -E -- "$1" "$LOG")" ] && grep -- "$LOG_TAG" "$LOG" |
	    tail -5 | sed 's/^/#   log: /'
	return 0
}
# codes TEXT: the reply codes of the last line of every reply, on one line.
codes() {
	printf '%s\n' "$1" | grep -E '^[0-9]{3}( |$)' | cut -c1-3 | tr '\n' ' ' |
	    sed 's/ $//'
}
# qid_of [TEXT]: the queue id of the last "250 2.0.0 <id> Message
# accepted for delivery" in TEXT (or on stdin, without TEXT); the reply
# may stand anywhere in its line (swaks' "<-  250 ...", a CR after it).
qid_of() {
	if [ $# -gt 0 ]; then printf '%s\n' "$1"; else cat; fi |
	    sed -n 's/.*250 2\.0\.0 \([A-Za-z0-9]*\) Message accepted for delivery.*/\1/p' |
	    tail -1
}
# received QF: our Received: header in QF, one line per header line.
received() { sed -n '/^H??Received: /,/^[^\t]/p' "$1" | sed '$d'; }
# py ARGS < script: python3 with t/smtpclient.py (and $T) importable.
py() { PYTHONPATH="$T:$T_DIR" timeout 60 python3 - "$@"; }

# netns_up ADDR...: a network namespace of the test's own ($NS) with each
# IPv4 ADDR as a /32 on its loopback device, for clients that must come
# from elsewhere (the relay decision reads the socket's peer).  It is
# deleted at exit, after the background processes, which may live in it.
# "ip netns exec" mounts the files of /etc/netns/$NS over /etc: there
# host names come from its own hosts file only (no DNS), unless a test
# writes its own nsswitch.conf and resolv.conf there.
netns_up() {
	NS=smt$$
	trap _netns_cleanup EXIT
	trap 'exit 1' INT TERM HUP PIPE
	mkdir -p "/etc/netns/$NS" || bail "mkdir /etc/netns/$NS failed"
	printf 'hosts: files\n' >"/etc/netns/$NS/nsswitch.conf"
	printf '127.0.0.1 localhost\n::1 localhost\n' >"/etc/netns/$NS/hosts"
	ip netns add "$NS" || bail "ip netns add failed"
	ip -n "$NS" link set lo up
	for _a in "$@"; do
		ip -n "$NS" addr add "$_a/32" dev lo || bail "ip addr add $_a failed"
	done
}
_netns_cleanup() {
	_cleanup
	ip netns del "$NS" 2>/dev/null
	rm -rf "/etc/netns/$NS"
}

# ns_server NAME LOGFILE LISTEN CF: serve CF inside $NS (netns_up first)
# through systemd-socket-activate --inetd --accept on LISTEN
# ("192.0.2.1:2525", "[2001:db8::1]:2600"), the sessions' syslog to
# LOGFILE; the activator's stdout goes to $T/ssa-NAME.out, its stderr is
# appended to $T/ssa-NAME.log (see ssa_errors).  It does not wait: the
# port is in the namespace, and the clients there (smtpclient.py,
# t/data/*/*probe.py) retry their first connect for up to 10 s.
ns_server() {
	bg ip netns exec "$NS" python3 "$T_DIR/withsyslog.py" "$2" \
	    systemd-socket-activate -l "$3" --inetd --accept -- \
	    "$SM" -Am -bs -C "$4" >"$T/ssa-$1.out" 2>>"$T/ssa-$1.log"
}

# unpack_debs DIR PKG...: Debian packages fetched with apt-get download
# (kept in $DEB_CACHE, ~/.cache/sockmail-debs) and unpacked with dpkg -x
# into DIR, never installed: for programs that conflict with installed
# ones, or that sockmail stands in for (the real sendmail).
unpack_debs() {
	_dir=$1
	shift
	DEB_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/sockmail-debs
	mkdir -p "$DEB_CACHE" "$_dir" || bail "cannot create $DEB_CACHE or $_dir"
	for _p in "$@"; do
		ls "$DEB_CACHE/${_p}"_*.deb >/dev/null 2>&1 && continue
		(cd "$DEB_CACHE" && { apt-get download "$_p" ||
		    { apt-get update && apt-get download "$_p"; }; }) \
		    >"$T/apt-$_p.log" 2>&1 ||
		    bail "cannot download $_p: $(tail -3 "$T/apt-$_p.log")"
	done
	for _p in "$@"; do
		for _d in "$DEB_CACHE/${_p}"_*.deb; do
			dpkg -x "$_d" "$_dir" || bail "dpkg -x $_d"
		done
	done
}

# gdbm_python: set PY to a Python that can read GDBM files (dbm.gnu;
# Debian: python3-gdbm, which make deps installs; the pyenv python3 on
# some machines lacks it).  None is a failure: the test bails out.
gdbm_python() {
	PY=
	for _p in python3 /usr/bin/python3; do
		if "$_p" -c 'import dbm.gnu' 2>/dev/null; then
			PY=$_p
			break
		fi
	done
	[ -n "$PY" ] || bail "no Python with dbm.gnu: run make deps (python3-gdbm)"
}

# show_out: $T/out and $T/err, those not empty, as TAP diagnostics.
show_out() {
	for _f in "$T/out" "$T/err"; do
		[ -s "$_f" ] && sed "s/^/#   $(basename "$_f"): /" "$_f"
	done
	return 0
}
# ok_out STATUS DESCRIPTION, is_out GOT WANT DESCRIPTION: ok and is, and
# on a failure show_out (for a command run with its output in $T/out
# and $T/err).
ok_out() { ok "$1" "$2"; [ "$1" -eq 0 ] || show_out; }
is_out() { is "$1" "$2" "$3"; [ "$1" = "$2" ] || show_out; }
# no_tmp DIR: no file of DIR has ".tmp" in its name (a temporary file a
# map or aliases build left behind).
no_tmp() { ! ls -a "$1" | grep -q '\.tmp'; }

# make_cert: a throwaway key ($T/key.pem, mode 0600) and self-signed
# certificate ($T/cert.pem) for mx.test.example and 127.0.0.1, so that a
# client can verify it against the certificate itself.
make_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
	    -subj /CN=mx.test.example \
	    -addext "subjectAltName=DNS:mx.test.example,IP:127.0.0.1" \
	    >"$T/openssl.log" 2>&1 || bail "openssl req: $(cat "$T/openssl.log")"
	chmod 600 "$T/key.pem"
}

# make_sasldb: $T/sasldb, made by saslpasswd2, holds "user" (password
# "secret") in the realm mx.test.example (write_cf's $j, SASL's default
# realm); root's, group smmta, mode 0640: readable by the sessions.
make_sasldb() {
	printf 'secret\n' | saslpasswd2 -p -f "$T/sasldb" -c -u mx.test.example user ||
	    bail "saslpasswd2 failed"
	chgrp smmta "$T/sasldb" && chmod 640 "$T/sasldb" || bail "chgrp sasldb"
}
