#!/bin/sh
# t/deps.sh [build|check|bench]: install (as root) or name (otherwise) the
# Debian 12 packages that make target needs; build is the default.
# t/deps.sh --list build|check|bench: print them, one a line (t/41-deps.t).
#
# make and make run need only the build list; make check adds the test
# tools, make bench its measuring tools.  No list may name a package that
# Provides or Conflicts with mail-transport-agent (Postfix, Exim, ...):
# apt-get would remove the machine's own MTA (sendmail) to install it, and
# `make run` must never change the machine's MTA (t/41-deps.t checks).  The
# bench unpacks its Postfix privately instead (bench/run.sh), and the tests
# do the same for the real sendmail and xinetd (t/lib.sh unpack_debs).

# The build: compiler and the headers src/ includes (sasl, gnutls, gdbm,
# Berkeley DB:
# types only, the libraries are dlopen()ed); libsystemd-dev because the
# Makefile asks pkg-config for libsystemd.
BUILD="gcc make pkg-config libc6-dev
libsystemd-dev libgnutls28-dev libgdbm-dev libsasl2-dev libdb5.3-dev"

# The tests (make check): clang for clang-build and the fuzzers; the
# clients, activators and tools the t/*.t files run; the libraries of the
# real sendmail that t/50 unpacks; tzdata for the date unit test.
CHECK="clang libclang-rt-14-dev perl python3 swaks openbsd-inetd ucspi-tcp
m4 iproute2 systemd util-linux procps
python3-gdbm tzdata strace libdb5.3 libldap-2.5-0 libwrap0 libnsl2 libsasl2-2
libsasl2-modules libsasl2-modules-db sasl2-bin testssl.sh mutt
openssl libnet-ssleay-perl libio-socket-ssl-perl dnsmasq-base"

# make bench, beside the build: Postfix and its smtp-source are never
# installed here, bench/run.sh downloads and unpacks them.
BENCH="python3 iproute2 systemd util-linux procps valgrind hyperfine strace"

usage() { echo "usage: sh t/deps.sh [--list] [build|check|bench]" >&2; exit 64; }
list=0
[ "${1:-}" = --list ] && { list=1; shift; }
[ $# -le 1 ] || usage
case ${1:-build} in
build)	PKGS=$BUILD;;
check)	PKGS="$BUILD $CHECK";;
bench)	PKGS="$BUILD $BENCH";;
*)	usage;;
esac
if [ $list = 1 ]; then
	printf '%s\n' $PKGS | awk '!seen[$0]++'
	exit 0
fi
missing=
for p in $(printf '%s\n' $PKGS | awk '!seen[$0]++'); do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "sockmail needs these Debian packages; as root run:" >&2
	echo "  apt-get install -y --no-install-recommends --no-remove$missing" >&2
	exit 1
fi
# --no-remove: should a package ever want another removed (an MTA for
# another MTA), apt-get stops instead of removing it.
export DEBIAN_FRONTEND=noninteractive
echo "deps: installing$missing"
apt-get install -y --no-install-recommends --no-remove $missing >/tmp/sockmail-apt.log 2>&1 || {
	apt-get update >>/tmp/sockmail-apt.log 2>&1
	apt-get install -y --no-install-recommends --no-remove $missing >>/tmp/sockmail-apt.log 2>&1
} || { tail -20 /tmp/sockmail-apt.log; exit 1; }
