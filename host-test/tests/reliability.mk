# tguard reliability checks, included by the Makefile: fuzzing, sanitizer
# builds, valgrind, soak, hostile input to tguard-render.
#
#   make fuzz [FUZZ_SECONDS=300]    the three libFuzzer targets, side by side
#   make soak [SOAK_MINUTES=60]     an hour of audio per plugin layout
#
# make check runs the short forms: every program in REL_TESTS prints
# greatest's "Pass: P, fail: F" line, so the total counts them.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 300
FUZZ_CHECK_SECONDS ?= 20
SOAK_MINUTES ?= 60
FUZZ_BUILD = $(BUILD)/fuzz
ASAN_BUILD = $(BUILD)/asan

# Findings abort: -fno-sanitize-recover. float-cast-overflow is not part
# of gcc's "undefined".
SANITIZE = -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all \
           -fno-omit-frame-pointer

# valgrind 3.19 cannot read clang's default DWARF 5: ask for DWARF 4.
CLANG_DWARF := $(if $(findstring clang,$(CC)),$(if $(filter -g,$(CFLAGS)),-gdwarf-4))
override CFLAGS += $(CLANG_DWARF)

FUZZ_HDR = $(wildcard host-test/fuzz/*.h) $(PLUGIN_HDR)
FUZZ_SUPPORT = host-test/fuzz/invariants.c

.PHONY: fuzz soak

# ---- libFuzzer targets (clang) ----

# Edge coverage without comparison tracing: the DSP loops compare on every
# sample, and tracing them took two thirds of the time.
FUZZ_CFLAGS = -std=c11 $(WARN) $(WERROR) -O2 -g $(SANITIZE) -fsanitize=fuzzer \
              -fno-sanitize-coverage=trace-cmp
# Whether $(FUZZ_CC) links libFuzzer (Debian: clang and libclang-rt-dev).
HAVE_FUZZER = printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' \
              | $(FUZZ_CC) -fsanitize=fuzzer -x c - -o $(FUZZ_BUILD)/.probe >/dev/null 2>&1

# Without libFuzzer the target is not built, and the fuzz check reports a
# skip; the replay tests below still run the saved inputs.
define fuzz_link
	@mkdir -p $(@D)
	@if $(HAVE_FUZZER); then \
	  echo "$(FUZZ_CC) $(FUZZ_CFLAGS) ... -o $@"; \
	  $(FUZZ_CC) $(FUZZ_CFLAGS) $(PLUGIN_INC) -Ihost-test/fuzz $(LV2_CFLAGS) $(filter %.c,$^) -o $@ -lm; \
	else echo "$(FUZZ_CC) with libFuzzer not found (make deps): $@ not built"; fi
endef

$(FUZZ_BUILD)/fuzz_chain: host-test/fuzz/fuzz_chain.c $(FUZZ_SUPPORT) $(PLUGIN_SRC) $(FUZZ_HDR) | pkgcheck
	$(fuzz_link)

$(FUZZ_BUILD)/fuzz_lv2: host-test/fuzz/fuzz_lv2.c $(FUZZ_SUPPORT) $(PLUGIN_SRC) plugin/lv2/tguard_lv2.c $(FUZZ_HDR) | pkgcheck
	$(fuzz_link)

# The fast chain against the reference (plugin/safety/reference.c): diff.c holds
# them to the same output and the same verdicts.
$(FUZZ_BUILD)/fuzz_diff: host-test/fuzz/fuzz_diff.c host-test/fuzz/diff.c $(FUZZ_SUPPORT) $(PLUGIN_SRC) $(FUZZ_HDR) | pkgcheck
	$(fuzz_link)

FUZZERS = $(FUZZ_BUILD)/fuzz_chain $(FUZZ_BUILD)/fuzz_lv2 $(FUZZ_BUILD)/fuzz_diff

fuzz: $(FUZZERS)
	@test -x $(FUZZ_BUILD)/fuzz_chain || { echo "error: make fuzz needs clang with libFuzzer (make deps)"; exit 1; }
	sh host-test/fuzz/run.sh $(FUZZ_SECONDS) chain lv2 diff

# make check: the three targets at once for FUZZ_CHECK_SECONDS (on two
# cores fuzz_diff shares them: no longer, a third fewer executions each).
$(BUILD)/check_fuzz: host-test/fuzz/run.sh $(FUZZERS)
	@printf '#!/bin/sh\nexec sh host-test/fuzz/run.sh $(FUZZ_CHECK_SECONDS) chain lv2 diff\n' > $@
	@chmod +x $@

# The targets without libFuzzer, over the seeds and the saved crash inputs:
# built by $(CC) like the other tests, so they run everywhere.
$(BUILD)/fuzz_replay_chain: host-test/fuzz/replay.c host-test/lib/readfile.c host-test/fuzz/fuzz_chain.c $(FUZZ_SUPPORT) $(FUZZ_HDR) $(PLUGIN_OBJ) | pkgcheck
	$(CC) $(CFLAGS) $(TEST_CFLAGS) -Ihost-test/fuzz -DTG_INV_NO_TRAP -DFUZZ_TARGET='"chain"' $(filter %.c %.o,$^) -o $@ $(LDFLAGS) -lm

$(BUILD)/fuzz_replay_lv2: host-test/fuzz/replay.c host-test/lib/readfile.c host-test/fuzz/fuzz_lv2.c $(FUZZ_SUPPORT) $(FUZZ_HDR) $(PLUGIN_OBJ) $(GLUE_OBJ) | pkgcheck
	$(CC) $(CFLAGS) $(TEST_CFLAGS) $(LV2_CFLAGS) -Ihost-test/fuzz -DTG_INV_NO_TRAP -DFUZZ_TARGET='"lv2"' $(filter %.c %.o,$^) -o $@ $(LDFLAGS) -lm

$(BUILD)/fuzz_replay_diff: host-test/fuzz/replay.c host-test/lib/readfile.c host-test/fuzz/fuzz_diff.c host-test/fuzz/diff.c $(FUZZ_SUPPORT) $(FUZZ_HDR) $(PLUGIN_OBJ) | pkgcheck
	$(CC) $(CFLAGS) $(TEST_CFLAGS) -Ihost-test/fuzz -DTG_INV_NO_TRAP -DFUZZ_TARGET='"diff"' $(filter %.c %.o,$^) -o $@ $(LDFLAGS) -lm

# ---- soak ----

$(BUILD)/soak: host-test/soak/soak.c $(FUZZ_SUPPORT) $(FUZZ_HDR) $(PLUGIN_OBJ) | pkgcheck
	$(CC) $(CFLAGS) $(TEST_CFLAGS) -Ihost-test/fuzz $(filter %.c %.o,$^) -o $@ $(LDFLAGS) -lm

soak: $(BUILD)/soak
	$(BUILD)/soak --minutes $(SOAK_MINUTES)

# ---- hostile input and valgrind ----

$(BUILD)/test_hostile: host-test/tests/test_hostile.c host-test/lib/readfile.c host-test/lib/readfile.h | pkgcheck
	$(CC) $(CFLAGS) $(TEST_CFLAGS) $(filter %.c,$^) -o $@ $(LDFLAGS)

$(BUILD)/test_memcheck: host-test/tests/test_memcheck.c | pkgcheck
	$(CC) $(CFLAGS) $(TEST_CFLAGS) $< -o $@ $(LDFLAGS)

# ---- AddressSanitizer + UndefinedBehaviorSanitizer builds ----

# Its own bundle (the plugin built with the sanitizers, the same Turtle)
# and tguard-render, which the sanitized test_render loads and runs. The
# allocator interposer (rtcheck.c) cannot coexist with ASan: rtcheck_off.c.
ASAN_CFLAGS = $(CFLAGS) $(SANITIZE)

$(ASAN_BUILD)/tguard.lv2/tguard$(LIB_EXT): $(PLUGIN_SRC) plugin/lv2/tguard_lv2.c $(PLUGIN_HDR) $(BUILD)/cflags | pkgcheck
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) $(PLUGIN_INC) $(LV2_CFLAGS) -shared $(filter %.c,$^) -o $@ $(LDFLAGS) -lm

$(ASAN_BUILD)/tguard.lv2/manifest.ttl: $(BUNDLE)/manifest.ttl $(BUNDLE)/tguard.ttl
	@mkdir -p $(@D)
	rm -rf $(@D)/presets
	cp -R $(BUNDLE)/tguard.ttl $(BUNDLE)/presets $(@D)/
	cp $(BUNDLE)/manifest.ttl $@

ASAN_BUNDLE = $(ASAN_BUILD)/tguard.lv2/tguard$(LIB_EXT) $(ASAN_BUILD)/tguard.lv2/manifest.ttl

$(ASAN_BUILD)/tguard-render: host-test/tguard-render/tguard-render.c host-test/lib/rtcheck_off.c $(HOST_SRC) $(HOST_HDR) $(BUILD)/cflags | pkgcheck
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) $(HOST_INC) $(LILV_CFLAGS) $(SNDFILE_CFLAGS) $(filter %.c,$^) -o $@ $(LDFLAGS) $(HOST_LIBS)

$(ASAN_BUILD)/test_dsp: host-test/tests/test_dsp.c $(TEST_SUPPORT) $(PLUGIN_SRC) $(PLUGIN_HDR) host-test/lib/signals.h host-test/lib/analysis.h $(BUILD)/cflags | pkgcheck
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) $(TEST_CFLAGS) $(filter %.c,$^) -o $@ $(LDFLAGS) $(TEST_LIBS)

$(ASAN_BUILD)/test_render: host-test/tests/test_render.c host-test/lib/references.c host-test/lib/rtcheck_off.c $(HOST_SRC) $(HOST_HDR) $(BUILD)/cflags | pkgcheck $(ASAN_BUNDLE) $(ASAN_BUILD)/tguard-render
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) $(TEST_CFLAGS) -DTG_BUILD_DIR='"$(ASAN_BUILD)"' -DTG_NO_RTCHECK $(LILV_CFLAGS) $(SNDFILE_CFLAGS) $(filter %.c,$^) -o $@ $(LDFLAGS) $(HOST_LIBS)

$(ASAN_BUILD)/test_hostile: host-test/tests/test_hostile.c host-test/lib/readfile.c host-test/lib/readfile.h | pkgcheck $(ASAN_BUILD)/tguard-render
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) $(TEST_CFLAGS) -DTG_BUILD_DIR='"$(ASAN_BUILD)"' $(filter %.c,$^) -o $@ $(LDFLAGS)

# ---- into make check ----

REL_TESTS = $(BUILD)/test_hostile $(BUILD)/fuzz_replay_chain $(BUILD)/fuzz_replay_lv2 \
            $(BUILD)/fuzz_replay_diff \
            $(BUILD)/soak $(ASAN_BUILD)/test_dsp $(ASAN_BUILD)/test_render \
            $(ASAN_BUILD)/test_hostile $(BUILD)/test_memcheck $(BUILD)/check_fuzz
TESTS += $(REL_TESTS)
$(REL_TESTS): $(TEST_DEPS)
tests: $(REL_TESTS)

# A change of the link flags (hardening) relinks tguard-render too.
$(BUILD)/tguard-render: $(BUILD)/cflags
