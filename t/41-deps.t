#!/bin/sh
# 41-deps.t - make run and make check never change the machine's MTA
# (issue 15): the packages t/deps.sh installs for them neither Provide nor
# Conflict with mail-transport-agent (nor with sendmail-bin), also through
# their dependencies, so apt-get never removes a host's sendmail to install
# them; make run asks only for the build list, not for the test tools.
# What make reaches is run with stubs for apt-get and dpkg-query: nothing
# is installed here.
. "${0%/*}/lib.sh"

command -v apt-cache >/dev/null 2>&1 || { echo "1..0 # SKIP no apt-cache (not Debian)"; exit 0; }
setup

# dpkg-query knows no package, so deps.sh asks for all of its list;
# apt-get (and debconf-set-selections) only record their arguments.
mkdir "$T/stub"
printf '#!/bin/sh\nexit 1\n' >"$T/stub/dpkg-query"
printf '#!/bin/sh\necho "$*" >>"%s/apt-args"\n' "$T" >"$T/stub/apt-get"
printf '#!/bin/sh\ncat >>"%s/debconf"\n' "$T" >"$T/stub/debconf-set-selections"
chmod 755 "$T/stub/"*

# deps_cmd TARGET: the t/deps.sh line `make -n TARGET` would run (not
# steered by the flags of a make check that runs this test).
deps_cmd() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -n -C "$SRC_DIR" --no-print-directory "$1" 2>/dev/null |
	    grep 't/deps\.sh' | head -1
}

# reached CMD: the packages CMD passes to apt-get install (as root), or
# names in its apt-get line (otherwise), one a line, sorted.
reached() {
	: >"$T/apt-args"
	(cd "$SRC_DIR" && PATH="$T/stub:$PATH" sh -c "$1") >"$T/deps.out" 2>&1
	{ grep '^install ' "$T/apt-args"
	  grep -o 'apt-get install .*' "$T/deps.out"; } |
	    tr ' ' '\n' | grep -v -e '^-' -e '^install$' -e '^apt-get$' -e '^$' | sort -u
}

# list NAME: t/deps.sh --list NAME, sorted (under the stubs, so that a
# deps.sh without --list installs nothing either).
list() {
	(cd "$SRC_DIR" && PATH="$T/stub:$PATH" sh t/deps.sh --list "$1") 2>/dev/null |
	    tr -s ' \t' '\n\n' | grep -v '^$' | sort -u
}

# has LIST WORD: WORD is a line of LIST.
has() { printf '%s\n' "$1" | grep -qx -- "$2"; }

RUN_CMD=$(deps_cmd run)
CHECK_CMD=$(deps_cmd check)
like "$RUN_CMD" 't/deps\.sh' "make -n run runs t/deps.sh"
like "$CHECK_CMD" 't/deps\.sh' "make -n check runs t/deps.sh"
RUN_PKGS=$(reached "$RUN_CMD")
CHECK_PKGS=$(reached "$CHECK_CMD")
L_BUILD=$(list build)
L_CHECK=$(list check)
L_BENCH=$(list bench)
[ -n "$L_BUILD" ] && [ -n "$L_CHECK" ] && [ -n "$L_BENCH" ]
ok $? "t/deps.sh --list prints the build, check and bench lists"
is "$(echo $RUN_PKGS)" "$(echo $L_BUILD)" "make run asks apt-get for the build list, nothing else"
is "$(echo $CHECK_PKGS)" "$(echo $L_CHECK)" "make check asks apt-get for the check list"
is "$(cat "$T/debconf" 2>/dev/null)" "" "no package is preseeded (none needs debconf answers)"

# The test tools: in the check list and not in the build list.
TOOLS=$(printf '%s\n' "$L_BUILD" "$L_BUILD" "$L_CHECK" | sort | uniq -u)
has "$TOOLS" swaks; ok $? "the test tools (swaks, ...) are in the check list only"
both=$(printf '%s\n' "$RUN_PKGS" "$TOOLS" | sort | uniq -d)
is "$(echo $both)" "" "make -n run reaches apt-get for no test package"
for p in swaks openbsd-inetd ucspi-tcp python3 valgrind postfix; do
	! has "$RUN_PKGS" $p; ok $? "make run does not install $p"
done
for l in build check bench; do
	eval "_l=\$L_$(echo $l | tr a-z A-Z)"
	! has "$_l" postfix; ok $? "the $l list has no postfix (bench/run.sh unpacks it)"
done

# What sendmail-bin conflicts with, and the MTA names themselves.
apt-cache show --no-all-versions sendmail-bin 2>/dev/null |
    sed -n 's/^\(Conflicts\|Breaks\): //p' | tr ',|' '\n\n' |
    sed 's/[[:space:]]*(.*//; s/^[[:space:]]*//; /^$/d' >"$T/bad"
printf '%s\n' mail-transport-agent sendmail-bin sendmail >>"$T/bad"
like "$(cat "$T/bad")" '^mail-transport-agent$' "sendmail-bin conflicts with mail-transport-agent"

# mta_trouble PKG...: the stanzas of PKG... (and of their dependencies,
# recursively, every alternative) that are, Provide, Conflict with or
# Break mail-transport-agent, sendmail-bin or what sendmail-bin conflicts
# with; one "package: field: value" a line.
mta_trouble() {
	apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
	    --no-breaks --no-replaces --no-enhances "$@" 2>/dev/null |
	    sed -n 's/^\([^ ].*\)$/\1/p' | tr -d '<>' | sort -u >"$T/closure"
	xargs apt-cache show --no-all-versions <"$T/closure" 2>/dev/null |
	    awk -v badf="$T/bad" -v closf="$T/closure" '
		BEGIN { while ((getline l < badf) > 0) bad[l] = 1
			while ((getline l < closf) > 0) if (l in bad) print l ": is in the dependencies" }
		/^Package: / { pkg = $2 }
		/^(Provides|Conflicts|Breaks): / {
			f = substr($1, 1, length($1) - 1); v = substr($0, length($1) + 2)
			n = split(v, a, /[,|]/)
			for (i = 1; i <= n; i++) {
				w = a[i]; sub(/^[ \t]+/, "", w); sub(/[ \t(].*/, "", w)
				if (w in bad) print pkg ": " f " " w
			}
		}' | sort -u
}

# A package apt-cache does not know cannot be judged: name it.  (One
# apt-cache call for all: each one costs seconds here.)
printf '%s\n' "$L_BUILD" "$L_CHECK" "$L_BENCH" | sort -u >"$T/all"
xargs apt-cache show --no-all-versions <"$T/all" 2>/dev/null |
    sed -n 's/^Package: //p' | sort -u >"$T/known"
is "$(comm -23 "$T/all" "$T/known" | tr '\n' ' ')" "" "apt-cache knows every listed package"

bad=$(mta_trouble $RUN_PKGS)
is "$bad" "" "nothing make run installs is, provides or conflicts with an MTA (sendmail stays)"
bad=$(mta_trouble $CHECK_PKGS)
is "$bad" "" "nothing make check installs is, provides or conflicts with an MTA"
bad=$(mta_trouble $L_BENCH)
is "$bad" "" "nothing make bench installs is, provides or conflicts with an MTA"
# The check itself can fail: Postfix is all three.
like "$(mta_trouble postfix)" '^postfix: (Provides|Conflicts) mail-transport-agent$' \
    "... and the same check finds Postfix's Provides and Conflicts"

done_testing
