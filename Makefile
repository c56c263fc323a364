# sockmail - plain GNU make.  Targets:
#   make            build build/sendmail
#   make check      build and run every test through prove (installs Debian
#                   packages it needs when run as root)
#   make check SANITIZE=1   the same with AddressSanitizer + UBSan
#   make run        a private, unprivileged MTA on 127.0.0.1:2525
#   make fuzz       longer libFuzzer runs of the parsers
#   make bench      throughput and memory beside Postfix (not part of check)
#   make install DESTDIR= PREFIX=

CC	?= cc
PREFIX	?= /usr
SYSCONFDIR ?= /etc/mail
SPOOLDIR ?= /var/spool
DESTDIR	?=
SANITIZE ?=
B	:= build

PKG_CFLAGS := $(shell pkg-config --cflags libsystemd gnutls 2>/dev/null)
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
	   -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes \
	   -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE \
	   -DSYSCONFDIR='"$(SYSCONFDIR)"' -DSPOOLDIR='"$(SPOOLDIR)"' \
	   -Isrc -MMD -MP $(PKG_CFLAGS)
# Partial RELRO with lazy binding: -z now would resolve all ~120 libc
# symbols at every exec, a fifth of a session's start-up instructions
# (measured with callgrind, see bench/); a session calls far fewer.
LDFLAGS	+= -pie -Wl,-z,relro -Wl,--as-needed
# libsystemd, GnuTLS and GDBM are loaded with dlopen() where they are used:
# a session that does not use them never maps them (doc/DESIGN.md 9).
LDLIBS	+= -ldl

ifeq ($(SANITIZE),1)
B	:= build-san
CFLAGS	:= $(filter-out -D_FORTIFY_SOURCE=2,$(CFLAGS)) -O1 \
	   -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
LDFLAGS	+= -fsanitize=address,undefined
endif

# src/<floor folder>/<module>.c; doc/ARCHITECTURE.md gives the floors.
SRCS	:= $(wildcard src/*/*.c)
OBJS	:= $(SRCS:src/%.c=$(B)/obj/%.o)
LIBOBJS	:= $(filter-out $(B)/obj/main/main.o,$(OBJS))
UNIT_SRCS := $(wildcard t/unit/*_test.c)
UNITS	:= $(UNIT_SRCS:t/unit/%.c=$(B)/t/%)
FUZZ_SRCS := $(wildcard fuzz/fuzz_*.c)

.PHONY: all check unit deps run fuzz fuzz-check bench install clean clang-build

all: $(B)/sendmail

$(B)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/sendmail: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

$(B)/t/%: t/unit/%.c t/unit/tap.h $(LIBOBJS) | $(B)/t
	$(CC) $(CFLAGS) -o $@ $< $(LIBOBJS) $(LDFLAGS) $(LDLIBS)

$(B)/t:
	mkdir -p $@

unit: $(UNITS)

# make deps: what the build needs (make run too); check and bench ask
# t/deps.sh for their lists.  None of them is an MTA (t/41-deps.t).
DEPS_FOR ?= build
check: DEPS_FOR = check
bench: DEPS_FOR = bench
deps:
	@sh t/deps.sh $(DEPS_FOR)

# Tests find the binary and unit programs through SOCKMAIL_BUILD.  As
# root, and where unshare -m works, they run under t/hostile-etc-mail.sh:
# in a mount namespace of their own where $(SYSCONFDIR) and the default
# queues under $(SPOOLDIR) hold hostile files, so that a test reading
# the host's mail configuration fails here too (t/02-hostile-etc.t
# checks it is so); otherwise they see the host's, and make says so.
TESTENV	= SOCKMAIL_BUILD=$(CURDIR)/$(B) SANITIZE=$(SANITIZE)
TESTS	= prove -j2 $(UNITS) t/
check: deps all unit clang-build
	@if [ "$$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then \
	    echo "$(TESTENV) sh t/hostile-etc-mail.sh $(SYSCONFDIR) $(SPOOLDIR) $(TESTS)"; \
	    $(TESTENV) sh t/hostile-etc-mail.sh $(SYSCONFDIR) $(SPOOLDIR) $(TESTS); \
	else \
	    echo "make check: not root, or unshare -m fails: the tests see this host's $(SYSCONFDIR) and $(SPOOLDIR) (t/02-hostile-etc.t is skipped)"; \
	    echo "$(TESTENV) $(TESTS)"; \
	    $(TESTENV) $(TESTS); \
	fi
	$(MAKE) --no-print-directory fuzz-check

# The same sources must build warning-free with clang too.
clang-build:
	@$(MAKE) --no-print-directory -s CC=clang B=build-clang SANITIZE= all

# libFuzzer targets (clang only), built from the same sources.
FZ	:= build-fuzz
FZFLAGS	:= -std=c11 -D_GNU_SOURCE -DBODY_PRESCAN=7 -g -O1 -Isrc -MMD -MP -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	   -DSYSCONFDIR='"$(SYSCONFDIR)"' -DSPOOLDIR='"$(SPOOLDIR)"'
FUZZERS	:= $(FUZZ_SRCS:fuzz/%.c=$(FZ)/%)
FUZZ_OBJS := $(filter-out $(FZ)/obj/main/main.o,$(SRCS:src/%.c=$(FZ)/obj/%.o))

$(FZ)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	clang $(FZFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FZ)/%: fuzz/%.c $(FUZZ_OBJS) | $(FZ)
	clang $(FZFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) -ldl

$(FZ):
	mkdir -p $@

FUZZ_SECONDS ?= 60
fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do n=$$(basename $$f); mkdir -p $(FZ)/corpus-$$n; \
	  echo "== $$n ($(FUZZ_SECONDS)s)"; \
	  $$f -artifact_prefix=$(FZ)/ -max_total_time=$(FUZZ_SECONDS) -max_len=4096 $(FZ)/corpus-$$n fuzz/corpus/$$n \
	    2>$(FZ)/$$n.log || { tail -40 $(FZ)/$$n.log; exit 1; }; done

# The short, bounded run that make check does.
fuzz-check: $(FUZZERS)
	@for f in $(FUZZERS); do n=$$(basename $$f); mkdir -p $(FZ)/corpus-$$n; \
	  $$f -artifact_prefix=$(FZ)/ -runs=30000 -max_total_time=20 -max_len=4096 $(FZ)/corpus-$$n fuzz/corpus/$$n \
	    >$(FZ)/$$n.log 2>&1 || { tail -40 $(FZ)/$$n.log; exit 1; }; \
	  echo "fuzz $$n: ok ($$(grep -c . $(FZ)/$$n.log) log lines)"; done

run: deps all
	@sh t/run-local.sh $(CURDIR)/$(B)/sendmail

bench: deps all
	@sh bench/run.sh $(CURDIR)/$(B)/sendmail

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/lib \
	    $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(SYSCONFDIR) \
	    $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 2555 $(B)/sendmail $(DESTDIR)$(PREFIX)/sbin/sendmail
	ln -sf ../sbin/sendmail $(DESTDIR)$(PREFIX)/lib/sendmail
	ln -sf ../sbin/sendmail $(DESTDIR)$(PREFIX)/bin/mailq
	ln -sf ../sbin/sendmail $(DESTDIR)$(PREFIX)/bin/newaliases
	ln -sf ../sbin/sendmail $(DESTDIR)$(PREFIX)/sbin/makemap
	install -m 0444 cf/sendmail.cf $(DESTDIR)$(SYSCONFDIR)/sendmail.cf
	install -m 0444 cf/submit.cf $(DESTDIR)$(SYSCONFDIR)/submit.cf
	install -m 0644 doc/sendmail.8 $(DESTDIR)$(PREFIX)/share/man/man8/sendmail.8
	install -d -m 0700 $(DESTDIR)$(SPOOLDIR)/mqueue
	install -d -m 0770 $(DESTDIR)$(SPOOLDIR)/clientmqueue
	@if [ "$$(id -u)" = 0 ] && [ -z "$(DESTDIR)" ]; then \
	  chgrp smmsp $(DESTDIR)$(PREFIX)/sbin/sendmail $(DESTDIR)$(SPOOLDIR)/clientmqueue && \
	  chmod 2555 $(DESTDIR)$(PREFIX)/sbin/sendmail && \
	  chown smmsp:smmsp $(DESTDIR)$(SPOOLDIR)/clientmqueue && \
	  chown smmta:smmta $(DESTDIR)$(SPOOLDIR)/mqueue; \
	else echo "install: not root or DESTDIR set: owners smmsp/smmta left for the packager"; fi

clean:
	rm -rf build build-san build-fuzz build-clang

# Header dependencies, written by -MMD -MP beside each object.
-include $(OBJS:.o=.d) $(UNITS:=.d) $(FUZZ_OBJS:.o=.d) $(FUZZERS:=.d)
