# tguard (Transducer Guard): LV2 plugin bundle, tests and tools.
#
#   make            build build/tguard.lv2 (installs missing Debian packages first)
#   make check      build with warnings as errors and run every test
#   make check-contract  the margin tests with FMA contraction off and everywhere
#   make install    install the bundle, tguard-render and its man page (PREFIX, LV2DIR,
#                   BINDIR, MANDIR, DESTDIR)
#   make check-hosts  Ardour, jalv, lv2apply, PipeWire, install, dist, wine (the
#                   Windows build) and deb (the package, installed and purged)
#   make dist       build/tguard-$(VERSION).tar.gz
#   make deb        build/tguard_$(VERSION)_ARCH.deb with dpkg-buildpackage, checked
#                   by lintian (DEB_BUILD_OPTIONS=nocheck: without make check)
#   make plots      measure every factory preset, write docs/presets/*.png, and
#                   the inline display in its states, docs/display/*.png
#   make screenshot jalv.gtk3's generic interface for the stereo plugin, headless:
#                   docs/jalv-stereo.png
#   make docs       draw the signal chain, docs/chain.svg and docs/chain.png
#   make bench      time tguard against its peers (make deps-bench installs them;
#                   BENCH_RATE=44100 runs the plugins at another rate)
#   make mutants    break the guarded code on purpose, one mutation at a time, and
#                   check that a fast test fails (host-test/mutants/); not in make check
#   make check-manpage  tguard-render --version and docs/tguard-render.1 against
#                   --help and the source (also in make check)
#   make check-docs the README's length, commands and presets table, and every
#                   relative link of the documentation (also in make check)
#   make win        the bundle for 64-bit Windows, cross-compiled into build/win/
#                   (the same as make XWIN=x86_64-w64-mingw32); make dist-win zips it
#   make install-user / uninstall / clean / deps

VERSION = 0.6.0
VERSION_MINOR = $(word 2,$(subst ., ,$(VERSION)))
VERSION_MICRO = $(word 3,$(subst ., ,$(VERSION)))

PREFIX ?= /usr/local
LV2DIR ?= $(PREFIX)/lib/lv2
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=
USER_LV2DIR ?= $(HOME)/.lv2

CC ?= cc
PKG_CONFIG ?= pkg-config
# The user's CFLAGS win (optimisation level included); what the project
# requires is added below with override. -O3: the DSP's block loops are
# written for the vectoriser (check with CFLAGS="-O3 -fopt-info-vec").
CFLAGS ?= -O3 -g
WARN = -Wall -Wextra -Wpedantic -Wshadow -Wconversion
# No fast-math style flags, ever: protection relies on NaN/Inf checks.
# Hardening: stack canaries, checked libc calls (they need optimisation),
# and relocations resolved at load time, then made read-only (tested in
# host-test/tests/test_bundle.c). -U first: some compilers predefine it.
OPT_FLAGS := $(filter -O1 -O2 -O3 -Os -Og,$(CFLAGS))
HARDEN = -fstack-protector-strong $(if $(OPT_FLAGS),-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2)
# Windows (make XWIN=x86_64-w64-mingw32, or make win): the plugin is
# cross-compiled into build/win/, warnings as errors, beside the Linux
# build; build tools such as ttlgen still run here (CC_FOR_BUILD). PE code
# is position independent without -fPIC, and ELF's relro has no PE
# counterpart (ASLR and NX are binutils' defaults there). libgcc and libssp
# (the stack protector's canary and _FORTIFY_SOURCE's checks) are linked
# in, so the DLL needs only Windows' own DLLs. -muse-unaligned-vector-move:
# GCC cannot align the stack to 32 bytes on Windows, so an AVX2 spill with
# an aligned move would fault (GCC bug 54412); there is none today
# (objdump), and the assembler makes any such move unaligned, which costs
# nothing on aligned data.
XWIN ?=
ifneq ($(XWIN),)
WERROR = -Werror
CC := $(XWIN)-gcc
CC_FOR_BUILD ?= cc
PIC =
override LDFLAGS += -static-libgcc
SHLIB_LDFLAGS = -Wl,--no-undefined
SHLIB_LIBS = -l:libssp.a
PKGCHECK = wincheck
override CFLAGS += -Wa,-muse-unaligned-vector-move
LIB_EXT = .dll
EXE_EXT = .exe
BUILD = build/win
else
PIC = -fPIC
override LDFLAGS += -Wl,-z,relro,-z,now
SHLIB_LDFLAGS = -Wl,--no-undefined -Wl,-z,defs
SHLIB_LIBS =
PKGCHECK = pkgcheck
LIB_EXT = .so
EXE_EXT =
BUILD = build
endif
override CFLAGS += -std=c11 $(WARN) $(WERROR) $(PIC) -fvisibility=hidden $(HARDEN)
BUNDLE = $(BUILD)/tguard.lv2
# plugin/dsp: the signal chain's stages; plugin/safety: what the
# guarantees rest on (the last resorts, the coil's heat); plugin/spec: the
# reference chain, the specification the fast chain is held to;
# plugin/display: the inline display's picture (pixels, no LV2);
# plugin/lv2: the port table and the LV2 glue.
PLUGIN_SRC = plugin/dsp/ramp.c plugin/dsp/mono.c plugin/dsp/filter.c plugin/dsp/truepeak.c \
             plugin/dsp/limiter.c plugin/dsp/chain.c plugin/safety/safety.c plugin/safety/heat.c plugin/spec/reference.c \
             plugin/display/display.c
PLUGIN_OBJ = $(addprefix $(BUILD)/obj/,$(notdir $(PLUGIN_SRC:.c=.o)))
GLUE_OBJ = $(BUILD)/obj/tguard_lv2.o
PLUGIN_HDR = $(wildcard plugin/*/*.h) plugin/lv2/ports.def
PLUGIN_INC = -Iplugin/dsp -Iplugin/safety -Iplugin/spec -Iplugin/display -Iplugin/lv2
# The lilv host library, which tguard-render, the tests and the tools share.
HOST_INC = -Ihost-test/lib $(PLUGIN_INC)

# The project's own greatest-compatible header; point GREATEST_DIR at a
# directory holding upstream greatest.h to build the tests against it.
GREATEST_DIR ?= host-test/greatest
TEST_CFLAGS = -I$(GREATEST_DIR) $(HOST_INC) -Ihost-test/tests $(TEST_RELAX)
# Upstream's header is not written for -Wconversion, and its longjmp
# (unused by our tests) trips -Wclobbered: adjust for it there only.
TEST_RELAX = $(if $(filter host-test/greatest,$(GREATEST_DIR)),,-Wno-conversion -DGREATEST_USE_LONGJMP=0)
TEST_LIBS = -lm

# Debian packages the build and tests need.
DEBS = lv2-dev liblilv-dev lilv-utils libsndfile1-dev sordi pkg-config clang libclang-rt-dev valgrind
# AUTO_DEPS=0: never install packages (a package build, where the
# Build-Depends stand for these lists).
AUTO_DEPS = 1
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# pkg-config is asked only when a recipe runs, after the deps step.
LV2_CFLAGS = $(shell $(PKG_CONFIG) --cflags lv2)
LILV_CFLAGS = $(shell $(PKG_CONFIG) --cflags lilv-0)
LILV_LIBS = $(shell $(PKG_CONFIG) --libs lilv-0)

.PHONY: all deb check install install-bundle install-user uninstall uninstall-bundle uninstall-user dist clean deps deps-auto pkgcheck bundle tests demo references plots docs deps-cairo bench deps-bench mutants screenshot

# For Windows, the bundle alone, its DLL checked (host-test/win/win.mk).
all: bundle $(if $(XWIN),$(BUILD)/dll-checked,$(BUILD)/tguard-render)

bundle: $(BUNDLE)/tguard$(LIB_EXT) $(BUNDLE)/manifest.ttl $(BUNDLE)/tguard.ttl $(BUILD)/lv2/tguard.lv2

# An LV2_PATH entry that holds the bundle and nothing else, for hosts and
# tests that want the build alone: LV2_PATH=$(BUILD)/lv2.
$(BUILD)/lv2/tguard.lv2:
	@mkdir -p $(@D)
	ln -sfn ../tguard.lv2 $@

# Install what is missing, only when something is.
deps-auto:
	@[ "$(AUTO_DEPS)" = 1 ] || exit 0; missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then $(MAKE) --no-print-directory deps DEBS="$$missing"; fi

deps:
	@echo "installing Debian packages: $(DEBS)"
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEBS)

pkgcheck: | deps-auto
	@$(PKG_CONFIG) --version >/dev/null 2>&1 || { echo "error: pkg-config not found (Debian package pkg-config)"; exit 1; }
	@$(PKG_CONFIG) --exists lv2 || { echo "error: lv2 not found by pkg-config (Debian package lv2-dev)"; exit 1; }
	@$(PKG_CONFIG) --exists lilv-0 || { echo "error: lilv-0 not found by pkg-config (Debian package liblilv-dev)"; exit 1; }
	@$(PKG_CONFIG) --exists sndfile || { echo "error: sndfile not found by pkg-config (Debian package libsndfile1-dev)"; exit 1; }

# Objects rebuild when the flags change, so `make check` after `make`
# really compiles with -Werror; the tests also when GREATEST_DIR does.
$(BUILD)/cflags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(CFLAGS) $(LDFLAGS)' | cmp -s - $@ || echo '$(CC) $(CFLAGS) $(LDFLAGS)' > $@

# tguard-render prints VERSION (--version): it rebuilds when VERSION changes.
$(BUILD)/version: FORCE
	@mkdir -p $(@D)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@

$(BUILD)/testflags: FORCE
	@mkdir -p $(@D)
	@echo '$(TEST_CFLAGS)' | cmp -s - $@ || echo '$(TEST_CFLAGS)' > $@

# Every program that includes greatest.h.
TEST_DEPS = $(GREATEST_DIR)/greatest.h host-test/tests/tg_assert.h host-test/tests/tg_test.h $(BUILD)/testflags $(BUILD)/cflags

FORCE:

# In the filters, products and sums may fuse where the target has FMA (the
# AVX2 block kernel): half the operations, one rounding fewer, and NaN and
# Inf behave as before (not fast-math). A speed choice only, on which no
# margin rests: make check also builds the whole plugin with contraction
# nowhere and everywhere, and runs test_dsp, test_truepeak and
# test_reference against each (host-test/tests/reliability.mk; alone:
# make check-contract).
$(BUILD)/obj/filter.o: FILE_FLAGS = -ffp-contract=fast

define plugin_compile
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(FILE_FLAGS) $(PLUGIN_INC) $(LV2_CFLAGS) -c $< -o $@
endef

$(BUILD)/obj/%.o: plugin/dsp/%.c $(PLUGIN_HDR) $(BUILD)/cflags | $(PKGCHECK)
	$(plugin_compile)
$(BUILD)/obj/%.o: plugin/safety/%.c $(PLUGIN_HDR) $(BUILD)/cflags | $(PKGCHECK)
	$(plugin_compile)
$(BUILD)/obj/%.o: plugin/spec/%.c $(PLUGIN_HDR) $(BUILD)/cflags | $(PKGCHECK)
	$(plugin_compile)
$(BUILD)/obj/%.o: plugin/display/%.c $(PLUGIN_HDR) $(BUILD)/cflags | $(PKGCHECK)
	$(plugin_compile)
$(BUILD)/obj/%.o: plugin/lv2/%.c $(PLUGIN_HDR) $(BUILD)/cflags | $(PKGCHECK)
	$(plugin_compile)

$(BUNDLE)/tguard$(LIB_EXT): $(PLUGIN_OBJ) $(GLUE_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -shared $(SHLIB_LDFLAGS) $^ -o $@ $(LDFLAGS) $(SHLIB_LIBS) -lm

PRESET_SRC = $(wildcard presets/*.ttl)

# The manifest declares the plugins and every preset; the presets of the
# mono and sum plugins are derived from the stereo sources.
$(BUNDLE)/manifest.ttl: ttl/manifest.ttl.in ttl/gen-presets.sh $(PRESET_SRC) Makefile
	@mkdir -p $(@D)
	rm -rf $(BUNDLE)/presets
	sed -e 's/@LIB_EXT@/$(LIB_EXT)/g' -e 's/@VERSION_MINOR@/$(VERSION_MINOR)/g' \
	    -e 's/@VERSION_MICRO@/$(VERSION_MICRO)/g' $< > $@.tmp
	sh ttl/gen-presets.sh presets $(BUNDLE) >> $@.tmp
	mv $@.tmp $@

# The plugins' Turtle: the template's plugin metadata, and the ports
# written by ttlgen from the port table (plugin/lv2/ports.def). ttlgen runs
# on the build machine: CC_FOR_BUILD when cross-compiling.
CC_FOR_BUILD ?= $(CC)
CFLAGS_FOR_BUILD ?= -O2
$(BUILD)/ttlgen: plugin/lv2/ttlgen.c plugin/lv2/ports.h plugin/lv2/ports.def $(BUILD)/cflags
	@mkdir -p $(@D)
	$(CC_FOR_BUILD) $(CFLAGS_FOR_BUILD) -std=c11 $(WARN) $(WERROR) -Iplugin/lv2 $< -o $@

$(BUNDLE)/tguard.ttl: ttl/tguard.ttl.in $(BUILD)/ttlgen
	@mkdir -p $(@D)
	$(BUILD)/ttlgen $< > $@.tmp
	mv $@.tmp $@

# The lilv host: tguard-render and the library the tests reuse.
SNDFILE_CFLAGS = $(shell $(PKG_CONFIG) --cflags sndfile)
SNDFILE_LIBS = $(shell $(PKG_CONFIG) --libs sndfile)
HOST_SRC = host-test/lib/host.c host-test/lib/render.c host-test/lib/signals.c host-test/lib/analysis.c
HOST_HDR = $(wildcard host-test/lib/*.h) plugin/lv2/ports.h plugin/lv2/ports.def
HOST_LIBS = $(LILV_LIBS) $(SNDFILE_LIBS) -ldl -lm
# -rdynamic: the interposed malloc and friends (host-test/tests/rtcheck.c)
# must be the ones the dlopen()ed plugin binds to.
RT_LDFLAGS = -rdynamic

# The installed program: the library and the hooks that watch nothing.
RENDER_DEFS = -DTG_VERSION='"$(VERSION)"'
$(BUILD)/tguard-render: host-test/tguard-render/tguard-render.c host-test/lib/rtcheck_off.c $(HOST_SRC) $(HOST_HDR) $(BUILD)/version | pkgcheck bundle
	$(CC) $(CPPFLAGS) $(CFLAGS) $(RENDER_DEFS) $(HOST_INC) $(LILV_CFLAGS) $(SNDFILE_CFLAGS) $(filter %.c,$^) -o $@ $(LDFLAGS) $(HOST_LIBS)

# Tests: the DSP modules directly, the built bundle through lilv, and the
# regression renders through the host.
TESTS = $(BUILD)/test_dsp $(BUILD)/test_bundle $(BUILD)/test_render $(BUILD)/test_truepeak \
        $(BUILD)/test_reference $(BUILD)/test_display $(BUILD)/test_lifecycle

TEST_SUPPORT = host-test/lib/signals.c host-test/lib/analysis.c

# The DSP tests: the modules' own (test_dsp.c, which runs every suite) and
# one file per guarantee, as SAFETY.md lists them, over a shared fixture.
DSP_TEST_SRC = host-test/tests/test_dsp.c host-test/tests/test_peak.c host-test/tests/test_heat.c \
               host-test/tests/test_faults.c host-test/tests/test_softstart.c \
               host-test/tests/test_wiring.c host-test/tests/dsp_fixture.c
DSP_TEST_HDR = host-test/tests/dsp_fixture.h host-test/tests/limits_fall.h host-test/lib/signals.h host-test/lib/analysis.h

$(BUILD)/test_dsp: $(DSP_TEST_SRC) $(TEST_SUPPORT) $(DSP_TEST_HDR) $(PLUGIN_OBJ) | pkgcheck
	$(CC) $(CFLAGS) $(TEST_CFLAGS) $(DSP_TEST_SRC) $(TEST_SUPPORT) $(PLUGIN_OBJ) -o $@ $(LDFLAGS) $(TEST_LIBS)

$(BUILD)/test_bundle: host-test/tests/test_bundle.c plugin/lv2/ports.h plugin/lv2/ports.def Makefile | pkgcheck
	$(CC) $(CFLAGS) $(TEST_CFLAGS) $(LILV_CFLAGS) -DTG_VERSION_MINOR=$(VERSION_MINOR) \
	    -DTG_VERSION_MICRO=$(VERSION_MICRO) $< -o $@ $(LDFLAGS) $(LILV_LIBS) $(TEST_LIBS)

$(BUILD)/test_render: host-test/tests/test_render.c host-test/lib/references.c host-test/tests/rtcheck.c $(HOST_SRC) $(HOST_HDR) | pkgcheck bundle $(BUILD)/tguard-render
	$(CC) $(CFLAGS) $(TEST_CFLAGS) $(LILV_CFLAGS) $(SNDFILE_CFLAGS) $(filter %.c,$^) -o $@ $(LDFLAGS) $(RT_LDFLAGS) $(HOST_LIBS)

# The true-peak measure, and the limiter's reconstructed peak through the
# bundle; no allocator interposing (test_render does the real-time check).
# It links the filter module too, for the reference of its transparency test.
$(BUILD)/test_truepeak: host-test/tests/test_truepeak.c host-test/lib/references.c host-test/lib/rtcheck_off.c $(HOST_SRC) $(HOST_HDR) $(BUILD)/obj/filter.o | pkgcheck bundle
	$(CC) $(CFLAGS) $(TEST_CFLAGS) $(LILV_CFLAGS) $(filter %.c %.o,$^) -o $@ $(LDFLAGS) $(HOST_LIBS)

# The fast chain against the reference (plugin/spec/reference.c), with the
# differential checker of the fuzz target; the presets through lilv, and
# the reference through the bundle with run() watched for allocations.
DIFF_SUPPORT = host-test/fuzz/diff.c host-test/fuzz/invariants.c
$(BUILD)/test_reference: host-test/tests/test_reference.c host-test/tests/limits_fall.h $(DIFF_SUPPORT) host-test/tests/rtcheck.c host-test/lib/host.c host-test/lib/signals.c $(HOST_HDR) $(wildcard host-test/fuzz/*.h) $(PLUGIN_OBJ) | pkgcheck bundle
	$(CC) $(CFLAGS) $(TEST_CFLAGS) -Ihost-test/fuzz -DTG_INV_NO_TRAP $(LILV_CFLAGS) $(filter %.c %.o,$^) -o $@ $(LDFLAGS) $(RT_LDFLAGS) $(LILV_LIBS) -ldl -lm

# The inline display: its picture module directly, and render() through
# the bundle with run() and render() watched for allocations.
$(BUILD)/test_display: host-test/tests/test_display.c host-test/tests/rtcheck.c host-test/lib/host.c $(HOST_HDR) plugin/lv2/inline_display.h $(BUILD)/obj/display.o | pkgcheck bundle
	$(CC) $(CFLAGS) $(TEST_CFLAGS) $(LILV_CFLAGS) $(filter %.c %.o,$^) -o $@ $(LDFLAGS) $(RT_LDFLAGS) $(LILV_LIBS) -ldl -lm

# The coil's heat through deactivation and activation, with real pauses.
$(BUILD)/test_lifecycle: host-test/tests/test_lifecycle.c host-test/lib/host.c host-test/lib/rtcheck_off.c $(HOST_HDR) | pkgcheck bundle
	$(CC) $(CFLAGS) $(TEST_CFLAGS) $(LILV_CFLAGS) $(filter %.c %.o,$^) -o $@ $(LDFLAGS) $(LILV_LIBS) -ldl -lm

$(BUILD)/make_references: host-test/tools/make_references.c host-test/lib/references.c host-test/tests/rtcheck.c $(HOST_SRC) $(HOST_HDR) | pkgcheck bundle
	$(CC) $(CFLAGS) $(HOST_INC) $(LILV_CFLAGS) $(filter %.c,$^) -o $@ $(LDFLAGS) $(RT_LDFLAGS) $(HOST_LIBS)

# The preset plots measure through the plugin; no allocator interposing.
$(BUILD)/plot_presets: host-test/tools/plot_presets.c host-test/lib/references.c host-test/lib/rtcheck_off.c $(HOST_SRC) $(HOST_HDR) | pkgcheck bundle
	$(CC) $(CFLAGS) $(HOST_INC) $(LILV_CFLAGS) $(SNDFILE_CFLAGS) $(filter %.c,$^) -o $@ $(LDFLAGS) $(HOST_LIBS)

tests: bundle $(BUILD)/tguard-render $(TESTS)
$(TESTS): $(TEST_DEPS)

# The benchmark: tguard against the peers it replaces, printed figures only.
# rtcheck.c counts the bytes instantiate() allocates.
BENCH_PEERS = x42-plugins lsp-plugins-lv2

$(BUILD)/bench: host-test/bench/bench.c host-test/tests/rtcheck.c $(HOST_SRC) $(HOST_HDR) | pkgcheck bundle
	$(CC) $(CFLAGS) $(HOST_INC) $(LV2_CFLAGS) $(LILV_CFLAGS) $(SNDFILE_CFLAGS) $(filter %.c,$^) -o $@ $(LDFLAGS) $(RT_LDFLAGS) $(HOST_LIBS)

bench: bundle $(BUILD)/tguard-render $(BUILD)/bench
	$(BUILD)/bench $(if $(BENCH_RATE),--rate $(BENCH_RATE)) $(BUNDLE) $(BUILD)/tguard-render $(BUILD)/bench-data

deps-bench:
	$(MAKE) --no-print-directory deps DEBS="$(BENCH_PEERS)"

# Mutation testing: each mutation in host-test/mutants/mutations.txt is
# applied alone to a scratch copy of the tracked tree, which is built and
# run through the fast tests (unit, bundle, render, a short fuzz_chain).
# MUTANTS="ID ..." runs only those. Minutes per run: not part of check.
MUTANTS ?=
MUTANTS_FUZZ_SECONDS ?= 5

mutants:
	MUTANTS_FUZZ_SECONDS=$(MUTANTS_FUZZ_SECONDS) bash host-test/mutants/run.sh $(MUTANTS)

# Protection at work: pink noise at +12 dBFS RMS, far over what the preset
# allows, through it; the report, the current without tguard and with it,
# and both drawn against the limits (gnuplot, installed when missing). Ten
# seconds: the soft start (3 s) is over, and the heat (tau 1 s) settled.
DEMO_PRESET = Dynamic microphone as speaker
DEMO_SIGNAL = pink:10

demo: bundle $(BUILD)/tguard-render $(BUILD)/plot_presets
	@command -v $(GNUPLOT) >/dev/null 2>&1 || $(MAKE) --no-print-directory deps DEBS=gnuplot-nox
	@mkdir -p $(BUILD)/demo
	$(BUILD)/tguard-render -p "$(DEMO_PRESET)" --signal $(DEMO_SIGNAL) --report $(BUILD)/demo-pink.wav
	@$(BUILD)/plot_presets --demo $(BUNDLE) "$(DEMO_PRESET)" $(DEMO_SIGNAL) $(BUILD)/demo-pink.wav \
	    $(BUILD)/demo $(BUILD)/demo-pink.png host-test/tools/demo.gp
	@$(GNUPLOT) $(BUILD)/demo/demo.gp
	@echo "wrote $(BUILD)/demo-pink.wav and $(BUILD)/demo-pink.png (the current without and with tguard)"

# Regenerate host-test/references/ and show what changed. Tests never do.
references: bundle $(BUILD)/make_references
	$(BUILD)/make_references host-test/references
	@git status --short host-test/references 2>/dev/null | head -50 || true

# Measure every factory preset and draw docs/presets/SLUG.png with gnuplot
# (installed when missing). Not part of `make check`.
GNUPLOT ?= gnuplot
PLOT_DIR = $(BUILD)/plots
PNG_DIR = docs/presets

plots: bundle $(BUILD)/plot_presets $(BUILD)/display_png
	@command -v $(GNUPLOT) >/dev/null 2>&1 || $(MAKE) --no-print-directory deps DEBS=gnuplot-nox
	@mkdir -p $(PLOT_DIR) $(PNG_DIR) $(DISPLAY_PNG_DIR)
	$(BUILD)/plot_presets $(BUNDLE) $(PLOT_DIR) $(PNG_DIR) host-test/tools/plots.gp
	$(GNUPLOT) $(PLOT_DIR)/presets.gp
	@echo "wrote $$(ls $(PNG_DIR)/*.png | wc -l) plots in $(PNG_DIR)/"
	$(BUILD)/display_png $(BUNDLE) $(DISPLAY_PNG_DIR)

# The inline display in its states, as the plugin draws it, written to
# docs/display/ with cairo (installed when missing): the tool links it,
# the plugin never does.
DISPLAY_PNG_DIR = docs/display
CAIRO_CFLAGS = $(shell $(PKG_CONFIG) --cflags cairo)
CAIRO_LIBS = $(shell $(PKG_CONFIG) --libs cairo)

deps-cairo:
	@$(PKG_CONFIG) --exists cairo 2>/dev/null || $(MAKE) --no-print-directory deps DEBS=libcairo2-dev

$(BUILD)/display_png: host-test/tools/display_png.c host-test/lib/host.c host-test/lib/rtcheck_off.c $(HOST_HDR) plugin/lv2/inline_display.h | pkgcheck bundle deps-cairo
	$(CC) $(CFLAGS) $(HOST_INC) $(LILV_CFLAGS) $(CAIRO_CFLAGS) $(filter %.c,$^) -o $@ $(LDFLAGS) $(LILV_LIBS) $(CAIRO_LIBS) -ldl -lm

# jalv.gtk3 under Xvfb with a private JACK dummy server (the packages are
# installed when missing). Not part of `make check`.
DEBS_SCREENSHOT = xvfb jalv jackd2 xdotool x11-apps imagemagick

screenshot: bundle
	@$(MAKE) --no-print-directory deps-auto DEBS="$(DEBS_SCREENSHOT)"
	sh host-test/tools/jalv-screenshot.sh urn:tguard:stereo docs/jalv-stereo.png

# The signal chain as a picture: docs/chain.dot drawn as docs/chain.svg and
# docs/chain.png with graphviz (installed when missing). Not part of check.
DOT ?= dot

docs:
	@command -v $(DOT) >/dev/null 2>&1 || $(MAKE) --no-print-directory deps DEBS=graphviz
	$(DOT) -Tsvg docs/chain.dot -o docs/chain.svg
	$(DOT) -Tpng -Gdpi=96 docs/chain.dot -o docs/chain.png
	@echo "wrote docs/chain.svg and docs/chain.png"

# No plugin file reaches into another module's struct (see the headers);
# in make check as one counted test.
.PHONY: check-private
check-private:
	@sh host-test/tests/check-private.sh

$(BUILD)/check_private: host-test/tests/check-private.sh
	@mkdir -p $(@D)
	@printf '#!/bin/sh\nif sh host-test/tests/check-private.sh; then echo "Pass: 1, fail: 0, skip: 0."; else echo "Pass: 0, fail: 1, skip: 0."; fi\n' > $@
	@chmod +x $@
TESTS += $(BUILD)/check_private
tests: $(BUILD)/check_private

# The documentation: README.md at most 250 lines, its two commands and its
# presets table against presets/, every docs/ page linked from it and from
# ARCHITECTURE.md, every relative link and #anchor resolving
# (host-test/tests/check-docs.sh); each of its checks counts in make check.
.PHONY: check-docs
check-docs:
	@sh host-test/tests/check-docs.sh

$(BUILD)/check_docs: host-test/tests/check-docs.sh
	@mkdir -p $(@D)
	@printf '#!/bin/sh\nexec sh host-test/tests/check-docs.sh\n' > $@
	@chmod +x $@
TESTS += $(BUILD)/check_docs
tests: $(BUILD)/check_docs

# tguard-render --version and its man page, held to --help and the source
# (host-test/tests/check-manpage.sh); each of its checks counts in make
# check. man renders the page: man-db and groff-base, installed when missing.
DEBS_MAN = man-db groff-base

.PHONY: deps-man check-manpage
deps-man:
	@$(MAKE) --no-print-directory deps-auto DEBS="$(DEBS_MAN)"

$(BUILD)/check_manpage: host-test/tests/check-manpage.sh $(BUILD)/version | deps-man
	@mkdir -p $(@D)
	@printf '#!/bin/sh\nexec sh host-test/tests/check-manpage.sh $(BUILD)/tguard-render docs/tguard-render.1 $(VERSION)\n' > $@
	@chmod +x $@
TESTS += $(BUILD)/check_manpage
tests: $(BUILD)/check_manpage

check-manpage: $(BUILD)/tguard-render $(BUILD)/check_manpage
	@$(BUILD)/check_manpage

check: WERROR = -Werror
check: tests
	@total_p=0; total_f=0; status=0; \
	for t in $(TESTS); do \
	  echo "== $$t"; \
	  $$t > $$t.log 2>&1; rc=$$?; cat $$t.log; \
	  line=$$(grep -E '^Pass: [0-9]+, fail: [0-9]+' $$t.log | tail -n 1); \
	  if [ -z "$$line" ]; then total_f=$$((total_f + 1)); echo "$$t: no report (exit $$rc)"; continue; fi; \
	  p=$$(echo "$$line" | sed -E 's/^Pass: ([0-9]+), fail: ([0-9]+).*/\1/'); \
	  f=$$(echo "$$line" | sed -E 's/^Pass: ([0-9]+), fail: ([0-9]+).*/\2/'); \
	  if [ $$rc -ne 0 ] && [ $$f -eq 0 ]; then f=1; fi; \
	  total_p=$$((total_p + p)); total_f=$$((total_f + f)); \
	done; \
	echo "$$total_p passed, $$total_f failed"; \
	[ $$total_f -eq 0 ]

# Installation: the bundle to $(DESTDIR)$(LV2DIR), tguard-render to
# $(DESTDIR)$(BINDIR), its man page to $(DESTDIR)$(MANDIR)/man1
# (uncompressed: man reads it so, and packaging compresses). The file list
# comes from the sources, so uninstall removes exactly what install put
# there, even after make clean.
INST_DIR = $(DESTDIR)$(LV2DIR)/tguard.lv2
INST_PRESETS = $(foreach s,$(notdir $(PRESET_SRC:.ttl=)),$(s).ttl $(s)-mono.ttl $(s)-sum.ttl)

install: install-bundle
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(BUILD)/tguard-render $(DESTDIR)$(BINDIR)/tguard-render
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 644 docs/tguard-render.1 $(DESTDIR)$(MANDIR)/man1/tguard-render.1

install-bundle: bundle $(BUILD)/tguard-render
	install -d $(INST_DIR)/presets
	install -m 644 $(BUNDLE)/manifest.ttl $(BUNDLE)/tguard.ttl $(INST_DIR)/
	install -m 755 $(BUNDLE)/tguard$(LIB_EXT) $(INST_DIR)/
	install -m 644 $(addprefix $(BUNDLE)/presets/,$(INST_PRESETS)) $(INST_DIR)/presets/

# Per user: lilv, so every LV2 host, searches ~/.lv2 first.
install-user:
	$(MAKE) --no-print-directory install-bundle LV2DIR=$(USER_LV2DIR) DESTDIR=

uninstall: uninstall-bundle
	rm -f $(DESTDIR)$(BINDIR)/tguard-render $(DESTDIR)$(MANDIR)/man1/tguard-render.1

uninstall-bundle:
	rm -f $(addprefix $(INST_DIR)/presets/,$(INST_PRESETS))
	rm -f $(INST_DIR)/manifest.ttl $(INST_DIR)/tguard.ttl $(INST_DIR)/tguard$(LIB_EXT)
	rmdir $(INST_DIR)/presets $(INST_DIR) 2>/dev/null || true

uninstall-user:
	$(MAKE) --no-print-directory uninstall-bundle LV2DIR=$(USER_LV2DIR) DESTDIR=

# A versioned source tarball of the tree as it stands: tracked and new
# files, less what .gitignore leaves out (build/), so it holds what make
# check tests, references and docs included. Deterministic: sorted, owner
# 0, files dated by the last commit.
DIST = tguard-$(VERSION)

dist:
	@git rev-parse --git-dir > /dev/null 2>&1 || { echo "error: make dist needs a git checkout"; exit 1; }
	@mkdir -p $(BUILD)
	@git ls-files --cached --others --exclude-standard | while read -r f; do \
	  [ -f "$$f" ] && echo "$$f"; done | LC_ALL=C sort > $(BUILD)/dist-files
	tar -cf - --owner=0 --group=0 --numeric-owner --mtime=@$$(git log -1 --format=%ct) \
	  --transform 's,^,$(DIST)/,' -T $(BUILD)/dist-files | gzip -n > $(BUILD)/$(DIST).tar.gz
	@echo "wrote $(BUILD)/$(DIST).tar.gz: $$(wc -l < $(BUILD)/dist-files) files"

# The Debian package (debian/), built by dpkg-buildpackage -b in make
# dist's copy of the tree, so this tree's build/ is left alone; the .deb,
# the .changes and lintian's report land in build/. make check runs in the
# package build unless DEB_BUILD_OPTIONS=nocheck. lintian's errors and
# warnings fail the target.
DEBS_DEB = debhelper dpkg-dev lintian
DEB_DIR = $(BUILD)/deb

deb: dist
	@$(MAKE) --no-print-directory deps-auto DEBS="$(DEBS) $(DEBS_DEB)"
	@v=$$(dpkg-parsechangelog -SVersion); [ "$$v" = "$(VERSION)" ] || \
	  { echo "error: debian/changelog is at $$v, the Makefile at $(VERSION): add an entry (dch -v $(VERSION))"; exit 1; }
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)
	tar -xzf $(BUILD)/$(DIST).tar.gz -C $(DEB_DIR)
	cd $(DEB_DIR)/$(DIST) && dpkg-buildpackage -us -uc -b
	cp $(DEB_DIR)/*.deb $(DEB_DIR)/*.buildinfo $(DEB_DIR)/*.changes $(BUILD)/
	lintian -i --fail-on error,warning $(BUILD)/tguard_$(VERSION)_$$(dpkg --print-architecture).changes \
	  > $(BUILD)/lintian.txt 2>&1; rc=$$?; cat $(BUILD)/lintian.txt; exit $$rc
	@echo "wrote $$(cd $(BUILD) && ls tguard*_$(VERSION)_*.deb)"

clean:
	rm -rf $(BUILD)

# Fuzzing, sanitizers, valgrind, soak, hostile input: make fuzz, make soak,
# and their short forms in make check.
include host-test/tests/reliability.mk

# Real hosts and the installation conventions: make check-hosts, deps-hosts.
include host-test/hosts/hosts.mk

# Windows: make win, dist-win, the DLL's check and the wine test host.
include host-test/win/win.mk
