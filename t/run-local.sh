#!/bin/sh
# make run: a private sockmail MTA on 127.0.0.1:2525, one process per
# connection (its own listener, -bD in the foreground), with its config
# and queue under ./run.  Ctrl-C stops it.
set -eu
SM=$1
PORT=${PORT:-2525}
RUN=$(pwd)/run
mkdir -p "$RUN/mqueue"
chmod 700 "$RUN/mqueue"
runas=
if [ "$(id -u)" = 0 ]; then
	# Never a root session: use the production account.
	getent group smmta >/dev/null || groupadd -r smmta
	getent passwd smmta >/dev/null ||
		useradd -r -g smmta -d /nonexistent -s /usr/sbin/nologin smmta
	chown smmta:smmta "$RUN/mqueue"
	if runuser -u smmta -- test -w "$RUN/mqueue"; then
		runas="O RunAsUser=smmta"
	else
		echo "run: smmta cannot reach $RUN/mqueue (a parent directory" \
		    "is closed); sessions will run as root for this demo" >&2
		chown root:root "$RUN/mqueue"
		runas="O SessionAsRoot=True"
	fi
fi
cat > "$RUN/sendmail.cf" <<CF
# written by make run: a private, local sockmail
V10/Berkeley
Dj localhost
Cw localhost [127.0.0.1]
O QueueDirectory=$RUN/mqueue
O AliasFile=$RUN/aliases
O DaemonPortOptions=Family=inet, Name=MTA, Port=$PORT, Addr=127.0.0.1
O MaxDaemonChildren=32
O MaxMessageSize=52428800
O DeliveryMode=queue
$runas
CF
user=$(id -un)
[ -f "$RUN/aliases" ] || printf 'postmaster: %s\nsomeone: %s\n' "$user" "$user" > "$RUN/aliases"
"$SM" -bi -C "$RUN/sendmail.cf" >/dev/null
# The server runs as our child, so that "listening" is printed only once
# it listens: a listening socket on 127.0.0.1:$PORT in /proc/net/tcp
# that is the server's own (its inode among the server's descriptors;
# a port that another program holds shows a listener too).
LOG=$RUN/sockmail.log
"$SM" -bD -L sockmail-run -C "$RUN/sendmail.cf" >"$LOG" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || :' INT TERM HUP
listening() {
	_hex=$(printf '0100007F:%04X' "$PORT")
	for _ino in $(awk -v a="$_hex" '$2 == a && $4 == "0A" { print $10 }' \
	    /proc/net/tcp); do
		ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "socket:\[$_ino\]" &&
		    return 0
	done
	return 1
}
n=0
until listening; do
	if ! kill -0 "$pid" 2>/dev/null || [ $n -ge 100 ]; then
		kill -TERM "$pid" 2>/dev/null || :
		wait "$pid" 2>/dev/null || :
		echo "run: sockmail did not start listening on 127.0.0.1:$PORT" \
		    "(a port in use? set another with PORT=...); its output" \
		    "($LOG):" >&2
		sed 's/^/    /' "$LOG" >&2
		exit 1
	fi
	sleep 0.1
	n=$((n + 1))
done
# swaks is a test tool (make check installs it); make run needs only the
# build, so say how to get it, and give a way without it.
if command -v swaks >/dev/null 2>&1; then
	nosw=
else
	nosw="(swaks is not installed: apt-get install swaks; or with Python:
    python3 -c 'import smtplib; smtplib.SMTP(\"127.0.0.1\", $PORT).sendmail(\"you@localhost\", [\"someone@localhost\"], \"Subject: test\\n\\nhello\\n\")'
)
"
fi
cat <<MSG
sockmail is listening on 127.0.0.1:$PORT (config $RUN/sendmail.cf,
its messages in $LOG and syslog).
Send a test message from another terminal:
    swaks --server 127.0.0.1:$PORT --to someone@localhost
${nosw}It lands in $RUN/mqueue as qf<id> (envelope, headers) and df<id> (body);
list it with:
    $SM -bp -C $RUN/sendmail.cf
Ctrl-C stops the server.
MSG
# A trapped signal ends the first wait: then wait for the server itself.
rc=0
wait "$pid" || rc=$?
if kill -0 "$pid" 2>/dev/null; then
	rc=0
	wait "$pid" || rc=$?
fi
[ $rc = 0 ] || [ $rc = 143 ] || { echo "run: sockmail exited ($rc):" >&2;
    tail -n 5 "$LOG" | sed 's/^/    /' >&2; }
exit $rc
