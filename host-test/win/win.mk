# Windows: the bundle cross-compiled with mingw-w64 into build/win/, the
# DLL's exports and imports checked, a zip to ship, and a plain test host
# for wine with its Linux twin (host-test/win/, run by the host check
# host-test/hosts/check-wine.sh). Included from the Makefile.
#
#   make win          build/win/tguard.lv2 with tguard.dll, checked (as
#                     make XWIN=x86_64-w64-mingw32)
#   make win-hosts    build/win/winhost.exe and build/winhost (Linux)
#   make dist-win     build/win/tguard-VERSION-win64.zip with an install note
#   make check-hosts HOSTS=wine   the Windows build under wine against Linux's

WIN_TRIPLE = x86_64-w64-mingw32
WIN_BUILD = build/win
NATIVE_BUILD = build
DEBS_WIN = gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 lv2-dev pkg-config zip
DEBS_WINE = wine64

.PHONY: win win-hosts dist-win wincheck deps-win

deps-win:
	@$(MAKE) --no-print-directory deps-auto DEBS="$(DEBS_WIN)"

win: deps-win
	@$(MAKE) --no-print-directory XWIN=$(WIN_TRIPLE) all

# XWIN= on the second: a command line's variables reach every sub-make.
win-hosts: deps-win
	@$(MAKE) --no-print-directory XWIN=$(WIN_TRIPLE) all $(WIN_BUILD)/winhost.exe
	@$(MAKE) --no-print-directory XWIN= bundle $(NATIVE_BUILD)/winhost

# The presets for the test host, from presets/ (no Turtle parser on Windows).
$(BUILD)/presets.h: host-test/win/gen-presets-h.sh $(PRESET_SRC)
	@mkdir -p $(@D)
	sh $< $(PRESET_SRC) > $@.tmp
	mv $@.tmp $@

# One source for both systems, warnings as errors. It links the chain's objects for the
# invariant checker (the sanitising, the latency); the audio goes through
# the plugin binary. No contraction: its input must be the same bits on
# both (its sines use + and * alone).
WINHOST_SRC = host-test/win/winhost.c host-test/fuzz/invariants.c
$(BUILD)/winhost$(EXE_EXT): $(WINHOST_SRC) host-test/fuzz/invariants.h $(BUILD)/presets.h $(PLUGIN_OBJ) $(PLUGIN_HDR) | $(PKGCHECK)
	$(CC) $(CFLAGS) -Werror -ffp-contract=off $(PLUGIN_INC) -Ihost-test/fuzz -I$(BUILD) -DTG_INV_NO_TRAP $(LV2_CFLAGS) \
	    $(filter %.c %.o,$^) -o $@ $(LDFLAGS) $(SHLIB_LIBS) $(if $(XWIN),,-ldl) -lm

ifneq ($(XWIN),)
# The LV2 headers are all the plugin takes from the system, through a
# directory that holds them alone: /usr/include's glibc headers must not
# shadow mingw's.
LV2_CFLAGS = -I$(BUILD)/include

wincheck: | deps-win
	@command -v $(CC) >/dev/null 2>&1 || { echo "error: $(CC) not found (Debian package gcc-mingw-w64-x86-64)"; exit 1; }
	@inc=$$($(PKG_CONFIG) --variable=includedir lv2 2>/dev/null); \
	[ -f "$$inc/lv2/core/lv2.h" ] || { echo "error: LV2 headers not found by pkg-config (Debian package lv2-dev)"; exit 1; }; \
	mkdir -p $(BUILD)/include && ln -sfn "$$inc/lv2" $(BUILD)/include/lv2

$(BUILD)/dll-checked: $(BUNDLE)/tguard$(LIB_EXT) host-test/win/check-dll.sh
	sh host-test/win/check-dll.sh $(XWIN)-objdump $<
	@touch $@
endif

# The zip: tguard-VERSION-win64/ with the bundle, its DLL without the debug
# information (build/win/ keeps it), and INSTALL.txt (CRLF, for Notepad).
# Deterministic: sorted, no extra attributes, files dated by the last
# commit (in UTC: zip stores local times).
WIN_DIST = tguard-$(VERSION)-win64

dist-win: win
	rm -rf $(WIN_BUILD)/dist $(WIN_BUILD)/$(WIN_DIST).zip
	mkdir -p $(WIN_BUILD)/dist/$(WIN_DIST)
	cp -R $(WIN_BUILD)/tguard.lv2 $(WIN_BUILD)/dist/$(WIN_DIST)/
	$(WIN_TRIPLE)-strip --strip-debug $(WIN_BUILD)/dist/$(WIN_DIST)/tguard.lv2/tguard.dll
	sed -e 's/@VERSION@/$(VERSION)/g' -e 's/$$/\r/' host-test/win/INSTALL.txt > $(WIN_BUILD)/dist/$(WIN_DIST)/INSTALL.txt
	@t=$$(git log -1 --format=%ct 2>/dev/null || echo 315532800); \
	cd $(WIN_BUILD)/dist && find $(WIN_DIST) -exec touch -h -d @$$t {} + && \
	find $(WIN_DIST) -type f | LC_ALL=C sort | TZ=UTC zip -X -D -q ../$(WIN_DIST).zip -@
	@echo "wrote $(WIN_BUILD)/$(WIN_DIST).zip: $$(find $(WIN_BUILD)/dist -type f | wc -l) files, $$(du -k $(WIN_BUILD)/$(WIN_DIST).zip | cut -f1) KiB"
