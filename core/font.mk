# SPDX-License-Identifier: GPL-2.0-only
# Build rules of core's screen code, included by the top-level Makefile:
#  - the embedded bitmap fonts, generated from Debian's console fonts
#    (package console-setup-linux) into $(GEN)/font_data.h;
#  - the DRM/KMS UAPI headers (drm.h, drm_mode.h), which Debian ships in
#    libdrm-dev's include folder: headers only, no library is linked.
ifndef KVMBOX_FONT_MK
KVMBOX_FONT_MK := 1

FONT_DIR   ?= /usr/share/consolefonts
FONT_SMALL := $(FONT_DIR)/Lat15-Terminus16.psf.gz
FONT_LARGE := $(FONT_DIR)/Lat15-TerminusBold32x16.psf.gz
DRM_UAPI   := /usr/include/libdrm

$(GEN)/font_data.h: core/font_gen.sh core/font.mk $(FONT_SMALL) $(FONT_LARGE)
	@mkdir -p $(GEN)
	@echo '  GEN $@'
	@{ sh core/font_gen.sh font_small $(FONT_SMALL) && \
	   sh core/font_gen.sh font_large $(FONT_LARGE); } > $@.tmp && mv $@.tmp $@

# The fonts are installed by .ci/packages.sh.
$(FONT_SMALL) $(FONT_LARGE): | $(SETUP)

$(BUILD)/musl/core/font.o $(BUILD)/asan/core/font.o $(BUILD)/fuzz/core/font.o: \
	$(GEN)/font_data.h

$(BUILD)/musl/core/screen_drm.o: MUSL_CFLAGS += -idirafter $(DRM_UAPI)
$(BUILD)/asan/core/screen_drm.o: ASAN_CFLAGS += -idirafter $(DRM_UAPI)
$(BUILD)/fuzz/core/screen_drm.o: FUZZ_CFLAGS += -idirafter $(DRM_UAPI)

endif
