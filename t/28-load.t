#!/bin/sh
# 28-load.t - RefuseLA and ConnectionRateThrottle.  The load average is
# read from /proc/loadavg, so each server here runs in a private mount
# namespace (unshare -m) where a file of the test's own is bound over
# /proc/loadavg: the real binary reads a load the test chooses, and
# nothing outside changes.  Sessions under systemd-socket-activate refuse
# with 421 4.3.2; the -bD listener stops accepting (connections wait in
# the backlog) until the load falls; ConnectionRateThrottle spreads
# accepts over seconds.
. "${0%/*}/lib.sh"
export LC_ALL=C

need_root "(mount namespaces)"
need_cmd systemd-socket-activate unshare
setup
LOG="$T/log"
: >"$LOG"
setload() { printf '%s 1.00 1.00 1/100 1234\n' "$1" >"$T/loadavg"; }
setload 0.50
chmod 644 "$T/loadavg"

# serve NAME CF [LISTEN]: the cf under systemd-socket-activate --inetd,
# or the -bD listener with LISTEN=bd; with the fake load average.
serve() {
	_p=$(free_port)
	if [ "${3:-}" = bd ]; then
		write_cf "$2.bd" "$(cat "$2" | grep '^O RefuseLA\|^O Connection')" \
		    "O DaemonPortOptions=Name=MTA, Port=$_p, Addr=127.0.0.1"
		set -- "$1" "$2.bd" bd
		_cmd="exec \"$SM\" -bD -C \"$2\""
	else
		_cmd="exec systemd-socket-activate -l 127.0.0.1:$_p --inetd --accept -- \"$SM\" -Am -bs -C \"$2\""
	fi
	bg python3 "$T_DIR/withsyslog.py" "$LOG" unshare -m sh -c \
	    "mount --bind '$T/loadavg' /proc/loadavg && $_cmd" >"$T/$1.out" 2>&1
	wait_port "$_p" || bail "server $1 did not start: $(cat "$T/$1.out")"
	eval "PORT_$1=$_p"
}
banner() { printf 'QUIT\r\n' | raw -w 3 "$1" | tr -d '\r' | head -1; }

write_cf "$T/r20.cf" "O RefuseLA=20"
write_cf "$T/rdef.cf"
write_cf "$T/r0.cf" "O RefuseLA=0"
serve r20 "$T/r20.cf"
serve rdef "$T/rdef.cf"
serve r0 "$T/r0.cf"

like "$(banner $PORT_r20)" '^220 ' "RefuseLA=20, load 0.5: served"
setload 30.00
is "$(banner $PORT_r20)" "421 4.3.2 mx.test.example Too busy, try again later" \
    "RefuseLA=20, load 30: 421 4.3.2 Too busy"
wait_log 'NOQUEUE: rejecting connection from \[127\.0\.0\.1\]: load average: 30$'
ok $? "the refusal is logged with the load average"
ncpu=$(nproc)
if [ $((12 * ncpu)) -le 30 ]; then
	like "$(banner $PORT_rdef)" '^421 4\.3\.2 ' "default RefuseLA (12 x $ncpu CPUs), load 30: refused"
else
	like "$(banner $PORT_rdef)" '^220 ' "default RefuseLA (12 x $ncpu CPUs), load 30: served"
fi
setload $((12 * ncpu - 1)).90
like "$(banner $PORT_rdef)" '^220 ' "default RefuseLA, load just under 12 x $ncpu: served"
setload $((12 * ncpu)).00
like "$(banner $PORT_rdef)" '^421 4\.3\.2 ' "default RefuseLA, load 12 x $ncpu: refused"
setload 500.00
like "$(banner $PORT_r0)" '^220 ' "RefuseLA=0: never refused (load 500)"

# --- the listener ---------------------------------------------------------------------
setload 0.50
serve bd "$T/r20.cf" bd
like "$(banner $PORT_bd)" '^220 ' "-bD, RefuseLA=20, load 0.5: served"
setload 30.00
sleep 1.2	# the listener looks at the load before each accept
python3 - "$PORT_bd" "$T" >"$T/bd-wait.out" 2>&1 <<'PY' &
import socket, sys, time
port, t = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), 5)
s.settimeout(20)
t0 = time.time()
data = s.recv(512)
print("%.1f %s" % (time.time() - t0, data.decode().split("\r\n")[0]))
PY
client=$!
sleep 2.5
wait_log 'rejecting connections on daemon: load average: 30$'
ok $? "-bD, load 30: the listener logs that it stops accepting"
setload 0.50
wait $client
read -r waited first <"$T/bd-wait.out"
like "$first" '^220 ' "-bD: the waiting connection is served once the load falls"
ok $(awk -v w="$waited" 'BEGIN { print (w >= 2.0) ? 0 : 1 }') \
    "... and not before (its banner came after ${waited} s, the load fell after 2.5 s)"

# --- ConnectionRateThrottle -------------------------------------------------------------
write_cf "$T/thr.cf" "O ConnectionRateThrottle=2"
serve thr "$T/thr.cf" bd
sleep 1.1	# a new second for the throttle, after wait_port's connection
python3 - "$PORT_thr" >"$T/thr.out" 2>&1 <<'PY'
import socket, sys, time
port = int(sys.argv[1])
t0 = time.time()
socks = [socket.create_connection(("127.0.0.1", port), 5) for _ in range(5)]
got = []
for s in socks:
    s.settimeout(20)
    got.append(s.recv(512).decode().split(" ")[0])
print("%.2f %s" % (time.time() - t0, ",".join(got)))
PY
read -r took codes <"$T/thr.out"
is "$codes" "220,220,220,220,220" "ConnectionRateThrottle=2: five connections are all served"
ok $(awk -v w="$took" 'BEGIN { print (w >= 1.0) ? 0 : 1 }') \
    "... over at least two seconds' worth of accepts (the fifth after ${took} s)"
done_testing
