# SPDX-License-Identifier: MIT
# libportbind - hand-written GNU Makefile.  ./configure is optional: it only
# writes config.mak.autogen, included below; config.mak overrides both.

# ---- defaults (override on the command line, in config.mak, or configure)
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
CFLAGS     ?= -O2 -g
AR         ?= ar
INSTALL    ?= install
PKG_CONFIG ?= pkg-config
MANDOC     ?= mandoc

-include config.mak.autogen
-include config.mak

# ---- version, from the one place it is written
hdrver = $(shell sed -n 's/^\#define PB_VERSION_$(1) *\([0-9]*\).*/\1/p' include/portbind.h)
MAJOR   := $(call hdrver,MAJOR)
MINOR   := $(call hdrver,MINOR)
PATCH   := $(call hdrver,PATCH)
VERSION := $(MAJOR).$(MINOR).$(PATCH)

# ---- flags the build needs, kept apart from the user's CFLAGS
WARNINGS := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	    -Wformat=2 -Wwrite-strings -Wvla
ifeq ($(DEVELOPER),1)
WARNINGS += -Werror -Wundef -Wpointer-arith -Wcast-qual -Wold-style-definition \
	    -Wmissing-declarations -Wnull-dereference
endif
ifneq ($(SANITIZE),)
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
PB_CPPFLAGS := -Iinclude -Ilib -D_GNU_SOURCE
PB_CFLAGS   := -std=c99 $(WARNINGS) $(SAN_FLAGS) -MMD -MP
ALL_CFLAGS   = $(PB_CPPFLAGS) $(CPPFLAGS) $(PB_CFLAGS) $(CFLAGS)
ALL_LDFLAGS  = $(SAN_FLAGS) $(LDFLAGS)

# The stack budget of lib/ (the library and the shim's copy of it; not
# tests, examples or bench): no function frame over 1 KiB, so that no path
# needs more than 8 KiB and every call works in a thread whose stack is
# PTHREAD_STACK_MIN (16 KiB); tests/check_stack.c runs the paths in one.
# A warning, an error with DEVELOPER=1.  -Wstack-usage (gcc) also counts
# dynamic allocations; -fstack-clash-protection probes every page of a
# large frame, so that no frame can step over a guard page.  Flags the
# compiler lacks are left out (checked once, here).  A SANITIZE= build
# is not held to the budget: its redzones and shadow frames are not the
# library's (and check_stack.c skips there).
cc_flag = $(shell $(CC) -Werror $(1) -x c -c -o /dev/null /dev/null 2>/dev/null && echo $(1))
PB_FRAME_MAX := 1024
LIB_CFLAGS := $(call cc_flag,-fstack-clash-protection)
ifeq ($(SANITIZE),)
LIB_CFLAGS += -Wframe-larger-than=$(PB_FRAME_MAX) \
	      $(call cc_flag,-Wstack-usage=$(PB_FRAME_MAX))
endif

ifneq ($(V),1)
Q = @
msg = @printf '  %-8s %s\n' $(1) $(2);
endif

# ---- what gets built
LIB_SRCS  := $(sort $(wildcard lib/*.c))
SHARED_OBJS := $(LIB_SRCS:lib/%.c=build/shared/%.o)
STATIC_OBJS := $(LIB_SRCS:lib/%.c=build/static/%.o)
SONAME    := libportbind.so.$(MAJOR)
SOLIB     := libportbind.so.$(VERSION)
STATICLIB := libportbind.a
PCFILE    := portbind.pc
MAPFILE   := lib/libportbind.map

# The LD_PRELOAD shim: its own PIC copy of the library in which bind and
# listen are the raw system calls (so the library's probes never re-enter
# the wrappers), plus the wrappers; it exports bind and listen only.
PRELOAD      := libportbind-preload.so
PRELOAD_OBJS := $(LIB_SRCS:lib/%.c=build/preload/%.o) build/preload/preload.o
PRELOAD_MAP  := lib/preload/preload.map
# Only what bind() and listen() reach is linked in, so the shim's undefined
# symbols are exactly the C library functions they can call (tests/preload.sh
# compares them with portbind-preload(8)).
PRELOAD_GC   := -ffunction-sections -fdata-sections

TEST_SRCS := $(sort $(wildcard tests/check_*.c))
TEST_OBJS := $(TEST_SRCS:tests/%.c=build/tests/%.o) build/tests/testutil.o
TEST_BIN  := tests/check_portbind

EXAMPLES  := $(patsubst examples/%.c,examples/%,$(sort $(wildcard examples/*.c examples/demo/*.c)))
TOOLS     := examples/portbind-why
INSTALLED_TOOLS := $(filter $(TOOLS),$(EXAMPLES))

MAN3 := $(sort $(wildcard man/*.3))
MAN1 := $(sort $(wildcard man/*.1))
MAN7 := $(sort $(wildcard man/*.7))
MAN8 := $(sort $(wildcard man/*.8))
MANPAGES := $(MAN1) $(MAN3) $(MAN7) $(MAN8)

CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lm -pthread)


.PHONY: FORCE all examples check check-long check-man demo install uninstall \
	installcheck dist clean distclean bench lint

all: $(STATICLIB) $(SOLIB) $(SONAME) libportbind.so $(PCFILE) $(PRELOAD)

# Objects are rebuilt when the compiler or its flags change (a SANITIZE=
# or CC= build after a plain one must not link stale objects).
FLAGS_STAMP := build/flags.stamp
FLAGS_NOW = $(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) $(ALL_LDFLAGS) $(PRELOAD_GC)
$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '$(FLAGS_NOW)' | cmp -s - $@ || printf '%s\n' '$(FLAGS_NOW)' > $@
FORCE:
$(SHARED_OBJS) $(STATIC_OBJS) $(PRELOAD_OBJS) $(TEST_OBJS) $(EXAMPLES): $(FLAGS_STAMP)

build/shared/%.o: lib/%.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

build/static/%.o: lib/%.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -fvisibility=hidden -c -o $@ $<

$(SOLIB): $(SHARED_OBJS) $(MAPFILE)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -shared -Wl,-soname,$(SONAME) \
		-Wl,--version-script=$(MAPFILE) -Wl,-z,defs -Wl,-z,relro -Wl,-z,now \
		-o $@ $(SHARED_OBJS)

build/preload/%.o: lib/%.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) $(PRELOAD_GC) -fPIC -fvisibility=hidden \
		-Dbind=pb__real_bind -Dlisten=pb__real_listen -c -o $@ $<

build/preload/preload.o: lib/preload/preload.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) $(PRELOAD_GC) -fPIC -fvisibility=hidden -c -o $@ $<

$(PRELOAD): $(PRELOAD_OBJS) $(PRELOAD_MAP)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -shared -Wl,--version-script=$(PRELOAD_MAP) \
		-Wl,--gc-sections -Wl,-z,defs -Wl,-z,relro -Wl,-z,now -o $@ $(PRELOAD_OBJS)

$(SONAME): $(SOLIB)
	$(Q)ln -sf $(SOLIB) $@
libportbind.so: $(SONAME)
	$(Q)ln -sf $(SONAME) $@

$(STATICLIB): $(STATIC_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

# portbind.pc is made again when the directories it names change
# (`make install PREFIX=...` after a plain `make`).
DIRS_STAMP := build/dirs.stamp
DIRS_NOW = $(PREFIX) $(LIBDIR) $(INCLUDEDIR)
$(DIRS_STAMP): FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '$(DIRS_NOW)' | cmp -s - $@ || printf '%s\n' '$(DIRS_NOW)' > $@

$(PCFILE): lib/portbind.pc.in include/portbind.h $(DIRS_STAMP) \
	   $(wildcard config.mak.autogen config.mak)
	$(call msg,GEN,$@)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

# ---- examples and tools link the static library: they run from the tree
#      and install without depending on where the shared one lands.
examples: $(EXAMPLES)

examples/%: examples/%.c $(STATICLIB)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS) $(STATICLIB)

# ---- tests
build/tests/%.o: tests/%.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(TEST_BIN): $(TEST_OBJS) $(STATICLIB)
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $(TEST_OBJS) $(ALL_LDFLAGS) $(STATICLIB) $(CHECK_LIBS)

check: all $(TEST_BIN) examples check-man
	$(Q)sh tests/signal-safe.sh build/static build/preload
	$(Q)sh tests/layers.sh build/static
	$(Q)./$(TEST_BIN)
	$(Q)sh tests/why.sh
	$(Q)sh tests/preload.sh
	$(Q)PB_CC="$(CC)" sh tests/examples.sh
	$(Q)PB_CC="$(CC)" PB_LDFLAGS="$(ALL_LDFLAGS)" sh tests/docexamples.sh
	$(Q)PB_CC="$(CC)" PB_LDFLAGS="$(ALL_LDFLAGS)" sh tests/cxx.sh
	$(Q)if command -v python3 >/dev/null; then CC='$(CC)' PB_DOC_CFLAGS='$(ALL_CFLAGS)' PB_DOC_LDFLAGS='$(ALL_LDFLAGS)' python3 tests/docoutput.py; else echo '  documentation check: skipped: no python3'; fi

# The kernel as the oracle of the diagnosis (tests/check_oracle.c) over
# many random scenarios: PB_ORACLE_SEEDS of them (2000 by default, a
# minute or two as root) from PB_ORACLE_BASE (fixed by default, so that CI
# is deterministic; set it to explore: the seeds are printed, and
# PB_ORACLE_SEED=S reruns one).
PB_ORACLE_SEEDS ?= 2000
PB_ORACLE_BASE ?= 100000
check-long: all $(TEST_BIN)
	$(Q)CK_RUN_SUITE=oracle PB_ORACLE_SEEDS=$(PB_ORACLE_SEEDS) \
		PB_ORACLE_BASE=$(PB_ORACLE_BASE) ./$(TEST_BIN)

check-man:
	$(Q)if command -v $(MANDOC) >/dev/null 2>&1; then \
		for p in $(MANPAGES); do \
			$(MANDOC) -Tlint -W warning $$p || exit 1; \
		done; echo "  man pages: $(words $(MANPAGES)) lint clean"; \
	else echo "  man pages: mandoc not found, lint skipped"; fi

# ---- static analysis: the chosen checks, clean on lib/.  cert-err34-c is
#      left out: the one sscanf (procnet.c) checks its conversion count.
CPPCHECK   ?= cppcheck
CLANG_TIDY ?= clang-tidy
TIDY_CHECKS := -*,bugprone-*,clang-analyzer-*,cert-*,performance-*,\
	misc-redundant-expression,-bugprone-easily-swappable-parameters,\
	-bugprone-reserved-identifier,-cert-dcl37-c,-cert-dcl51-cpp,\
	-cert-err33-c,-cert-err34-c

lint:
	$(Q)$(CPPCHECK) -q --enable=warning,portability,performance \
		--error-exitcode=1 --std=c99 -D__linux__ -D_GNU_SOURCE \
		-Iinclude -Ilib lib/
	$(Q)$(CLANG_TIDY) --quiet --warnings-as-errors='*' -checks='$(TIDY_CHECKS)' \
		$(LIB_SRCS) lib/preload/preload.c -- -std=c99 -D_GNU_SOURCE -Iinclude -Ilib
	@echo "  lint: cppcheck and clang-tidy clean on lib/"

demo: all examples
	$(Q)sh examples/demo/demo.sh

bench: all
	$(Q)$(MAKE) -C bench

# ---- install: every path through DESTDIR; uninstall removes exactly that
man_links = sed -n 's/^\.Nm \([a-z_0-9-]*\).*/\1/p' $(1) | sort -u

install: all examples
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 644 include/portbind.h $(DESTDIR)$(INCLUDEDIR)/
	$(INSTALL) -m 644 $(STATICLIB) $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 755 $(SOLIB) $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 755 $(PRELOAD) $(DESTDIR)$(LIBDIR)/
	ln -sf $(SOLIB) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libportbind.so
	$(INSTALL) -m 644 $(PCFILE) $(DESTDIR)$(PKGCONFIGDIR)/
	$(if $(INSTALLED_TOOLS),$(INSTALL) -m 755 $(INSTALLED_TOOLS) $(DESTDIR)$(BINDIR)/)
	@set -e; for p in $(MANPAGES); do \
		s=$${p##*.}; b=$${p##*/}; d=$(DESTDIR)$(MANDIR)/man$$s; \
		$(INSTALL) -d $$d; $(INSTALL) -m 644 $$p $$d/; \
		for n in `$(call man_links,$$p)`; do \
			[ "$$n.$$s" = "$$b" ] || ln -sf $$b $$d/$$n.$$s; \
		done; \
	done

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/portbind.h
	rm -f $(DESTDIR)$(LIBDIR)/$(STATICLIB) $(DESTDIR)$(LIBDIR)/$(SOLIB) \
		$(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libportbind.so \
		$(DESTDIR)$(LIBDIR)/$(PRELOAD)
	rm -f $(DESTDIR)$(PKGCONFIGDIR)/$(PCFILE)
	rm -f $(patsubst examples/%,$(DESTDIR)$(BINDIR)/%,$(INSTALLED_TOOLS))
	@set -e; for p in $(MANPAGES); do \
		s=$${p##*.}; b=$${p##*/}; d=$(DESTDIR)$(MANDIR)/man$$s; \
		rm -f $$d/$$b; \
		for n in `$(call man_links,$$p)`; do rm -f $$d/$$n.$$s; done; \
	done

# Install into a scratch tree and build a user's program against it with
# pkg-config, shared and static; check the exported symbol set.
installcheck: all
	$(Q)sh tests/installcheck.sh

# ---- dist: the tracked files plus a generated configure
DISTNAME := libportbind-$(VERSION)
dist:
	$(Q)rm -rf build/$(DISTNAME) && mkdir -p build/$(DISTNAME)
	$(Q)git ls-files -z | xargs -0 cp --parents -t build/$(DISTNAME)
	$(Q)cd build/$(DISTNAME) && autoconf && rm -rf autom4te.cache
	$(Q)tar -C build -czf $(DISTNAME).tar.gz $(DISTNAME)
	@echo "  DIST     $(DISTNAME).tar.gz"

clean:
	rm -rf build $(STATICLIB) $(SOLIB) $(SONAME) libportbind.so $(PCFILE) $(PRELOAD) \
		$(TEST_BIN) $(EXAMPLES) examples/*.d examples/demo/*.d $(DISTNAME).tar.gz
	$(if $(wildcard bench/Makefile),$(MAKE) -C bench clean)

distclean: clean
	rm -rf config.mak.autogen config.log config.status configure autom4te.cache

# ---- fuzzing (libFuzzer, clang): make fuzz, make fuzz-smoke
include tests/fuzz/fuzz.mk

-include $(SHARED_OBJS:.o=.d) $(STATIC_OBJS:.o=.d) $(PRELOAD_OBJS:.o=.d) \
	 $(TEST_OBJS:.o=.d)
