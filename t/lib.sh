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
