#!/bin/sh
# Install (as root) or name (otherwise) the Debian 12 packages that the
# build, the tests and the benchmarks need.  Postfix is preseeded to
# "No configuration" so that installing it never starts a system MTA.
PKGS="gcc clang make pkg-config libc6-dev libsystemd-dev libgnutls28-dev
libgdbm-dev libclang-rt-14-dev perl python3 swaks openbsd-inetd ucspi-tcp
postfix m4 iproute2 valgrind hyperfine systemd util-linux procps
python3-gdbm tzdata strace xz-utils libdb5.3 libdb5.3-dev libldap-2.5-0 libwrap0 libnsl2 libsasl2-2
libsasl2-dev libsasl2-modules libsasl2-modules-db sasl2-bin
openssl libnet-ssleay-perl libio-socket-ssl-perl dnsmasq-base"
missing=
for p in $PKGS; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "sockmail needs these Debian packages; as root run:" >&2
	echo "  apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
echo "deps: installing$missing"
apt-get install -y --no-install-recommends $missing >/tmp/sockmail-apt.log 2>&1 || {
	apt-get update >>/tmp/sockmail-apt.log 2>&1
	apt-get install -y --no-install-recommends $missing >>/tmp/sockmail-apt.log 2>&1
} || { tail -20 /tmp/sockmail-apt.log; exit 1; }
