# tguard reliability checks, included by the Makefile: fuzzing, sanitizer
# builds, valgrind, soak, hostile input to tguard-render, and the plugin
# built with FMA contraction nowhere and everywhere.
#
#   make fuzz [FUZZ_SECONDS=300]    the three libFuzzer targets, side by side
#   make soak [SOAK_MINUTES=60]     an hour of audio per plugin layout
#
# make check runs the short forms: every program in REL_TESTS prints
# greatest's "Pass: P, fail: F" line, so the total counts them.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 300
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

# The fast chain against the reference (plugin/spec/reference.c): diff.c holds
# them to the same output and the same verdicts.
$(FUZZ_BUILD)/fuzz_diff: host-test/fuzz/fuzz_diff.c host-test/fuzz/diff.c $(FUZZ_SUPPORT) $(PLUGIN_SRC) $(FUZZ_HDR) | pkgcheck
	$(fuzz_link)

FUZZERS = $(FUZZ_BUILD)/fuzz_chain $(FUZZ_BUILD)/fuzz_lv2 $(FUZZ_BUILD)/fuzz_diff

fuzz: $(FUZZERS)
	@test -x $(FUZZ_BUILD)/fuzz_chain || { echo "error: make fuzz needs clang with libFuzzer (make deps)"; exit 1; }
	sh host-test/fuzz/run.sh $(FUZZ_SECONDS) chain lv2 diff

# make check: the three targets at once, each a fixed number of executions
# with a fixed seed from the committed inputs alone: the same verdict on
# every run of a commit (host-test/fuzz/run.sh --check). Exploring is make
# fuzz's.
$(BUILD)/check_fuzz: host-test/fuzz/run.sh $(FUZZERS)
	@printf '#!/bin/sh\nexec sh host-test/fuzz/run.sh --check chain lv2 diff\n' > $@
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

$(ASAN_BUILD)/tguard-render: host-test/tguard-render/tguard-render.c host-test/lib/rtcheck_off.c $(HOST_SRC) $(HOST_HDR) $(BUILD)/cflags $(BUILD)/version | pkgcheck
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) $(RENDER_DEFS) $(HOST_INC) $(LILV_CFLAGS) $(SNDFILE_CFLAGS) $(filter %.c,$^) -o $@ $(LDFLAGS) $(HOST_LIBS)

$(ASAN_BUILD)/test_dsp: $(DSP_TEST_SRC) $(TEST_SUPPORT) $(PLUGIN_SRC) $(PLUGIN_HDR) $(DSP_TEST_HDR) $(BUILD)/cflags | pkgcheck
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) $(TEST_CFLAGS) $(filter %.c,$^) -o $@ $(LDFLAGS) $(TEST_LIBS)

$(ASAN_BUILD)/test_render: host-test/tests/test_render.c host-test/lib/references.c host-test/lib/rtcheck_off.c $(HOST_SRC) $(HOST_HDR) $(BUILD)/cflags | pkgcheck $(ASAN_BUNDLE) $(ASAN_BUILD)/tguard-render
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) $(TEST_CFLAGS) -DTG_BUILD_DIR='"$(ASAN_BUILD)"' -DTG_NO_RTCHECK $(LILV_CFLAGS) $(SNDFILE_CFLAGS) $(filter %.c,$^) -o $@ $(LDFLAGS) $(HOST_LIBS)

$(ASAN_BUILD)/test_hostile: host-test/tests/test_hostile.c host-test/lib/readfile.c host-test/lib/readfile.h | pkgcheck $(ASAN_BUILD)/tguard-render
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) $(TEST_CFLAGS) -DTG_BUILD_DIR='"$(ASAN_BUILD)"' $(filter %.c,$^) -o $@ $(LDFLAGS)

# ---- FMA contraction, both ways ----

# No safety margin may rest on how the compiler fuses a * b + c. The plugin
# (every file) is built again with contraction nowhere (-ffp-contract=off)
# and everywhere (=fast, with FMA instructions where this CPU has them, so
# the scalar code fuses too, not only the AVX2 kernels), each with its own
# bundle in $(BUILD)/contract-off and $(BUILD)/contract-fast, and the tests
# that hold it to its margins run against each: the DSP units, the
# reconstructed true peak against the ceiling for every preset, and the
# fast chain against the reference. The tests' own code keeps the usual
# flags: only the plugin changes. make check-contract runs them alone.
CONTRACT_MODES = off fast
# Read when a recipe runs only.
CONTRACT_FMA = $(shell grep -qw fma /proc/cpuinfo 2>/dev/null && echo -mfma)
contract_flags = -ffp-contract=$(1) $(if $(filter fast,$(1)),$(CONTRACT_FMA))
# As plugin_compile, with the mode's flags last (they win) and no FILE_FLAGS.
define contract_compile
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(call contract_flags,$(1)) $(PLUGIN_INC) $(LV2_CFLAGS) -c $< -o $@
endef

# $(1): the mode (off, fast). Objects, bundle and the three tests.
define contract_build
$(BUILD)/contract-$(1)/obj/%.o: plugin/dsp/%.c $$(PLUGIN_HDR) $$(BUILD)/cflags | pkgcheck
	$$(call contract_compile,$(1))
$(BUILD)/contract-$(1)/obj/%.o: plugin/safety/%.c $$(PLUGIN_HDR) $$(BUILD)/cflags | pkgcheck
	$$(call contract_compile,$(1))
$(BUILD)/contract-$(1)/obj/%.o: plugin/spec/%.c $$(PLUGIN_HDR) $$(BUILD)/cflags | pkgcheck
	$$(call contract_compile,$(1))
$(BUILD)/contract-$(1)/obj/%.o: plugin/lv2/%.c $$(PLUGIN_HDR) $$(BUILD)/cflags | pkgcheck
	$$(call contract_compile,$(1))
$(BUILD)/contract-$(1)/obj/%.o: plugin/display/%.c $$(PLUGIN_HDR) $$(BUILD)/cflags | pkgcheck
	$$(call contract_compile,$(1))

CONTRACT_OBJ_$(1) = $$(addprefix $(BUILD)/contract-$(1)/obj/,$$(notdir $$(PLUGIN_SRC:.c=.o)))

$(BUILD)/contract-$(1)/tguard.lv2/tguard$$(LIB_EXT): $$(CONTRACT_OBJ_$(1)) $(BUILD)/contract-$(1)/obj/tguard_lv2.o
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -shared -Wl,--no-undefined -Wl,-z,defs $$^ -o $$@ $$(LDFLAGS) -lm

$(BUILD)/contract-$(1)/tguard.lv2/manifest.ttl: $$(BUNDLE)/manifest.ttl $$(BUNDLE)/tguard.ttl
	@mkdir -p $$(@D)
	rm -rf $$(@D)/presets
	cp -R $$(BUNDLE)/tguard.ttl $$(BUNDLE)/presets $$(@D)/
	cp $$(BUNDLE)/manifest.ttl $$@

CONTRACT_BUNDLE_$(1) = $(BUILD)/contract-$(1)/tguard.lv2/tguard$$(LIB_EXT) \
                       $(BUILD)/contract-$(1)/tguard.lv2/manifest.ttl

$(BUILD)/contract-$(1)/test_dsp: $$(DSP_TEST_SRC) $$(TEST_SUPPORT) $$(DSP_TEST_HDR) $$(CONTRACT_OBJ_$(1)) | pkgcheck
	$$(CC) $$(CFLAGS) $$(TEST_CFLAGS) $$(filter %.c %.o,$$^) -o $$@ $$(LDFLAGS) $$(TEST_LIBS)

$(BUILD)/contract-$(1)/test_truepeak: host-test/tests/test_truepeak.c host-test/lib/references.c host-test/lib/rtcheck_off.c $$(HOST_SRC) $$(HOST_HDR) $(BUILD)/contract-$(1)/obj/filter.o | pkgcheck $$(CONTRACT_BUNDLE_$(1))
	$$(CC) $$(CFLAGS) $$(TEST_CFLAGS) -DTG_BUILD_DIR='"$(BUILD)/contract-$(1)"' $$(LILV_CFLAGS) $$(filter %.c %.o,$$^) -o $$@ $$(LDFLAGS) $$(HOST_LIBS)

$(BUILD)/contract-$(1)/test_reference: host-test/tests/test_reference.c host-test/tests/limits_fall.h $$(DIFF_SUPPORT) host-test/tests/rtcheck.c host-test/lib/host.c host-test/lib/signals.c $$(HOST_HDR) $$(wildcard host-test/fuzz/*.h) $$(CONTRACT_OBJ_$(1)) | pkgcheck $$(CONTRACT_BUNDLE_$(1))
	$$(CC) $$(CFLAGS) $$(TEST_CFLAGS) -Ihost-test/fuzz -DTG_INV_NO_TRAP -DTG_BUILD_DIR='"$(BUILD)/contract-$(1)"' $$(LILV_CFLAGS) $$(filter %.c %.o,$$^) -o $$@ $$(LDFLAGS) $$(RT_LDFLAGS) $$(LILV_LIBS) -ldl -lm
endef
$(foreach m,$(CONTRACT_MODES),$(eval $(call contract_build,$(m))))

CONTRACT_TESTS = $(foreach m,$(CONTRACT_MODES),$(addprefix $(BUILD)/contract-$(m)/,test_dsp test_truepeak test_reference))

# The fast chain against the reference again, the plugin and the checker
# compiled by clang (its default contraction, -O2): the differential
# tolerance (host-test/fuzz/diff.h) must hold for both compilers' rounding,
# as fuzz_diff (clang) and fuzz_replay_diff (gcc) replay the same inputs.
$(BUILD)/clang/test_reference: host-test/tests/test_reference.c host-test/tests/limits_fall.h $(DIFF_SUPPORT) host-test/tests/rtcheck.c host-test/lib/host.c host-test/lib/signals.c $(HOST_HDR) $(wildcard host-test/fuzz/*.h) $(PLUGIN_SRC) $(PLUGIN_HDR) $(BUILD)/cflags | pkgcheck bundle
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 $(WARN) $(WERROR) -O2 -g $(TEST_CFLAGS) -Ihost-test/fuzz -DTG_INV_NO_TRAP $(LV2_CFLAGS) $(LILV_CFLAGS) $(filter %.c,$^) -o $@ $(RT_LDFLAGS) $(LILV_LIBS) -ldl -lm
CONTRACT_TESTS += $(BUILD)/clang/test_reference

.PHONY: check-contract
check-contract: WERROR = -Werror
check-contract: $(CONTRACT_TESTS)
	@for t in $(CONTRACT_TESTS); do echo "== $$t"; $$t > $$t.log 2>&1 || { cat $$t.log; exit 1; }; \
	  grep -E '^Pass: [0-9]+, fail: [0-9]+' $$t.log; done

# ---- into make check ----

REL_TESTS = $(BUILD)/test_hostile $(BUILD)/fuzz_replay_chain $(BUILD)/fuzz_replay_lv2 \
            $(BUILD)/fuzz_replay_diff \
            $(BUILD)/soak $(ASAN_BUILD)/test_dsp $(ASAN_BUILD)/test_render \
            $(ASAN_BUILD)/test_hostile $(BUILD)/test_memcheck $(BUILD)/check_fuzz \
            $(CONTRACT_TESTS)
TESTS += $(REL_TESTS)
$(REL_TESTS): $(TEST_DEPS)
tests: $(REL_TESTS)

# A change of the link flags (hardening) relinks tguard-render too.
$(BUILD)/tguard-render: $(BUILD)/cflags
