# SPDX-License-Identifier: MIT
# libportbind - hand-written GNU Makefile.  ./configure is optional: it only
# writes config.mak.autogen, included below; config.mak overrides both.
#
# Out of the source tree: run make in an empty build directory with -f
# naming this file (`make -C BUILD -f ../libportbind-0.1.0/Makefile`), or
# run ../libportbind-0.1.0/configure there, which writes a Makefile that
# sets srcdir and includes this one.  srcdir is where this file is found;
# every source is named $(S)path (S is "srcdir/", or nothing in the tree
# itself), everything made lands in the current directory, and the
# source tree is only read (make distcheck builds a read-only copy so).

# ---- where the sources are: before anything else is included
ifeq ($(filter file command line,$(origin srcdir)),)
srcdir := $(patsubst %/,%,$(dir $(firstword $(MAKEFILE_LIST))))
endif
ifeq ($(abspath $(srcdir)),$(CURDIR))
override srcdir := .
endif
S := $(if $(filter .,$(srcdir)),,$(srcdir)/)

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
hdrver = $(shell sed -n 's/^\#define PB_VERSION_$(1) *\([0-9]*\).*/\1/p' $(S)include/portbind.h)
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
PB_CPPFLAGS := -I$(S)include -I$(S)lib -D_GNU_SOURCE
PB_CFLAGS   := -std=c99 $(WARNINGS) $(SAN_FLAGS) -MMD -MP
# PB_COVERAGE=1 is make coverage's build (below): gcov counters, -O0 last
# so that it wins over CFLAGS (every line of source its own code).  It is
# exported: the test scripts accept what such a build adds (signal-safe.sh).
ifeq ($(PB_COVERAGE),1)
export PB_COVERAGE
COV_CFLAGS  := -O0 --coverage -fprofile-update=atomic
COV_LDFLAGS := --coverage
endif
ALL_CFLAGS   = $(PB_CPPFLAGS) $(CPPFLAGS) $(PB_CFLAGS) $(CFLAGS) $(COV_CFLAGS)
ALL_LDFLAGS  = $(SAN_FLAGS) $(LDFLAGS) $(COV_LDFLAGS)

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
LIB_SRCS  := $(sort $(wildcard $(S)lib/*.c))
SHARED_OBJS := $(LIB_SRCS:$(S)lib/%.c=build/shared/%.o)
STATIC_OBJS := $(LIB_SRCS:$(S)lib/%.c=build/static/%.o)
SONAME    := libportbind.so.$(MAJOR)
SOLIB     := libportbind.so.$(VERSION)
STATICLIB := libportbind.a
PCFILE    := portbind.pc
MAPFILE   := $(S)lib/libportbind.map

# The LD_PRELOAD shim: its own PIC copy of the library in which bind and
# listen are the raw system calls (so the library's probes never re-enter
# the wrappers), plus the wrappers; it exports bind and listen only.
PRELOAD      := libportbind-preload.so
PRELOAD_OBJS := $(LIB_SRCS:$(S)lib/%.c=build/preload/%.o) build/preload/preload.o
PRELOAD_MAP  := $(S)lib/preload/preload.map
# Only what bind() and listen() reach is linked in, so the shim's undefined
# symbols are exactly the C library functions they can call (tests/preload.sh
# compares them with portbind-preload(8)).
PRELOAD_GC   := -ffunction-sections -fdata-sections

TEST_SRCS := $(sort $(wildcard $(S)tests/check_*.c))
TEST_OBJS := $(TEST_SRCS:$(S)tests/%.c=build/tests/%.o) build/tests/testutil.o
TEST_BIN  := tests/check_portbind
# The coverage build's runner writes its counters from _exit too (forked
# test children end so): tests/coverage-dump.c.
ifeq ($(PB_COVERAGE),1)
TEST_OBJS += build/tests/coverage-dump.o
TEST_LINK := -Wl,--wrap=_exit
endif

# Examples (examples/NAME.c, and the longer demonstrations in
# examples/demo/) are built for make check, never installed; tools/ holds
# what make install puts in BINDIR.
EXAMPLES  := $(patsubst $(S)%.c,%,$(sort $(wildcard $(S)examples/*.c $(S)examples/demo/*.c)))
TOOLS     := $(patsubst $(S)%.c,%,$(sort $(wildcard $(S)tools/*.c)))

MAN3 := $(sort $(wildcard $(S)man/*.3))
MAN1 := $(sort $(wildcard $(S)man/*.1))
MAN7 := $(sort $(wildcard $(S)man/*.7))
MAN8 := $(sort $(wildcard $(S)man/*.8))
MANPAGES := $(MAN1) $(MAN3) $(MAN7) $(MAN8)

CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lm -pthread)


.PHONY: FORCE all examples tools check check-long check-man demo install uninstall \
	installcheck dist distcheck abicheck abi-baseline clean distclean bench lint \
	coverage mutate

all: $(STATICLIB) $(SOLIB) $(SONAME) libportbind.so $(PCFILE) $(PRELOAD) $(TOOLS)

# Objects are rebuilt when the compiler or its flags change (a SANITIZE=
# or CC= build after a plain one must not link stale objects).
FLAGS_STAMP := build/flags.stamp
FLAGS_NOW = $(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) $(ALL_LDFLAGS) $(PRELOAD_GC)
$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '$(FLAGS_NOW)' | cmp -s - $@ || printf '%s\n' '$(FLAGS_NOW)' > $@
FORCE:
$(SHARED_OBJS) $(STATIC_OBJS) $(PRELOAD_OBJS) $(TEST_OBJS) $(EXAMPLES) $(TOOLS): $(FLAGS_STAMP)

build/shared/%.o: $(S)lib/%.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

build/static/%.o: $(S)lib/%.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -fvisibility=hidden -c -o $@ $<

$(SOLIB): $(SHARED_OBJS) $(MAPFILE)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -pthread -shared -Wl,-soname,$(SONAME) \
		-Wl,--version-script=$(MAPFILE) -Wl,-z,defs -Wl,-z,relro -Wl,-z,now \
		-o $@ $(SHARED_OBJS)

build/preload/%.o: $(S)lib/%.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) $(PRELOAD_GC) -fPIC -fvisibility=hidden \
		-Dbind=pb__real_bind -Dlisten=pb__real_listen -c -o $@ $<

build/preload/preload.o: $(S)lib/preload/preload.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) $(PRELOAD_GC) -fPIC -fvisibility=hidden -c -o $@ $<

$(PRELOAD): $(PRELOAD_OBJS) $(PRELOAD_MAP)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -shared -Wl,-soname,$(PRELOAD) \
		-Wl,--version-script=$(PRELOAD_MAP) \
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

$(PCFILE): $(S)lib/portbind.pc.in $(S)include/portbind.h $(DIRS_STAMP) \
	   $(wildcard config.mak.autogen config.mak)
	$(call msg,GEN,$@)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

# ---- examples and tools link the static library: they run from the tree
#      and install without depending on where the shared one lands.  Each
#      is compiled and linked in one step; its dependency file is NAME.d.
examples: $(EXAMPLES)
tools: $(TOOLS)

$(EXAMPLES) $(TOOLS): %: $(S)%.c $(STATICLIB)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS) $(STATICLIB)

# ---- tests
build/tests/%.o: $(S)tests/%.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(TEST_BIN): $(TEST_OBJS) $(STATICLIB)
	$(call msg,LD,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -o $@ $(TEST_OBJS) $(ALL_LDFLAGS) $(TEST_LINK) $(STATICLIB) $(CHECK_LIBS)

# The test scripts run in the source tree (they read man pages, sources)
# and find what was built in PB_BUILDDIR; tests/preload.sh compiles its
# victims with the library's compiler, so that CC="gcc -m32" loads.  They
# and the Check runner run all at once (tests/parallel.sh), each output
# printed whole when it ends; as root each in network namespaces of its
# own, so that they never see each other's ports.
export PB_BUILDDIR := $(CURDIR)
check: all $(TEST_BIN) examples check-man
	$(Q)sh $(S)tests/parallel.sh \
		signal-safe.sh 'sh $(S)tests/signal-safe.sh build/static build/preload' \
		check_portbind 'cd $(srcdir) && $(CURDIR)/$(TEST_BIN)' \
		why.sh 'sh $(S)tests/why.sh' \
		preload.sh 'CC="$(CC)" sh $(S)tests/preload.sh' \
		preload-more.sh 'CC="$(CC)" sh $(S)tests/preload-more.sh' \
		layers.sh 'sh $(S)tests/layers.sh build/static' \
		examples.sh 'PB_CC="$(CC)" sh $(S)tests/examples.sh' \
		docexamples.sh 'PB_CC="$(CC)" PB_LDFLAGS="$(ALL_LDFLAGS)" sh $(S)tests/docexamples.sh' \
		cxx.sh 'PB_CC="$(CC)" PB_LDFLAGS="$(ALL_LDFLAGS)" sh $(S)tests/cxx.sh' \
		docoutput.py 'if command -v python3 >/dev/null; then CC="$(CC)" PB_DOC_CFLAGS="$(ALL_CFLAGS)" PB_DOC_LDFLAGS="$(ALL_LDFLAGS)" python3 $(S)tests/docoutput.py; else echo "  documentation check: skipped: no python3"; fi'

# The kernel as the oracle of the diagnosis (tests/check_oracle.c) over
# many random scenarios: PB_ORACLE_SEEDS of them (2000 by default, a
# minute or two as root) from PB_ORACLE_BASE (fixed by default, so that CI
# is deterministic; set it to explore: the seeds are printed, and
# PB_ORACLE_SEED=S reruns one).
PB_ORACLE_SEEDS ?= 2000
PB_ORACLE_BASE ?= 100000
# The restart audit's random hosts (check_audit's random_hosts: 20 to 30
# services each, every verdict held against a real restart): rounds of
# three seeds each, from PB_AUDIT_BASE.
PB_AUDIT_ROUNDS ?= 10
PB_AUDIT_BASE ?= 5000
check-long: all $(TEST_BIN)
	$(Q)CK_RUN_SUITE=oracle PB_ORACLE_SEEDS=$(PB_ORACLE_SEEDS) \
		PB_ORACLE_BASE=$(PB_ORACLE_BASE) ./$(TEST_BIN)
	$(Q)i=0; while [ $$i -lt $(PB_AUDIT_ROUNDS) ]; do \
		seed=$$(( $(PB_AUDIT_BASE) + 3 * i )); \
		PBT_AUDIT_SEED=$$seed CK_RUN_SUITE=audit CK_RUN_CASE=verdicts \
			./$(TEST_BIN) >build/check-long-audit.log 2>&1 || \
			{ cat build/check-long-audit.log; exit 1; }; \
		i=$$((i + 1)); \
	done; echo "check-long: the audit's random hosts, seeds $(PB_AUDIT_BASE) on, 3 x $(PB_AUDIT_ROUNDS) of them, each verdict held against a real restart"

# ---- coverage: what make check runs, measured.  Built in COVERAGE_DIR
#      (build/coverage: the developer's build is left alone) by this
#      Makefile with PB_COVERAGE=1 (gcc's -O0 --coverage
#      -fprofile-update=atomic: the counters are exact in threaded tests),
#      make check run there, then tests/coverage.py reports through gcovr
#      (Debian: gcovr) the lines and branches of lib/*.c, lib/*.h and the
#      shim, lib/preload/preload.c, each file summed over the objects that
#      compile it (static and shared library, shim).  Branches are counted
#      with --exclude-unreachable-branches: gcovr drops the branches that gcov
#      puts on a line with no code of its own (only "{", "}" or "{}" once
#      comments are gone: a loop's back edge, a function's return path);
#      every branch of a line with code counts.
#      A line no test can reach is marked in lib/ on that line with
#      GCOVR_EXCL_LINE: <reason> (a block: GCOVR_EXCL_START: <reason> ...
#      GCOVR_EXCL_STOP); each is listed with file:line and its reason, and
#      a marker without a reason fails.
#      Fails when make check fails there, and, as root, unless the total of
#      lines >= COVERAGE_LINES %, of branches >= COVERAGE_BRANCHES % and the
#      lines of every file > COVERAGE_FILE_LINES %.  As another user the
#      tests that need root skip (each says so), and the numbers are printed
#      but not enforced: they are not the suite's.  COVERAGE_ENFORCE=1
#      enforces anyway, =0 never (auto: as root).  COVERAGE_HTML=1 also
#      writes COVERAGE_DIR/coverage/index.html (gcovr --html-details);
#      COVERAGE_RECORD=1 writes the report, with the date, the command and
#      the machine, to tests/COVERAGE in the source tree.  The run has umask 0,
#      so that the counter files root's processes create can be written by
#      the tests' processes of uid 65534 too (else gcov prints "Cannot open"
#      into the output docoutput.py compares, and their lines are lost).
COVERAGE_DIR       ?= build/coverage
COVERAGE_LINES     ?= 95
COVERAGE_BRANCHES  ?= 85
COVERAGE_FILE_LINES ?= 90
COVERAGE_ENFORCE   ?= auto
COVERAGE_HTML      ?= 0
COVERAGE_RECORD    ?= 0
# -O0 and atomic counters make every test slower: Check's time limits are
# stretched by this factor (CK_TIMEOUT_MULTIPLIER, if set, wins).
COVERAGE_TIMEOUT_MULTIPLIER ?= 4
GCOVR              ?= gcovr
COV_BUILD = $(abspath $(COVERAGE_DIR))
coverage:
	@command -v $(GCOVR) >/dev/null || \
		{ echo "coverage: $(GCOVR) is needed (Debian: gcovr)" >&2; exit 1; }
	@command -v python3 >/dev/null || \
		{ echo "coverage: python3 is needed" >&2; exit 1; }
	$(Q)mkdir -p $(COV_BUILD)
	$(Q)find $(COV_BUILD) -name '*.gcda' -delete
	@echo "  COVERAGE make check in $(COV_BUILD) (-O0 --coverage)"
	$(Q)st=0; umask 0; CK_TIMEOUT_MULTIPLIER=$${CK_TIMEOUT_MULTIPLIER:-$(COVERAGE_TIMEOUT_MULTIPLIER)} \
		$(MAKE) --no-print-directory -C $(COV_BUILD) \
		-f $(abspath $(S)Makefile) PB_COVERAGE=1 check || st=$$?; \
	python3 $(S)tests/coverage.py --src $(srcdir) --build $(COV_BUILD) \
		--gcovr '$(GCOVR)' --cc '$(CC)' --check-status $$st \
		--lines $(COVERAGE_LINES) --branches $(COVERAGE_BRANCHES) \
		--file-lines $(COVERAGE_FILE_LINES) --enforce $(COVERAGE_ENFORCE) \
		$(if $(filter 1,$(COVERAGE_HTML)),--html) \
		$(if $(filter 1,$(COVERAGE_RECORD)),--record $(S)tests/COVERAGE \
			--command 'make coverage COVERAGE_RECORD=1')
# Mutation testing (tests/mutate.py): plant one operator change at a time
# in a scratch copy of lib/ and the shim, rebuild, run the tests, and print
# the score and every survivor.  MUTATE_FILES limits the sources;
# MUTATE_SAMPLE=N runs N mutants drawn with MUTATE_SEED (0: every one).
# Equivalent mutants are listed, each with its reason, in
# tests/mutants-equivalent/.  The report is also written to mutate-report.txt.
MUTATE_FILES  ?=
MUTATE_SAMPLE ?= 0
MUTATE_SEED   ?= 1
MUTATE_JOBS   ?= 2
mutate:
	$(Q)python3 $(S)tests/mutate.py $(if $(MUTATE_FILES),--files $(MUTATE_FILES)) \
		--sample $(MUTATE_SAMPLE) --seed $(MUTATE_SEED) \
		--jobs $(MUTATE_JOBS) --report mutate-report.txt

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
		-I$(S)include -I$(S)lib $(S)lib/
	$(Q)$(CLANG_TIDY) --quiet --warnings-as-errors='*' -checks='$(TIDY_CHECKS)' \
		$(LIB_SRCS) $(S)lib/preload/preload.c -- -std=c99 -D_GNU_SOURCE \
		-I$(S)include -I$(S)lib
	@echo "  lint: cppcheck and clang-tidy clean on lib/"

demo: all examples
	$(Q)sh examples/demo/demo.sh

bench: all
	$(Q)$(MAKE) -C bench

# ---- install: every path through DESTDIR; uninstall removes exactly that.
#      install builds only what it installs (no examples, no tests).
man_links = sed -n 's/^\.Nm \([a-z_0-9-]*\).*/\1/p' $(1) | sort -u

install: $(STATICLIB) $(SOLIB) $(PRELOAD) $(PCFILE) $(TOOLS)
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 644 $(S)include/portbind.h $(DESTDIR)$(INCLUDEDIR)/
	$(INSTALL) -m 644 $(STATICLIB) $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 755 $(SOLIB) $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 755 $(PRELOAD) $(DESTDIR)$(LIBDIR)/
	ln -sf $(SOLIB) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libportbind.so
	$(INSTALL) -m 644 $(PCFILE) $(DESTDIR)$(PKGCONFIGDIR)/
	$(if $(TOOLS),$(INSTALL) -m 755 $(TOOLS) $(DESTDIR)$(BINDIR)/)
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
	rm -f $(patsubst tools/%,$(DESTDIR)$(BINDIR)/%,$(TOOLS))
	@set -e; for p in $(MANPAGES); do \
		s=$${p##*.}; b=$${p##*/}; d=$(DESTDIR)$(MANDIR)/man$$s; \
		rm -f $$d/$$b; \
		for n in `$(call man_links,$$p)`; do rm -f $$d/$$n.$$s; done; \
	done

# Install into a scratch tree and build a user's program against it with
# pkg-config, shared and static; check the exported symbol set.
installcheck: all
	$(Q)MAKE='$(MAKE) -f $(firstword $(MAKEFILE_LIST))' \
		sh $(S)tests/installcheck.sh

# ---- ABI: the built libportbind.so against the committed baseline,
#      lib/libportbind.abi, with libabigail (Debian: abigail-tools).  Only
#      what include/portbind.h declares counts (abidw --headers-dir,
#      --drop-private-types, --exported-interfaces-only), so the library
#      needs its debug information (-g, as in the default CFLAGS).
#      abidiff's exit status is a set of bits: 1 an error, 2 a usage error,
#      4 the ABI changed, 8 an incompatible change (a symbol removed).
#      tests/abicheck.sh fails on any of them, except for the two changes
#      that are compatible by design: functions added, and members appended
#      to a growable struct (its first member is `size_t size`: the library
#      copies out only what the caller's size covers) past its old size.
#      A member inserted in the middle, removed, or changed, a member
#      appended to another struct (pb_holder is an array element: its size
#      is ABI), a changed function, a symbol removed or re-versioned: all
#      fail, with abidiff's report of what changed.
#      tests/abicheck-selftest.sh proves it on a scratch copy.
#      make abi-baseline writes lib/libportbind.abi from this build: run it
#      when an ABI change is meant (before 0.1.0 ships, or with a new
#      soname) and commit the file with the change.
ABIDW   ?= abidw
ABIDIFF ?= abidiff
ABI_BASELINE := $(S)lib/libportbind.abi
ABIDW_FLAGS = --headers-dir $(S)include --drop-private-types --exported-interfaces-only \
	--no-corpus-path --no-comp-dir-path --no-show-locs

build/abi/current.abi: $(SOLIB)
	@mkdir -p $(@D)
	@command -v $(ABIDW) >/dev/null || \
		{ echo "abicheck: $(ABIDW) is needed: install libabigail (Debian: abigail-tools)" >&2; \
		  exit 1; }
	@readelf -S $(SOLIB) | grep -q '\.debug_info' || \
		{ echo "abicheck: $(SOLIB) has no debug information: build with -g in CFLAGS" >&2; \
		  exit 1; }
	$(call msg,ABIDW,$@)
	$(Q)$(ABIDW) $(ABIDW_FLAGS) --out-file $@.tmp $(SOLIB) && mv $@.tmp $@

abicheck: build/abi/current.abi
	@command -v $(ABIDW) >/dev/null && command -v $(ABIDIFF) >/dev/null || \
		{ echo "abicheck: $(ABIDW) and $(ABIDIFF) are needed: install libabigail (Debian: abigail-tools)" >&2; \
		  exit 1; }
	$(Q)ABIDIFF='$(ABIDIFF)' sh $(S)tests/abicheck.sh $(ABI_BASELINE) $< $(S)include/portbind.h

abi-baseline: build/abi/current.abi
	$(Q)cp $< $(ABI_BASELINE)
	@echo "  ABI      $(ABI_BASELINE) written from $(SOLIB): review (git diff) and commit it"

# ---- dist: the files of the release and a generated configure.  In a git
#      checkout they are the tracked files; elsewhere (an unpacked tarball:
#      no git needed) the MANIFEST the tarball carries, which lists every
#      file in it.
DISTNAME := libportbind-$(VERSION)
DISTDIR  := build/$(DISTNAME)
dist:
	$(Q)rm -rf $(DISTDIR) && mkdir -p $(DISTDIR)
	$(Q)if [ -e $(S).git ]; then \
		git -C $(srcdir) ls-files >build/dist.list; \
	elif [ -f $(S)MANIFEST ]; then \
		grep -vx -e MANIFEST -e configure $(S)MANIFEST >build/dist.list; \
	else \
		echo "dist: $(srcdir) is neither a git checkout nor a release (MANIFEST)" >&2; \
		exit 1; \
	fi
	$(Q)cd $(srcdir) && xargs cp --parents -t $(CURDIR)/$(DISTDIR) <$(CURDIR)/build/dist.list
	$(Q)if [ ! -e $(S).git ] && [ -f $(S)configure ]; then \
		cp $(S)configure $(DISTDIR)/; \
	else \
		(cd $(DISTDIR) && autoconf && rm -rf autom4te.cache); \
	fi
	$(Q)(cat build/dist.list; echo configure; echo MANIFEST) | LC_ALL=C sort -u \
		>$(DISTDIR)/MANIFEST
	$(Q)chmod -R u+w,go-w,a+rX $(DISTDIR)
	$(Q)tar -C build --sort=name --owner=0 --group=0 --numeric-owner \
		-czf $(DISTNAME).tar.gz $(DISTNAME)
	@echo "  DIST     $(DISTNAME).tar.gz (`wc -l <$(DISTDIR)/MANIFEST` files)"

# ---- distcheck: the tarball as a packager meets it.  Unpacked and made
#      read-only (for root too: every file's checksum is compared after),
#      configured in another directory and built there; make install first,
#      into a DESTDIR, in the fresh directory (it must build only what it
#      installs), then uninstall to nothing; make check; make distclean
#      leaves the build directory empty; the release's own make dist
#      (make -f, in a third directory) ships the same files without git.
DC := build/distcheck
DC_MAKE = $(MAKE) --no-print-directory -C $(DC)/build
dc_sums = (cd $(DC)/$(DISTNAME) && find . ! -type d -exec cksum {} + | LC_ALL=C sort)
dc_fail = { echo "distcheck: FAIL: $(1)" >&2; exit 1; }
distcheck: dist
	$(Q)if [ -d $(DC) ]; then chmod -R u+w $(DC) && rm -rf $(DC); fi
	$(Q)mkdir -p $(DC)/build $(DC)/build2 $(DC)/inst
	$(Q)tar -C $(DC) -xzf $(DISTNAME).tar.gz
	$(Q)chmod -R a-w $(DC)/$(DISTNAME)
	$(Q)$(dc_sums) >$(DC)/sums.before
	@echo "  DISTCHECK configure in $(DC)/build, out of the read-only $(DC)/$(DISTNAME)"
	$(Q)cd $(DC)/build && ../$(DISTNAME)/configure --prefix=/usr >/dev/null
	@echo "  DISTCHECK make install into a DESTDIR, from nothing built"
	$(Q)$(DC_MAKE) install DESTDIR=$(CURDIR)/$(DC)/inst >$(DC)/install.log
	$(Q)made=`cd $(DC)/build && find examples tests build/tests -type f 2>/dev/null`; \
	[ -z "$$made" ] || $(call dc_fail,make install built more than it installs: $$made)
	$(Q)for f in bin/portbind-why include/portbind.h lib/libportbind.a \
		lib/libportbind.so lib/libportbind-preload.so lib/pkgconfig/portbind.pc \
		share/man/man3/portbind.3; do \
		[ -e $(DC)/inst/usr/$$f ] || $(call dc_fail,make install did not install $$f); \
	done
	$(Q)grep -q '^libdir=/usr/lib$$' $(DC)/inst/usr/lib/pkgconfig/portbind.pc || \
		$(call dc_fail,the installed portbind.pc does not name /usr/lib)
	$(Q)$(DC_MAKE) -s uninstall DESTDIR=$(CURDIR)/$(DC)/inst >/dev/null
	$(Q)left=`find $(DC)/inst ! -type d`; \
	[ -z "$$left" ] || $(call dc_fail,left in DESTDIR after uninstall: $$left)
	@echo "  DISTCHECK make check in $(DC)/build"
	$(Q)$(DC_MAKE) check
	@echo "  DISTCHECK make dist from the release, without git (make -f, no configure)"
	$(Q)$(MAKE) --no-print-directory -s -C $(DC)/build2 -f ../$(DISTNAME)/Makefile dist \
		>/dev/null
	$(Q)tar -tzf $(DISTNAME).tar.gz | LC_ALL=C sort >$(DC)/list.orig
	$(Q)tar -tzf $(DC)/build2/$(DISTNAME).tar.gz | LC_ALL=C sort >$(DC)/list.again
	$(Q)cmp -s $(DC)/list.orig $(DC)/list.again || \
		{ diff $(DC)/list.orig $(DC)/list.again >&2; \
		  $(call dc_fail,make dist from the release ships other files); }
	@echo "  DISTCHECK make distclean"
	$(Q)$(DC_MAKE) -s distclean >/dev/null
	$(Q)left=`find $(DC)/build ! -type d`; \
	[ -z "$$left" ] || $(call dc_fail,left in the build directory after distclean: $$left)
	$(Q)$(dc_sums) >$(DC)/sums.after
	$(Q)cmp -s $(DC)/sums.before $(DC)/sums.after || \
		{ diff $(DC)/sums.before $(DC)/sums.after >&2; \
		  $(call dc_fail,the build wrote into the source tree); }
	$(Q)chmod -R u+w $(DC) && rm -rf $(DC)
	@echo "  DISTCHECK $(DISTNAME).tar.gz: built out of a read-only tree, checked, installed, uninstalled"

clean:
	rm -rf build $(STATICLIB) $(SOLIB) $(SONAME) libportbind.so $(PCFILE) $(PRELOAD) \
		$(TEST_BIN) $(EXAMPLES) $(TOOLS) $(EXAMPLES:=.d) $(TOOLS:=.d) $(DISTNAME).tar.gz
	$(if $(wildcard bench/Makefile),$(MAKE) -C bench clean)

# configure is made by autoconf in a git checkout, shipped in a release;
# the Makefile it writes in a build directory goes.
distclean: clean
	rm -rf config.mak.autogen config.log config.status autom4te.cache
	$(if $(wildcard .git),rm -f configure)
	$(if $(filter-out .,$(srcdir)),@if grep -qs "^# Written by libportbind's configure" Makefile; \
		then echo rm -f Makefile; rm -f Makefile; fi)

# ---- fuzzing (libFuzzer, clang): make fuzz, make fuzz-smoke
include $(S)tests/fuzz/fuzz.mk

-include $(SHARED_OBJS:.o=.d) $(STATIC_OBJS:.o=.d) $(PRELOAD_OBJS:.o=.d) \
	 $(TEST_OBJS:.o=.d) $(EXAMPLES:=.d) $(TOOLS:=.d)
