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
cat <<MSG
sockmail is listening on 127.0.0.1:$PORT (config $RUN/sendmail.cf).
Send a test message from another terminal:
    swaks --server 127.0.0.1:$PORT --to someone@localhost
It lands in $RUN/mqueue as qf<id> (envelope, headers) and df<id> (body);
list it with:
    $SM -bp -C $RUN/sendmail.cf
Ctrl-C stops the server.
MSG
exec "$SM" -bD -L sockmail-run -C "$RUN/sendmail.cf"
