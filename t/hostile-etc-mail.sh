#!/bin/sh
# t/hostile-etc-mail.sh SYSCONFDIR SPOOLDIR COMMAND... - run COMMAND (make
# check's prove) in a mount namespace of its own where SYSCONFDIR
# (/etc/mail) holds what Debian's sendmail installs there, made hostile,
# and SPOOLDIR/mqueue and SPOOLDIR/clientmqueue are directories no test
# may use.  Every test configuration must name each file it uses under
# its own $T: a test that falls back to a compiled-in default path reads
# these files instead of the host's, and fails loudly rather than pass
# on one host and fail on another (issue 15, item 14):
# - sendmail.cf and submit.cf: valid, but queueing into a directory
#   that does not exist, as RunAsUser=nobody, with a greeting that says
#   HOSTILE;
# - aliases, and aliases.db and access.db with a Berkeley DB hash header
#   over garbage, owned smmta:smmsp 0640 as Debian's: sockmail takes
#   them for Debian's maps, and every lookup in them fails (451), so a
#   test cannot pass by luck (a valid map would answer for some names);
# - helpfile, local-host-names, relay-domains and trusted-users,
#   writable by anyone (refused by sockmail's safe-file checks), and
#   service.switch, sendmail.mc, submit.mc, sasl/Sendmail.conf;
# - the marker SOCKMAIL-HOSTILE, holding a token of this run, which
#   t/02-hostile-etc.t compares with $SOCKMAIL_HOSTILE_TOKEN: the
#   isolation cannot vanish without a test failing.
# The directory lives under /tmp and is removed after COMMAND.  Root
# only (mount); COMMAND's exit status is returned.
#
# A bind mount needs its mount point.  Where SYSCONFDIR or the two
# queue directories do not exist on the host, they are created there,
# empty, and left: an empty directory configures nothing (sockmail and
# sendmail find no file in it, as without it), and Debian's packages
# and make install adopt an existing one.  The alternatives hide too
# much or too little: a tmpfs over /etc hides the rest of /etc, an
# overlay over /etc hides the files Docker bind-mounts into it
# (/etc/hosts, /etc/resolv.conf), and removing the directories again
# would race with another run whose namespace still mounts on them.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 SYSCONFDIR SPOOLDIR COMMAND..." >&2; exit 2; }
ETC=$1
SPOOL=$2
shift 2
[ "$(id -u)" = 0 ] || { echo "$0: needs root (mount)" >&2; exit 2; }

# lib.sh's users (smmta, smmsp, ...), the owners of Debian's maps.
. "${0%/*}/lib.sh"
ensure_users

H=$(mktemp -d /tmp/sockmail-hostile.XXXXXX)
trap 'rm -rf "$H"' EXIT
trap 'exit 1' INT TERM
TOKEN=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
E=$H/etc
mkdir -m 755 "$E" "$E/sasl"

printf '%s\nmade by t/hostile-etc-mail.sh for this run of make check\n' \
    "$TOKEN" >"$E/SOCKMAIL-HOSTILE"

# hostile_cf NAME QUEUE: a configuration sockmail loads without
# complaint, but under which no test can pass.
hostile_cf() {
	cat <<EOF
# $ETC/$1 of t/hostile-etc-mail.sh: HOSTILE.  A test that reads this
# uses the host's configuration; give it -C and a cf under its \$T.
V10/Berkeley
Djhostile.invalid
Cw hostile.invalid
Fw-o $ETC/local-host-names
FR-o $ETC/relay-domains
O QueueDirectory=$2
O AliasFile=$ETC/aliases
O HelpFile=$ETC/helpfile
O RunAsUser=nobody
O MaxMessageSize=1
O SmtpGreetingMessage=\$j HOSTILE-$1 of t/hostile-etc-mail.sh
Kaccess hash -o $ETC/access
EOF
}
hostile_cf sendmail.cf "$ETC/HOSTILE-mqueue-does-not-exist" >"$E/sendmail.cf"
hostile_cf submit.cf "$ETC/HOSTILE-clientmqueue-does-not-exist" >"$E/submit.cf"
for f in sendmail submit; do
	printf 'divert(-1)\n# HOSTILE %s.mc of t/hostile-etc-mail.sh\ndivert(0)dnl\n' \
	    "$f" >"$E/$f.mc"
done
printf 'root: hostile-root@hostile.invalid\npostmaster: root\nMAILER-DAEMON: postmaster\n' \
    >"$E/aliases"
printf 'Connect:127.0.0.1\tREJECT\nConnect:localhost\tREJECT\n' >"$E/access"
printf 'HOSTILE helpfile of t/hostile-etc-mail.sh\n' >"$E/helpfile"
printf 'hostile.invalid\n' >"$E/local-host-names"
printf 'hostile.invalid\n' >"$E/relay-domains"
printf 'nobody\n' >"$E/trusted-users"
printf 'hosts\tnis\naliases\tnis\n' >"$E/service.switch"
printf 'pwcheck_method: saslauthd\nmech_list: HOSTILE\n' >"$E/sasl/Sendmail.conf"
# The class files and the help file could be changed by anyone: a
# configuration that names them (the shipped cf/sendmail.cf does, as
# Fw-o and FR-o) is refused, even where they are optional.
for f in helpfile local-host-names relay-domains trusted-users; do
	chown nobody "$E/$f"
	chmod 666 "$E/$f"
done

# A Berkeley DB hash file's metadata page: the magic number 0x061561
# at offset 12 (little-endian, as this machine writes it), garbage
# after it.
bdb_garbage() {
	{
		head -c 12 /dev/zero
		printf '\141\025\006\000'
		yes HOSTILE | head -c 4080
	} >"$1"
	chown smmta:smmsp "$1"
	chmod 640 "$1"
}
bdb_garbage "$E/aliases.db"
bdb_garbage "$E/access.db"

# The default queues: owned by nobody, mode 0700, each with a qf that
# is not one, so that a session queueing there fails and a listing of
# them shows it.
for q in mqueue clientmqueue; do
	mkdir -m 700 "$H/$q"
	printf 'HOSTILE control file of t/hostile-etc-mail.sh\n' >"$H/$q/qfHOSTILE00001"
	chown -R nobody "$H/$q"
done

# sockmail's AuthSasldbPath default, outside SYSCONFDIR: hidden too
# where the host has one (Debian's sasl2-bin makes it), never created.
SASLDB=
if [ -f /etc/sasldb2 ]; then
	bdb_garbage "$H/sasldb2"
	SASLDB=/etc/sasldb2
fi

for d in "$ETC" "$SPOOL/mqueue" "$SPOOL/clientmqueue"; do
	[ -d "$d" ] || { mkdir -p "$d" && echo "$0: created an empty $d (a mount point)" >&2; }
done

export SOCKMAIL_HOSTILE_TOKEN="$TOKEN" SOCKMAIL_HOSTILE_ETC="$ETC" \
    SOCKMAIL_HOSTILE_SPOOL="$SPOOL"
echo "$0: $ETC, $SPOOL/mqueue and $SPOOL/clientmqueue are hostile copies in $H for: $*" >&2
# unshare -m makes every mount private (util-linux's default): the bind
# mounts are seen by COMMAND and its children only, never by the host.
set +e
unshare -m sh -c '
	mount --bind "$1/etc" "$2" &&
	mount --bind "$1/mqueue" "$3/mqueue" &&
	mount --bind "$1/clientmqueue" "$3/clientmqueue" || exit 2
	[ -z "$4" ] || mount --bind "$1/sasldb2" "$4" || exit 2
	shift 4
	exec "$@"' sh "$H" "$ETC" "$SPOOL" "$SASLDB" "$@"
rc=$?
exit $rc
