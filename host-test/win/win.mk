# Windows: the bundle cross-compiled with mingw-w64 into build/win/, the
# DLL's exports and imports checked. Included from the Makefile.
#
#   make win          build/win/tguard.lv2 with tguard.dll, checked (as
#                     make XWIN=x86_64-w64-mingw32)

WIN_TRIPLE = x86_64-w64-mingw32
WIN_BUILD = build/win
DEBS_WIN = gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 lv2-dev pkg-config

.PHONY: win wincheck deps-win

deps-win:
	@$(MAKE) --no-print-directory deps-auto DEBS="$(DEBS_WIN)"

win: deps-win
	@$(MAKE) --no-print-directory XWIN=$(WIN_TRIPLE) all

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
