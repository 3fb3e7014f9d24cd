# SPDX-License-Identifier: MIT
# tests/fuzz/fuzz.mk - libFuzzer targets, included by the top Makefile and
# usable alone; run from the top directory either way:
#	make fuzz [FUZZ_SECONDS=60]          each target for FUZZ_SECONDS
#	make fuzz-smoke                      each for FUZZ_SMOKE_SECONDS (CI)
#	make fuzz-regress                    only the saved reproducers
#	make -f tests/fuzz/fuzz.mk fuzz      the same without the top Makefile
# The library sources are compiled into every fuzzer with the fuzzer's own
# instrumentation (never the installed libportbind.a).  Each target runs
# on a working copy of its seeds in build/fuzz/corpus/<target>, which
# grows from run to run; the tracked corpus is never written.  Crash
# inputs land in build/fuzz/artifacts/; a crash makes the run fail.

# Where this fragment lives, taken before anything else is included.
FUZZ_SRCDIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
FUZZ_STANDALONE := $(if $(filter-out $(lastword $(MAKEFILE_LIST)),$(MAKEFILE_LIST)),,1)
FUZZ_SAVED_GOAL := $(.DEFAULT_GOAL)

FUZZ_CC            ?= clang
FUZZ_CFLAGS        ?= -g -O1
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_FLAGS         ?=
FUZZ_DIR           ?= build/fuzz

FUZZ_SAN      := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		 -fno-omit-frame-pointer
FUZZ_CPPFLAGS := -Iinclude -Ilib -D_GNU_SOURCE
FUZZ_ALL_CFLAGS = $(FUZZ_CPPFLAGS) -std=c99 -Wall -Wextra $(FUZZ_SAN) \
		  $(FUZZ_CFLAGS) -MMD -MP

FUZZ_TARGETS  := $(patsubst $(FUZZ_SRCDIR)/%.c,%,$(sort $(wildcard $(FUZZ_SRCDIR)/fuzz_*.c)))
FUZZ_BINS     := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)
FUZZ_LIB_OBJS := $(patsubst lib/%.c,$(FUZZ_DIR)/lib/%.o,$(sort $(wildcard lib/*.c)))
FUZZ_OBJS     := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%.o) $(FUZZ_LIB_OBJS)

ifneq ($(V),1)
FUZZ_Q = @
FUZZ_msg = @printf '  %-8s %s\n' $(1) $(2);
endif

.PHONY: fuzz fuzz-smoke fuzz-regress fuzz-build fuzz-clean

fuzz-build: $(FUZZ_BINS)

$(FUZZ_DIR)/lib/%.o: lib/%.c
	$(call FUZZ_msg,CC,$@)
	@mkdir -p $(@D)
	$(FUZZ_Q)$(FUZZ_CC) $(FUZZ_ALL_CFLAGS) -c -o $@ $<

$(FUZZ_DIR)/%.o: $(FUZZ_SRCDIR)/%.c
	$(call FUZZ_msg,CC,$@)
	@mkdir -p $(@D)
	$(FUZZ_Q)$(FUZZ_CC) $(FUZZ_ALL_CFLAGS) -c -o $@ $<

$(FUZZ_BINS): $(FUZZ_DIR)/%: $(FUZZ_DIR)/%.o $(FUZZ_LIB_OBJS)
	$(call FUZZ_msg,LD,$@)
	$(FUZZ_Q)$(FUZZ_CC) $(FUZZ_SAN) -o $@ $< $(FUZZ_LIB_OBJS)

# Records real sock_diag replies as seeds; see its header.  Not built by
# the fuzz targets.
$(FUZZ_DIR)/capture_sockdiag: $(FUZZ_SRCDIR)/capture_sockdiag.c
	$(call FUZZ_msg,CC,$@)
	@mkdir -p $(@D)
	$(FUZZ_Q)$(FUZZ_CC) $(FUZZ_CPPFLAGS) -Wall -Wextra -o $@ $<

# $(call FUZZ_RUN,seconds): every target in turn, one summary line each.
# The saved reproducers join the working corpus, so a crash fixed once is
# checked on every run.  Executions and coverage come from libFuzzer's own
# final statistics and last status line.
define FUZZ_RUN
	@mkdir -p $(FUZZ_DIR)/artifacts
	@status=0; \
	for t in $(FUZZ_TARGETS); do \
		c=$(FUZZ_DIR)/corpus/$$t; log=$(FUZZ_DIR)/$$t.log; \
		mkdir -p $$c; \
		cp $(FUZZ_SRCDIR)/corpus/$$t/* $$c/ 2>/dev/null; \
		for f in $(FUZZ_SRCDIR)/regress/$$t-*; do \
			if [ -f "$$f" ]; then cp "$$f" $$c/; fi; \
		done; \
		$(FUZZ_DIR)/$$t -max_total_time=$(1) -timeout=5 \
			-rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- \
			$(FUZZ_FLAGS) $$c >$$log 2>&1; \
		rc=$$?; \
		execs=`sed -n 's/^stat::number_of_executed_units: *//p' $$log | tail -n 1`; \
		cov=`grep ' cov: ' $$log | tail -n 1 | \
			sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\)\/\([^ ]*\).*/cov \1, ft \2, corpus \3 units (\4)/p'`; \
		crash=`sed -n 's/.*Test unit written to //p' $$log | tr '\n' ' '`; \
		printf '  %-8s %-16s %s execs, %s, %s files; ' FUZZ $$t \
			"$${execs:-?}" "$${cov:-no coverage line}" \
			`ls $$c | wc -l`; \
		if [ $$rc -eq 0 ]; then \
			echo "crashes 0"; \
		else \
			echo "CRASH (exit $$rc) $${crash:-see $$log}"; \
			status=1; \
		fi; \
	done; \
	exit $$status
endef

fuzz: $(FUZZ_BINS)
	$(call FUZZ_RUN,$(FUZZ_SECONDS))

fuzz-smoke: $(FUZZ_BINS)
	$(call FUZZ_RUN,$(FUZZ_SMOKE_SECONDS))

# Only the reproducers in regress/, each through its own target.
fuzz-regress: $(FUZZ_BINS)
	@status=0; \
	for t in $(FUZZ_TARGETS); do \
		set -- $(FUZZ_SRCDIR)/regress/$$t-*; \
		[ -f "$$1" ] || continue; \
		if $(FUZZ_DIR)/$$t "$$@" >$(FUZZ_DIR)/$$t-regress.log 2>&1; then \
			printf '  %-8s %-16s %d reproducer(s) pass\n' REGRESS $$t $$#; \
		else \
			printf '  %-8s %-16s FAIL, see %s\n' REGRESS $$t \
				$(FUZZ_DIR)/$$t-regress.log; \
			status=1; \
		fi; \
	done; \
	exit $$status

fuzz-clean:
	rm -rf $(FUZZ_DIR)

-include $(FUZZ_OBJS:.o=.d)

# Included, this fragment must not take over the including Makefile's
# default goal; alone, it defaults to fuzz.
ifeq ($(FUZZ_STANDALONE),1)
.DEFAULT_GOAL := fuzz
else
.DEFAULT_GOAL := $(FUZZ_SAVED_GOAL)
endif
