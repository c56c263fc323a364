#!/bin/sh
# bench/run.sh SENDMAIL - `make bench`: sockmail beside the floor and Postfix.
#
# Everything runs on 127.0.0.1 in a private temporary directory; nothing is
# installed or left running.  Postfix (and its smtp-source, the load
# generator) is unpacked from Debian's package into that directory, never
# installed: the package Conflicts with every other MTA.  See bench/README.md
# for what the rows mean.
#
# Knobs (environment):
#   BENCH_REPS=3        rounds; every cell is run once per round, interleaved
#   BENCH_N1=500        messages per cell, one message per connection (tmpfs: 1500)
#   BENCH_NM=1000       messages per cell, many messages per connection (-d)
#                       (tmpfs: 5000)
#   BENCH_SESS=10       parallel sessions (smtp-source -s)
#   BENCH_SYNCFS=1      also the QueueCommit=syncfs / floor -s rows (0: skip)
#   BENCH_ONLY=regex    only targets whose id matches (ids: see README)
#   BENCH_EXTRAS=1      disk, RSS and start-up sections (0: skip)
#   BENCH_ND=1000       commits per disk-limit run
#   BENCH_TIMEOUT=120   seconds before one cell's smtp-source is killed
#   BENCH_PAUSE=0.3     seconds of quiet after each cell's clean-up
#   BENCH_PFLOG=0       1: Postfix logs to a file in the temp dir (sockmail's
#                       syslog goes nowhere here: no /dev/log; so 0 is fair)
#   BENCH_TMPFS=0       1: queues of the throughput table on tmpfs (/dev/shm):
#                       fsync costs nothing there, so the table shows CPU cost
#   BENCH_PORT=2601     first port to try
#   BENCH_KEEP=0        1: keep the temporary directory (logs, queues)
#   BENCH_OUT=file      also write the report to file
set -eu

usage() { echo "usage: sh bench/run.sh /path/to/sendmail" >&2; exit 64; }
[ $# -eq 1 ] || usage
SENDMAIL=$(readlink -f "$1" 2>/dev/null || echo "$1")
BENCH=$(cd "$(dirname "$0")" && pwd)

REPS=${BENCH_REPS:-3}
if [ "${BENCH_TMPFS:-0}" = 1 ]; then	# CPU-bound: faster, so more messages
	N1=${BENCH_N1:-1500}; NM=${BENCH_NM:-5000}
else
	N1=${BENCH_N1:-500}; NM=${BENCH_NM:-1000}
fi
SESS=${BENCH_SESS:-10}
SYNCFS=${BENCH_SYNCFS:-1}
ONLY=${BENCH_ONLY:-}
EXTRAS=${BENCH_EXTRAS:-1}
ND=${BENCH_ND:-1000}
CELL_TIMEOUT=${BENCH_TIMEOUT:-120}
PAUSE=${BENCH_PAUSE:-0.3}
PFLOG=${BENCH_PFLOG:-0}
PORT=${BENCH_PORT:-2601}
CC=${CC:-cc}
for v in "$REPS" "$N1" "$NM" "$SESS" "$ND" "$CELL_TIMEOUT" "$PORT"; do
	case $v in ''|*[!0-9]*) echo "bench: not a number: '$v'" >&2; exit 64;; esac
done

for tool in apt-get apt-cache dpkg systemd-socket-activate setsid timeout ss awk; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ echo "bench: $tool missing (make deps installs it)" >&2; exit 69; }
done

T=$(mktemp -d /tmp/sockmail-bench.XXXXXX)
chmod 755 "$T"
mkdir "$T/bin" "$T/log" "$T/q"
# QB: where the throughput table's queues live (the disk, or tmpfs).
QB=$T/q
QFS="disk ($(df --output=source,fstype "$T" | tail -1 | tr -s ' '))"
if [ "${BENCH_TMPFS:-0}" = 1 ]; then
	QB=$(mktemp -d /dev/shm/sockmail-bench.XXXXXX)
	chmod 755 "$QB"
	QFS="tmpfs $QB (fsync is free: CPU cost only)"
fi
RESULTS=$T/results.tsv
: >"$RESULTS"
PGIDS=""
PF_ETC=""
BENCH_START=$(date +%s)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

# --- clean-up: every process group we started, Postfix, the temp dir -------
cleanup() {
	set +e
	trap - EXIT INT TERM HUP
	for g in $PGIDS; do kill -TERM "-$g" 2>/dev/null; done
	if [ -n "$PF_ETC" ]; then
		"$PF_CMD" -c "$PF_ETC" stop >/dev/null 2>&1
		pidf=$QB/pf-spool/pid/master.pid
		i=0
		while [ -f "$pidf" ] && [ $i -lt 50 ]; do
			m=$(tr -dc 0-9 <"$pidf")
			{ [ -n "$m" ] && kill -0 "$m" 2>/dev/null; } || break
			sleep 0.2; i=$((i + 1))
		done
		if [ -f "$pidf" ]; then
			m=$(tr -dc 0-9 <"$pidf")
			[ -n "$m" ] && kill -0 "$m" 2>/dev/null && kill -KILL "$m" 2>/dev/null
		fi
	fi
	sleep 0.3
	for g in $PGIDS; do kill -KILL "-$g" 2>/dev/null; done
	wait 2>/dev/null
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: kept $T $QB" >&2
	else
		rm -rf "$T"
		[ "$QB" = "$T/q" ] || rm -rf "$QB"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

log() { echo "bench: $*" >&2; }

# Start "$@" in its own session (so its process group holds every child it
# forks) with output to $T/log/NAME.log.  In a non-interactive shell a
# background job is never a group leader, so setsid(1) does not fork and $!
# is the server itself.
start_bg() {
	name=$1; shift
	setsid "$@" >"$T/log/$name.log" 2>&1 </dev/null &
	PGIDS="$PGIDS $!"
	LAST_PID=$!
}

listening() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

# Next free port at or after $PORT.
next_port() {
	i=0
	while listening "$PORT"; do
		PORT=$((PORT + 1)); i=$((i + 1))
		[ $i -lt 200 ] || { echo "bench: no free port" >&2; exit 69; }
	done
	GOT_PORT=$PORT
	PORT=$((PORT + 1))
}

wait_port() {
	i=0
	while ! listening "$1"; do
		[ $i -lt 100 ] || return 1
		sleep 0.1; i=$((i + 1))
	done
}

# --- Postfix, unpacked: never installed ---------------------------------------
# Debian's postfix Provides and Conflicts with mail-transport-agent: apt-get
# would remove the machine's MTA (sendmail, say) to install it.  So its .deb,
# and those of the libraries it depends on that are not installed, are
# fetched with apt-get download into the cache t/lib.sh's unpack_debs uses
# and unpacked with dpkg -x into $PFROOT; main.cf points Postfix there.
PFROOT=$T/pfroot
PF_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/sockmail-debs
pf_debs() { # postfix and its uninstalled lib* dependencies
	echo postfix
	apt-cache depends --no-recommends --no-suggests postfix 2>/dev/null |
	    sed -n 's/^ *|\{0,1\}Depends: \(lib[^ <>]*\)$/\1/p' | sort -u |
	while read -r _p; do
		dpkg-query -W -f '${Status}\n' "$_p" 2>/dev/null |
		    grep -q 'ok installed' || echo "$_p"
	done
}
mkdir -p "$PF_CACHE" "$PFROOT"
for p in $(pf_debs); do
	if ! ls "$PF_CACHE/${p}"_*.deb >/dev/null 2>&1; then
		(cd "$PF_CACHE" && { apt-get download "$p" ||
		    { apt-get update && apt-get download "$p"; }; }) \
		    >"$T/log/apt-$p.log" 2>&1 ||
		    { log "cannot download $p:"; tail -3 "$T/log/apt-$p.log" >&2; exit 69; }
	fi
	for d in "$PF_CACHE/${p}"_*.deb; do
		dpkg -x "$d" "$PFROOT" || { log "dpkg -x $d failed"; exit 69; }
	done
done
# Debian links Postfix's programs with RUNPATH /usr/lib/postfix (its
# libpostfix-*.so); here they are found with LD_LIBRARY_PATH, which only
# Postfix's programs get (sockmail's and the floor's start-up must not pay
# for a longer search path).
PF_LD=$PFROOT/usr/lib/postfix
for d in "$PFROOT"/usr/lib/*-linux-gnu "$PFROOT"/lib/*-linux-gnu; do
	[ -d "$d" ] && PF_LD=$PF_LD:$d
done
for p in smtp-source postfix; do
	{ echo '#!/bin/sh'; echo "LD_LIBRARY_PATH=$PF_LD exec $PFROOT/usr/sbin/$p \"\$@\""; } >"$T/bin/$p"
	chmod 755 "$T/bin/$p"
done
SMTP_SOURCE=$T/bin/smtp-source
PF_CMD=$T/bin/postfix
nf=$(LD_LIBRARY_PATH=$PF_LD ldd "$PFROOT/usr/sbin/smtp-source" \
    "$PFROOT/usr/lib/postfix/sbin/smtpd" 2>&1 | grep 'not found' || true)
[ -z "$nf" ] || { log "unpacked Postfix lacks libraries:"; echo "$nf" >&2; exit 69; }

# --- build the floor and helpers --------------------------------------------
# The same hardening flags as sockmail's Makefile, so start-up costs compare.
HFLAGS="-O2 -std=c11 -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE -pie -Wl,-z,relro"
$CC $HFLAGS -Wall -Wextra -o "$T/bin/floor" "$BENCH/floor.c"
$CC $HFLAGS -Wall -Wextra -o "$T/bin/rss" "$BENCH/rss.c"
printf 'int main(void){return 0;}\n' >"$T/bin/trivial.c"
$CC $HFLAGS -o "$T/bin/trivial" "$T/bin/trivial.c"
FLOOR=$T/bin/floor

# --- is sockmail usable? -----------------------------------------------------
# Run a private copy: the tree's build/sendmail may be rebuilt during the run.
SM_OK=0
SM_ID="(none)"
if [ -f "$SENDMAIL" ]; then
	SM_ID="$SENDMAIL, $(stat -c %y "$SENDMAIL" | cut -c1-19), sha256 $(sha256sum "$SENDMAIL" | cut -c1-12)"
	cp "$SENDMAIL" "$T/bin/sendmail"
	SENDMAIL=$T/bin/sendmail
fi
write_cf() { # file queuedir commit [port]
	{
		echo "V10/Berkeley"
		echo "Cwlocalhost"
		echo "O QueueDirectory=$2"
		echo "O SessionAsRoot=True"
		echo "O MaxRecipientsPerMessage=100"
		echo "O MaxDaemonChildren=64"
		echo "O MaxMessageSize=104857600"
		echo "O DeliveryMode=queue"
		echo "O QueueCommit=$3"
		echo "O PidFile=$2.pid"
		[ $# -lt 4 ] || echo "O DaemonPortOptions=Port=$4,Addr=127.0.0.1,Name=MTA"
	} >"$1"
	chmod 444 "$1"
}
mkq() { mkdir -p "$1"; chmod 700 "$1"; }

if [ -x "$SENDMAIL" ]; then
	mkq "$T/q/smoke"
	write_cf "$T/smoke.cf" "$T/q/smoke" fsync
	printf 'EHLO bench.test\r\nMAIL FROM:<bench@bench.test>\r\nRCPT TO:<root@localhost>\r\nDATA\r\nSubject: smoke\r\n\r\nhello\r\n.\r\nQUIT\r\n' >"$T/smoke.in"
	if timeout 20 "$SENDMAIL" -Am -bs -C "$T/smoke.cf" <"$T/smoke.in" >"$T/log/smoke.out" 2>&1 &&
	    grep -q '^250 .*' "$T/log/smoke.out" &&
	    [ "$(find "$T/q/smoke" -type f -name 'qf*' | wc -l)" -eq 1 ]; then
		SM_OK=1
	else
		log "sockmail smoke test failed: no sockmail rows.  Its dialogue:"
		sed 's/^/    /' "$T/log/smoke.out" >&2
	fi
else
	log "$SENDMAIL is not executable: no sockmail rows"
fi

# --- Postfix: a private instance ----------------------------------------------
PF_OK=0
start_postfix() { # port
	PF=$T/pf
	# The accounts main.cf names; the package's postinst would make them.
	getent group postdrop >/dev/null || groupadd -r postdrop
	getent group postfix >/dev/null || groupadd -r postfix
	getent passwd postfix >/dev/null ||
		useradd -r -g postfix -d /nonexistent -s /usr/sbin/nologin postfix
	mkdir -p "$PF/etc" "$QB/pf-spool" "$PF/data"
	chown postfix "$PF/data"; chmod 700 "$PF/data"
	{
		echo "compatibility_level = 3.6"
		echo "queue_directory = $QB/pf-spool"
		echo "data_directory = $PF/data"
		# Programs, libraries and postfix-files from the unpacked package;
		# the environment Postfix keeps for its daemons gets the libraries'
		# path (the default list, plus LD_LIBRARY_PATH).
		echo "daemon_directory = $PFROOT/usr/lib/postfix/sbin"
		echo "command_directory = $PFROOT/usr/sbin"
		echo "shlib_directory = $PFROOT/usr/lib/postfix"
		echo "meta_directory = $PFROOT/etc/postfix"
		echo "sendmail_path = $PFROOT/usr/sbin/sendmail"
		echo "newaliases_path = $PFROOT/usr/bin/newaliases"
		echo "mailq_path = $PFROOT/usr/bin/mailq"
		echo "import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ XAUTHORITY DISPLAY LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME LD_LIBRARY_PATH=$PF_LD"
		echo "mail_owner = postfix"
		echo "setgid_group = postdrop"
		echo "inet_interfaces = 127.0.0.1"
		echo "inet_protocols = ipv4"
		echo "myhostname = bench.test"
		echo "mydomain = bench.test"
		echo "myorigin = bench.test"
		echo "mydestination = localhost"
		echo "mynetworks = 127.0.0.0/8"
		echo "alias_maps ="
		echo "alias_database ="
		echo "local_recipient_maps ="
		echo "biff = no"
		# Accept and queue durably, deliver nothing: every message goes
		# to the hold queue (like sockmail's DeliveryMode=queue).
		echo "smtpd_recipient_restrictions = check_recipient_access static:HOLD, permit_mynetworks, reject_unauth_destination"
		if [ "$PFLOG" = 1 ]; then
			echo "maillog_file_prefixes = $PF"
			echo "maillog_file = $PF/maillog"
		fi
	} >"$PF/etc/main.cf"
	# Debian's services, chroot off (nothing is copied into the spool).
	cat >"$PF/etc/master.cf" <<EOF
127.0.0.1:$1 inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	# The postfix command writes its messages only to a terminal: give it one.
	PF_ETC=$PF/etc
	if script -qec "$PF_CMD -c $PF/etc check && $PF_CMD -c $PF/etc start" /dev/null \
	    >"$T/log/postfix-start.log" 2>&1 && wait_port "$1"; then
		PF_OK=1
	else
		log "Postfix did not start: no Postfix row"
		sed 's/^/    /' "$T/log/postfix-start.log" >&2
	fi
}

# --- targets ----------------------------------------------------------------
# id: sm|fl _ f|s (fsync/syncfs) _ inetd|accept|listen|own, or pf.
TARGETS=""
add_target() { # id kind port queuedir label
	TARGETS="$TARGETS $1"
	eval "KIND_$1=\$2 PORT_$1=\$3 Q_$1=\$4 LABEL_$1=\$5"
}
wanted() { [ -z "$ONLY" ] || echo "$1" | grep -Eq "$ONLY"; }

ACTS="inetd accept listen own"
MODES="f"
[ "$SYNCFS" = 1 ] && MODES="f s"
for kind in sm fl; do
	[ $kind = sm ] && [ $SM_OK = 0 ] && continue
	for m in $MODES; do
		for a in $ACTS; do
			id=${kind}_${m}_$a
			wanted "$id" || continue
			next_port; p=$GOT_PORT
			q=$QB/$id; mkq "$q"
			if [ $m = f ]; then commit=fsync; fflag=; else commit=syncfs; fflag=-s; fi
			lst="-l 127.0.0.1:$p"
			if [ $kind = sm ]; then
				label="sockmail $commit"
				cf=$T/$id.cf
				if [ $a = own ]; then write_cf "$cf" "$q" $commit "$p"
				else write_cf "$cf" "$q" $commit; fi
				case $a in
				inetd)	start_bg "$id" systemd-socket-activate $lst -a --inetd -- "$SENDMAIL" -Am -bs -C "$cf";;
				accept)	start_bg "$id" systemd-socket-activate $lst -a -- "$SENDMAIL" -Am -bs -C "$cf";;
				listen)	start_bg "$id" systemd-socket-activate $lst -- "$SENDMAIL" -bD -C "$cf";;
				own)	start_bg "$id" "$SENDMAIL" -bD -C "$cf";;
				esac
			else
				label="floor $commit"
				case $a in
				inetd)	start_bg "$id" systemd-socket-activate $lst -a --inetd -- "$FLOOR" $fflag "$q";;
				accept)	start_bg "$id" systemd-socket-activate $lst -a -- "$FLOOR" $fflag "$q";;
				listen)	start_bg "$id" systemd-socket-activate $lst -- "$FLOOR" $fflag "$q";;
				own)	start_bg "$id" "$FLOOR" $fflag -l "$p" "$q";;
				esac
			fi
			add_target "$id" $kind "$p" "$q" "$label"
		done
	done
done
if wanted pf; then
	if [ "$(id -u)" = 0 ]; then
		next_port
		start_postfix "$GOT_PORT"
		[ $PF_OK = 1 ] && add_target pf pf "$GOT_PORT" "$QB/pf-spool" "postfix 3.7"
	else
		log "not root: no Postfix row"
	fi
fi

# Messages a target holds; then empty its queue for the next cell.
# (sh has no local variables: helpers use names prefixed with _.)
qcount() { # id
	eval "_k=\$KIND_$1 _q=\$Q_$1"
	if [ "$_k" = pf ]; then
		find "$_q/hold" -type f | wc -l
	else
		find "$_q" -type f -name 'qf*' | wc -l
	fi
}
qclear() { # id
	eval "_k=\$KIND_$1 _q=\$Q_$1"
	if [ "$_k" = pf ]; then
		find "$_q/hold" "$_q/incoming" "$_q/active" "$_q/deferred" -type f -delete
	else
		find "$_q" -type f \( -name 'qf*' -o -name 'df*' -o -name 'tf*' -o -name 'xf*' \) -delete
	fi
}

LOADS="c1s5 c1s100 cns5 cns100"
load_args() { # load -> SRC_FLAGS N L
	case $1 in
	c1s5)	SRC_FLAGS=;   N=$N1; L=5120;;
	c1s100)	SRC_FLAGS=;   N=$N1; L=102400;;
	cns5)	SRC_FLAGS=-d; N=$NM; L=5120;;
	cns100)	SRC_FLAGS=-d; N=$NM; L=102400;;
	esac
}

# One smtp-source run against a target; appends a line to $RESULTS:
# id load rep n got seconds rate status
cell() { # id load rep
	eval "p=\$PORT_$1"
	load_args "$2"
	qclear "$1"
	rc=0
	t0=$(date +%s.%N)
	timeout "$CELL_TIMEOUT" "$SMTP_SOURCE" $SRC_FLAGS -s "$SESS" -m "$N" -l "$L" \
	    -M bench.test -f bench@bench.test -t root@localhost "127.0.0.1:$p" \
	    >"$T/log/src-$1-$2-$3.log" 2>&1 || rc=$?
	t1=$(date +%s.%N)
	got=$(qcount "$1")
	st=ok
	if [ $rc -ne 0 ]; then st=rc$rc; elif [ "$got" -ne "$N" ]; then st=short; fi
	awk -v id="$1" -v ld="$2" -v rep="$3" -v n="$N" -v got="$got" -v t0="$t0" \
	    -v t1="$t1" -v st="$st" 'BEGIN { s = t1 - t0;
		printf "%s\t%s\t%s\t%d\t%d\t%.3f\t%.1f\t%s\n", id, ld, rep, n, got, s,
		    (s > 0 ? n / s : 0), st }' >>"$RESULTS"
	if [ $st != ok ]; then
		log "$1 $2 round $3: $st ($got of $N queued); smtp-source said:"
		tail -3 "$T/log/src-$1-$2-$3.log" | sed 's/^/    /' >&2
	fi
	qclear "$1"
	sync
	sleep "$PAUSE"
}

# --- preflight: one message through every target -----------------------------
sleep 0.5
LIVE=""
DROPPED=0
for id in $TARGETS; do
	eval "p=\$PORT_$id"
	ok=0
	if wait_port "$p"; then
		qclear "$id"
		if timeout 15 "$SMTP_SOURCE" -s 1 -m 1 -l 100 -M bench.test -f bench@bench.test \
		    -t root@localhost "127.0.0.1:$p" >"$T/log/pre-$id.log" 2>&1 &&
		    [ "$(qcount "$id")" -eq 1 ]; then ok=1; fi
	fi
	qclear "$id"
	if [ $ok = 1 ]; then
		LIVE="$LIVE $id"
	else
		DROPPED=$((DROPPED + 1))
		log "$id failed its one-message preflight; dropped.  Its log:"
		tail -5 "$T/log/pre-$id.log" "$T/log/$id.log" 2>/dev/null | sed 's/^/    /' >&2
	fi
done
[ -n "$LIVE" ] || { log "no target works"; exit 1; }

# --- the interleaved run -----------------------------------------------------
# Run order: each sockmail target right beside the floor with the same
# activator and commit (so their per-round ratio compares cells run seconds
# apart), Postfix after the fsync pairs; odd rounds forwards, even rounds
# backwards, so no target always runs first.
islive() { case " $LIVE " in *" $1 "*) return 0;; esac; return 1; }
ORDER=""
for m in f s; do
	for a in $ACTS; do
		for kind in sm fl; do
			islive ${kind}_${m}_$a && ORDER="$ORDER ${kind}_${m}_$a"
		done
	done
	[ $m = f ] && islive pf && ORDER="$ORDER pf"
done
REVERSE=""
for id in $ORDER; do REVERSE="$id $REVERSE"; done
set -- $LIVE
NT=$#
TOTAL=$((REPS * 4 * NT))
log "$NT targets x 4 loads x $REPS rounds = $TOTAL cells; $N1 msgs/cell at 1/conn, $NM at many/conn, $SESS sessions"
k=0
r=1
while [ $r -le "$REPS" ]; do
	for ld in $LOADS; do
		if [ $((r % 2)) = 1 ]; then set -- $ORDER; else set -- $REVERSE; fi
		for id in "$@"; do
			k=$((k + 1))
			cell "$id" "$ld" "$r"
			tail -1 "$RESULTS" | awk -v k=$k -v t=$TOTAL \
			    '{ printf "bench: [%d/%d] %-14s %-6s round %s: %7.1f msg/s %s\n", k, t, $1, $2, $3, $7, $8 }' >&2
		done
	done
	r=$((r + 1))
done

# --- the report --------------------------------------------------------------
REPORT=$T/report.txt
{
echo "sockmail bench, $(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r), $(nproc) CPUs"
echo "sockmail: $SM_ID"
echo "queues on: $QFS"
echo "load average before / after the run: $LOAD0 / $(cut -d' ' -f1-3 /proc/loadavg)"
echo "smtp-source -s $SESS; $N1 msgs per cell one per connection, $NM many per connection (-d);"
echo "$REPS interleaved rounds.  msg/s, median of the rounds (higher is better); * = some round failed,"
echo "FAIL = all did.  Ratios: median over the rounds of the ratio within one round."
echo
for id in $LIVE; do
	eval "echo \"\$id	\$LABEL_$id\""
done >"$T/labels.tsv"
awk -F'\t' -v loads="$LOADS" -v live="$LIVE" -v reps="$REPS" '
function median(list,   a, n, i, j, t) {
	n = split(list, a, " ")
	if (n == 0) return ""
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function act(id,   n, p) { n = split(id, p, "_"); return p[n] }
function actlabel(id) { return id == "pf" ? "master + pre-forked smtpd" : actname[act(id)] }
function rowhead(id) { return sprintf("%-16s %-38s", label[id], actlabel(id)) }
# median over the rounds of rate(a) / rate(b) within the round
function pratio(a, b, ld,   r, list) {
	list = ""
	for (r = 1; r <= reps; r++)
		if (((a, ld, r) in rate) && ((b, ld, r) in rate) && rate[b, ld, r] > 0)
			list = list " " rate[a, ld, r] / rate[b, ld, r]
	list = median(substr(list, 2))
	return list == "" ? "-" : sprintf("%.2f", list)
}
function spread(id, ld,   r, lo, hi) {
	lo = ""; hi = ""
	for (r = 1; r <= reps; r++) if ((id, ld, r) in rate) {
		if (lo == "" || rate[id, ld, r] < lo) lo = rate[id, ld, r]
		if (hi == "" || rate[id, ld, r] > hi) hi = rate[id, ld, r]
	}
	return (lo == "" || lo == 0) ? "-" : sprintf("%.2f", hi / lo)
}
FILENAME ~ /labels\.tsv$/ { label[$1] = $2; next }
{
	if ($8 == "ok") { ok[$1, $2] = ok[$1, $2] " " $7; rate[$1, $2, $3] = $7 }
	else bad[$1, $2]++
}
END {
	nl = split(loads, L, " ")
	nt = split(live, ID, " ")
	actname["inetd"] = "socket-activate -a --inetd (fd 0/1)"
	actname["accept"] = "socket-activate -a (LISTEN_FDS conn.)"
	actname["listen"] = "socket-activate (LISTEN_FDS listener)"
	actname["own"] = "own listener (-bD / -l)"
	head = sprintf("%-16s %-38s %9s %9s %9s %9s", "target", "activator", "1/c 5K", "1/c 100K", "n/c 5K", "n/c 100K")
	rule = "----------------------------------------------------------------------------------------------------"
	print head; print rule
	for (t = 1; t <= nt; t++) {
		id = ID[t]; line = rowhead(id)
		for (l = 1; l <= nl; l++) {
			m = median(substr(ok[id, L[l]], 2))
			line = line sprintf(" %9s", m == "" ? "FAIL" : sprintf("%.0f", m) (bad[id, L[l]] ? "*" : ""))
		}
		print line
	}
	hasfl = haspf = hassm = 0
	for (t = 1; t <= nt; t++) { if (ID[t] ~ /^fl_/) hasfl = 1; if (ID[t] == "pf") haspf = 1; if (ID[t] ~ /^sm_/) hassm = 1 }
	if (hassm && hasfl) {
		print ""; print "sockmail / floor (same activator, same commit; 1.00 = sockmail costs what the floor does):"
		print head; print rule
		for (t = 1; t <= nt; t++) {
			id = ID[t]; if (id !~ /^sm_/) continue
			fl = id; sub(/^sm_/, "fl_", fl)
			line = rowhead(id)
			for (l = 1; l <= nl; l++) line = line sprintf(" %9s", pratio(id, fl, L[l]))
			print line
		}
	}
	for (pass = 1; pass <= 2 && haspf; pass++) {
		if (pass == 1 && !hassm) continue
		if (pass == 2 && !hasfl) continue
		print ""; print (pass == 1 ? "sockmail / Postfix:" : "floor / Postfix:")
		print head; print rule
		for (t = 1; t <= nt; t++) {
			id = ID[t]; if (id !~ (pass == 1 ? "^sm_" : "^fl_")) continue
			line = rowhead(id)
			for (l = 1; l <= nl; l++) line = line sprintf(" %9s", pratio(id, "pf", L[l]))
			print line
		}
	}
	if (reps > 1) {
		print ""; print "Noise: max / min of the rounds (1.00 = every round gave the same msg/s):"
		print head; print rule
		for (t = 1; t <= nt; t++) {
			id = ID[t]; line = rowhead(id)
			for (l = 1; l <= nl; l++) line = line sprintf(" %9s", spread(id, L[l]))
			print line
		}
	}
}' "$T/labels.tsv" "$RESULTS"
} >"$REPORT"

# --- extras: the disk's own limit, peak RSS, start-up cost ---------------------
if [ "$EXTRAS" = 1 ]; then
{
echo
echo "Disk limit: floor -D $ND (a 5 KB df + a tf per commit, fresh directory on the queue's file system;"
echo "  -1: Postfix's layout, envelope and content in one file and one fsync, for comparison):"
mkq "$T/q/disk"
for w in 1 10; do
	for s in "" -s -1; do
		"$FLOOR" $s -D "$ND" -w $w "$T/q/disk" | sed 's/^/  /' || echo "  disk run failed"
		find "$T/q/disk" -type f -delete; sync
	done
done
# The same steps in other orders (floor -S), 10 writers, interleaved rounds:
# what a different commit sequence would buy on this disk.
echo "Commit sequences, 10 writers, median of 3 interleaved rounds (floor -D $ND -w 10 ...):"
for r in 1 2 3; do
	for s in "" "-S prewrite" "-S renamefirst" -s "-S group" -1; do
		"$FLOOR" $s -D "$ND" -w 10 "$T/q/disk" || echo "x, 10 writer(s), $s: failed"
		find "$T/q/disk" -type f -delete; sync
	done
done | awk -F', ' '
	{ k = $3; sub(/:.*/, "", k); v = $NF; sub(/ commits.s/, "", v)
	  if (!(k in n)) order[++nk] = k
	  r[k, ++n[k]] = v }
	END { for (i = 1; i <= nk; i++) { k = order[i]; m = n[k]
		for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++)
			if (r[k, b] + 0 < r[k, a] + 0) { t = r[k, a]; r[k, a] = r[k, b]; r[k, b] = t }
		printf "  %-20s %6s commits/s  (rounds: %s", k, r[k, int((m + 1) / 2)], r[k, 1]
		for (a = 2; a <= m; a++) printf " %s", r[k, a]
		print ")" } }'
} >>"$REPORT"

# Dialogues: one 5 KB message, one 50 MB message, 100 messages of 5 KB in one
# session; CRLF line ends, dot-stuffed, sent in one go (PIPELINING).
python3 - "$T" <<'EOF'
import sys
t = sys.argv[1]
def dialogue(path, size, count=1, first=b""):
    env = b"MAIL FROM:<bench@bench.test>\r\n" + first + \
        b"RCPT TO:<root@localhost>\r\nDATA\r\n"
    hdr = b"From: bench@bench.test\r\nTo: root@localhost\r\nSubject: bench\r\n\r\n"
    line = b"x" * 76 + b"\r\n"
    dots = b"..a line that starts with a dot" + b"y" * 45 + b"\r\n"
    body = []
    n = i = 0
    while n < min(size, 1 << 20):
        l = dots if i % 50 == 0 else line
        body.append(l); n += len(l); i += 1
    chunk = b"".join(body)
    with open(path, "wb") as f:
        f.write(b"EHLO bench.test\r\n")
        for _ in range(count):
            f.write(env + hdr)
            left = size
            while left > 0:
                f.write(chunk); left -= len(chunk)
            f.write(b".\r\n")
        f.write(b"QUIT\r\n")
dialogue(t + "/d5k.txt", 5 * 1024)
# A recipient nobody is, first (550): NSS beyond /etc/passwd, if any.
dialogue(t + "/d5ku.txt", 5 * 1024, 1, b"RCPT TO:<no-such-user-b@localhost>\r\n")
dialogue(t + "/d50m.txt", 50 * 1024 * 1024)
dialogue(t + "/d100x5k.txt", 5 * 1024, 100)
EOF
printf 'QUIT\r\n' >"$T/quit.txt"

{
echo
echo "Peak RSS of one session process (ru_maxrss from wait4, KB), dialogue on stdin; sockmail with"
echo "  an aliases map (GDBM, 3 entries); 5ku: an unknown recipient (550) before root; the lookup"
echo "  helper it may start is a process of its own (passwd: $(sed -n 's/^passwd:[[:space:]]*//p' /etc/nsswitch.conf 2>/dev/null | head -1)):"
mkq "$T/q/rss"
if [ $SM_OK = 1 ]; then
	write_cf "$T/rss.cf" "$T/q/rss" fsync
	printf 'postmaster: root\nabuse: root\nbench: root\n' >"$T/rss.aliases"
	chmod 644 "$T/rss.cf"
	echo "O AliasFile=$T/rss.aliases" >>"$T/rss.cf"
	chmod 444 "$T/rss.cf"
	"$SENDMAIL" -C "$T/rss.cf" -bi >/dev/null 2>&1 || echo "  (newaliases failed)"
fi
for sz in 5k 5ku 50m; do
	for who in sockmail floor; do
		[ $who = sockmail ] && [ $SM_OK = 0 ] && continue
		[ $who = floor ] && [ $sz = 5ku ] && continue
		find "$T/q/rss" -type f -delete
		if [ $who = sockmail ]; then
			set -- "$SENDMAIL" -Am -bs -C "$T/rss.cf"
		else
			set -- "$FLOOR" "$T/q/rss"
		fi
		rc=0
		RSS_TIMEOUT=120 "$T/bin/rss" "$T/rss.out" "$@" <"$T/d$sz.txt" >"$T/log/rss-$who-$sz.out" 2>&1 || rc=$?
		kb=$(sed -n 's/^maxrss_kb=\([0-9]*\).*/\1/p' "$T/rss.out" 2>/dev/null)
		hkb=$(sed -n 's/.* helpers=[1-9][0-9]* helper_kb=\([0-9]*\).*/\1/p' "$T/rss.out" 2>/dev/null)
		nq=$(find "$T/q/rss" -type f -name 'qf*' | wc -l)
		ok="queued"
		if [ $rc -ne 0 ] || [ "$nq" -ne 1 ] || ! grep -q '^250 .*' "$T/log/rss-$who-$sz.out"; then
			ok="FAILED (exit $rc, $nq qf; last reply: $(grep -a '^[0-9]' "$T/log/rss-$who-$sz.out" | tail -1 | tr -d '\r'))"
		fi
		printf '  %-9s %4s message: %8s KB  %s%s\n' "$who" "$sz" "${kb:-?}" "$ok" \
		    "${hkb:+; its lookup helper: $hkb KB}"
	done
done
} >>"$REPORT"

{
echo
echo "Start-up cost: instructions (valgrind callgrind, total Ir of the whole process:"
printf '%s\n' 'exec, dynamic linking, the 220 banner, the QUIT reply, exit), stdin = "QUIT\r\n":'
cg() { # name cmd...
	name=$1; shift
	rm -f "$T/cg.out"
	if timeout 120 valgrind --tool=callgrind --callgrind-out-file="$T/cg.out" "$@" \
	    <"$T/quit.txt" >"$T/log/cg-$name.out" 2>"$T/log/cg-$name.err"; then
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$T/log/cg-$name.err" | head -1
	else
		echo ""
	fi
}
if command -v valgrind >/dev/null 2>&1; then
	ir_triv=$(cg trivial "$T/bin/trivial")
	ir_floor=$(cg floor "$FLOOR" "$T/q/rss")
	ir_sm=""
	[ $SM_OK = 1 ] && ir_sm=$(cg sockmail "$SENDMAIL" -Am -bs -C "$T/rss.cf")
	for pair in "trivial:$ir_triv" "floor:$ir_floor" "sockmail:$ir_sm"; do
		name=${pair%%:*}; ir=${pair#*:}
		[ $name = sockmail ] && [ $SM_OK = 0 ] && continue
		awk -v n="$name" -v ir="$ir" -v base="$ir_triv" 'BEGIN {
			if (ir == "") { printf "  %-9s FAILED\n", n; exit }
			printf "  %-9s %12d Ir   %6.1f x trivial\n", n, ir, (base > 0 ? ir / base : 0) }'
	done
else
	echo "  (valgrind missing)"
fi
echo
echo "Per message, one session of 100 messages of 5 KB (stdin, pipelined; fsync commit):"
echo "  instructions: (Ir(100 messages) - Ir(QUIT only)) / 100 (callgrind; user space only)"
if command -v valgrind >/dev/null 2>&1; then
	for who in floor sockmail; do
		[ $who = sockmail ] && [ $SM_OK = 0 ] && continue
		find "$T/q/rss" -type f -delete
		if [ $who = sockmail ]; then base=$ir_sm; set -- "$SENDMAIL" -Am -bs -C "$T/rss.cf"
		else base=$ir_floor; set -- "$FLOOR" "$T/q/rss"; fi
		rm -f "$T/cg.out"
		ir=""
		timeout 300 valgrind --tool=callgrind --callgrind-out-file="$T/cg.out" "$@" \
		    <"$T/d100x5k.txt" >"$T/log/cg100-$who.out" 2>"$T/log/cg100-$who.err" &&
		    ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$T/log/cg100-$who.err" | head -1)
		nq=$(find "$T/q/rss" -type f -name 'qf*' | wc -l)
		awk -v n="$who" -v ir="$ir" -v base="$base" -v nq="$nq" 'BEGIN {
			if (ir == "" || base == "" || nq != 100) { printf "    %-9s FAILED (%d of 100 queued)\n", n, nq; exit }
			printf "    %-9s %10.0f Ir/message\n", n, (ir - base) / 100 }'
	done
fi
if command -v strace >/dev/null 2>&1; then
	echo "  system calls per message (strace -c -f, the whole session / 100):"
	for who in floor sockmail; do
		[ $who = sockmail ] && [ $SM_OK = 0 ] && continue
		find "$T/q/rss" -type f -delete
		if [ $who = sockmail ]; then set -- "$SENDMAIL" -Am -bs -C "$T/rss.cf"
		else set -- "$FLOOR" "$T/q/rss"; fi
		timeout 300 strace -f -c -o "$T/log/strace-$who.txt" "$@" \
		    <"$T/d100x5k.txt" >"$T/log/strace-$who.out" 2>&1 || true
	done
	set -- "$T/log/strace-floor.txt"
	[ $SM_OK = 1 ] && set -- "$@" "$T/log/strace-sockmail.txt"
	awk -v sm="$SM_OK" '
	FNR == 1 { who = (FILENAME ~ /strace-floor/) ? "floor" : "sockmail" }
	$NF == "total" { tot[who] = $4; next }
	/^ *[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9]+/ { c[who, $NF] = $4; names[$NF] = 1 }
	END {
		printf "    %-16s %9s %9s\n", "syscall", "floor", (sm ? "sockmail" : "")
		printf "    %-16s %9.2f %9s\n", "all", tot["floor"] / 100, (sm ? sprintf("%.2f", tot["sockmail"] / 100) : "")
		for (k = 0; k < 12; k++) {	# the 12 most frequent in sockmail (or the floor)
			best = ""; bv = -1
			for (s in names) if (!(s in done)) {
				v = (sm ? c["sockmail", s] : c["floor", s]) + 0
				if (v > bv) { bv = v; best = s }
			}
			if (best == "") break
			done[best] = 1
			printf "    %-16s %9.2f %9s\n", best, c["floor", best] / 100, (sm ? sprintf("%.2f", c["sockmail", best] / 100) : "")
		}
	}' "$@"
fi
echo
echo "Start-up wall time (hyperfine, shell-corrected, --warmup 20 --runs 200, < quit.txt):"
if command -v hyperfine >/dev/null 2>&1; then
	set -- -n trivial "$T/bin/trivial" -n floor "$FLOOR $T/q/rss < $T/quit.txt"
	[ $SM_OK = 1 ] && set -- "$@" -n sockmail "$SENDMAIL -Am -bs -C $T/rss.cf < $T/quit.txt"
	if timeout 300 hyperfine --warmup 20 --runs 200 --style none \
	    --export-json "$T/hf.json" "$@" >"$T/log/hyperfine.log" 2>&1; then
		python3 - "$T/hf.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base = r[0]["mean"]
for x in r:
    name = x["command"]
    print("  %-9s %7.3f ms +- %.3f   %5.2f x trivial" % (name, x["mean"] * 1e3, x["stddev"] * 1e3, x["mean"] / base))
EOF
	else
		echo "  hyperfine failed:"; tail -3 "$T/log/hyperfine.log" | sed 's/^/    /'
	fi
else
	echo "  (hyperfine missing)"
fi
} >>"$REPORT"
fi

echo >>"$REPORT"
echo "Bench took $(( $(date +%s) - BENCH_START )) s." >>"$REPORT"
cat "$REPORT"
[ -z "${BENCH_OUT:-}" ] || cp "$REPORT" "$BENCH_OUT"
# Exit 1 if a target was dropped or a cell failed (the table still printed).
if [ "$DROPPED" != 0 ] || awk -F'\t' '$8 != "ok" { bad = 1 } END { exit !bad }' "$RESULTS"; then
	exit 1
fi
exit 0
