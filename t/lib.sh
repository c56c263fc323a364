# t/lib.sh - shared by the t/*.t shell tests: TAP output, a fresh sandbox
# per test file, a private configuration and queue, the test users.
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

# Start a background process and remember it for cleanup.
bg() { "$@" & _pids="$_pids $!"; }

_cleanup() {
	for p in $_pids; do kill "$p" 2>/dev/null; done
	for p in $_pids; do wait "$p" 2>/dev/null; done
	[ -n "${T:-}" ] && [ -d "$T" ] && {
		mountpoint -q "$T/small" 2>/dev/null && umount "$T/small"
		rm -rf "$T"
	}
}

is_root() { [ "$(id -u)" = 0 ]; }

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

# write_cf FILE [extra cf lines...]
write_cf() {
	_f=$1; shift
	{
		echo "# test configuration written by t/lib.sh"
		echo "V10/Berkeley"
		echo "Djmx.test.example"
		echo "Cw localhost mx.test.example test.example [127.0.0.1]"
		echo "O QueueDirectory=$Q"
		echo "O AliasFile=$T/aliases"
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

# smtp_pipe: feed stdin (LF lines are fine: a pipe is a local client) to
# a -Am -bs session; prints the replies.
smtp_pipe() { "$SM" -Am -bs -C "$CF" "$@"; }

# CRLF: turn LF-terminated text on stdin into CRLF lines.
crlf() { sed 's/$/\r/'; }

# raw PORT: send stdin's bytes to 127.0.0.1:PORT after the banner (or
# at once with -n), print every reply; see t/smtpraw.py.
raw() { python3 "$T_DIR/smtpraw.py" "$@"; }

# Queue file names
qfs() { ls "$Q" 2>/dev/null | grep '^qf' ; }
nq() { ls "$Q" 2>/dev/null | grep -c '^qf'; }

# --- servers with a private syslog, and reading their replies -----------------
# Set LOG (the syslog file, see withsyslog.py) and LOG_TAG (the -L tag of
# the sessions) first.
# start_logged_server NAME: serve $T/NAME.cf on a free 127.0.0.1 port
# through systemd-socket-activate --inetd --accept (one process per
# connection), logging to $LOG; PORT_NAME is set.
start_logged_server() {
	_p=$(free_port)
	bg python3 "$T_DIR/withsyslog.py" "$LOG" systemd-socket-activate \
	    -l "127.0.0.1:$_p" --inetd --accept -- \
	    "$SM" -Am -bs -L "$LOG_TAG" -C "$T/$1.cf" >"$T/ssa-$1.log" 2>&1
	wait_port "$_p" || bail "server $1 did not start on port $_p"
	eval "PORT_$1=$_p"
}
# wait_log REGEX: true once a line of $LOG matches (at most 10 s).
wait_log() {
	_i=0
	while [ $_i -lt 100 ]; do
		grep -Eq -- "$1" "$LOG" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
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
# qid_of TEXT: the queue id of the last "250 2.0.0 <id> Message accepted".
qid_of() {
	printf '%s\n' "$1" |
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

# unpack_debs DIR PKG...: Debian packages fetched with apt-get download
# (kept in ~/.cache/sockmail-debs) and unpacked with dpkg -x into DIR,
# never installed: for programs that conflict with installed ones.
unpack_debs() {
	_dir=$1
	shift
	_cache=${XDG_CACHE_HOME:-$HOME/.cache}/sockmail-debs
	mkdir -p "$_cache" "$_dir" || bail "cannot create $_cache or $_dir"
	for _p in "$@"; do
		ls "$_cache/${_p}"_*.deb >/dev/null 2>&1 && continue
		(cd "$_cache" && { apt-get download "$_p" ||
		    { apt-get update && apt-get download "$_p"; }; }) \
		    >"$T/apt-$_p.log" 2>&1 ||
		    bail "cannot download $_p: $(tail -3 "$T/apt-$_p.log")"
	done
	for _p in "$@"; do
		for _d in "$_cache/${_p}"_*.deb; do
			dpkg -x "$_d" "$_dir" || bail "dpkg -x $_d"
		done
	done
}

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
