# SPDX-License-Identifier: GPL-2.0-only
# kvmbox: one static musl binary. `make` builds build/kvmbox; `make check`
# runs every test; `make demo` boots the appliance under QEMU.
#
# Sources are found, not listed: a new file in a subsystem folder is built,
# a new cmd/NAME.c with an APPLET() line becomes an applet, and a new
# tests/SUBSYS/test_*.c joins that subsystem's unit-test program.

BUILD    ?= build
SYSROOT  := $(BUILD)/sysroot
GEN      := $(BUILD)/gen
SUBSYS   := core kvm net disk spiceclient initramfs

LIB_SRCS := $(foreach d,$(SUBSYS),$(wildcard $(d)/*.c))
CMD_SRCS := $(wildcard cmd/*.c)
SETUP    := $(BUILD)/.packages-ok

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wno-missing-field-initializers
BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARN) -I. -I$(GEN) -MMD -MP

# The product: musl, static, stripped.
MUSL_CC  := musl-gcc
MUSL_CFLAGS := $(BASE_CFLAGS) -O2 -ffunction-sections -fdata-sections \
               -isystem $(SYSROOT)/include -isystem $(SYSROOT)/include/libnl3 \
               -idirafter $(SYSROOT)/uapi
MUSL_LDFLAGS := -static -s -Wl,--gc-sections -L$(SYSROOT)/lib
LIBS     := -lnl-route-3 -lnl-3 -lseccomp -llz4 -lpthread

# Tests a second time: glibc gcc with AddressSanitizer + UBSan.
ASAN_CC  := gcc
ASAN_CFLAGS := $(BASE_CFLAGS) -O1 -g -fsanitize=address,undefined \
               -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
               -I/usr/include/libnl3 -I/usr/include/spice-1
ASAN_LDFLAGS := -fsanitize=address,undefined

# Fuzz targets: clang libFuzzer.
FUZZ_CC  := clang
FUZZ_CFLAGS := $(BASE_CFLAGS) -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
               -Wno-unknown-warning-option -I/usr/include/libnl3 \
               -I/usr/include/spice-1
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined

.PHONY: all check test fuzz bench size demo clean distclean setup sysroot \
        initramfs iso pxe boottest units
all: $(BUILD)/kvmbox

# ---- set-up: Debian packages and the static sysroot ------------------------

$(SETUP): .ci/packages.sh
	@mkdir -p $(BUILD)
	bash .ci/packages.sh
	@touch $@
setup: $(SETUP)

# Built once (cached under ~/.cache/kvmbox by package versions), reused after.
$(SYSROOT)/VERSIONS: .ci/sysroot.sh | $(SETUP)
	bash .ci/sysroot.sh $(SYSROOT)
sysroot: $(SYSROOT)/VERSIONS

# Build-time generated data: the bitmap fonts, from Debian's console fonts.
include core/font.mk

# ---- the applet table -------------------------------------------------------

$(GEN)/applets.h: $(CMD_SRCS) Makefile
	@mkdir -p $(GEN)
	@names=$$(sed -n 's/^APPLET(\([a-z0-9_]*\),.*/\1/p' $(CMD_SRCS) | sort); \
	{ echo "/* generated from the APPLET() lines in cmd/ */"; \
	  for n in $$names; do echo "extern const struct applet applet_$$n;"; done; \
	  echo "static const struct applet *const applets[] = {"; \
	  for n in $$names; do echo "	&applet_$$n,"; done; \
	  echo "};"; } > $@.tmp && mv $@.tmp $@

# ---- flavours of objects ----------------------------------------------------

MUSL_OBJS := $(patsubst %.c,$(BUILD)/musl/%.o,$(LIB_SRCS))
CMD_OBJS  := $(patsubst %.c,$(BUILD)/musl/%.o,$(CMD_SRCS))

$(BUILD)/musl/%.o: %.c $(GEN)/applets.h | $(SYSROOT)/VERSIONS
	@mkdir -p $(dir $@)
	@echo '  CC [musl] $<'
	@$(MUSL_CC) $(MUSL_CFLAGS) -c $< -o $@

$(BUILD)/asan/%.o: %.c $(GEN)/applets.h | $(SETUP)
	@mkdir -p $(dir $@)
	@echo '  CC [asan] $<'
	@$(ASAN_CC) $(ASAN_CFLAGS) -c $< -o $@

$(BUILD)/fuzz/%.o: %.c $(GEN)/applets.h | $(SETUP)
	@mkdir -p $(dir $@)
	@echo '  CC [fuzz] $<'
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(BUILD)/musl/libkvmbox.a: $(MUSL_OBJS)
	@rm -f $@; ar rcs $@ $^
$(BUILD)/asan/libkvmbox.a: $(patsubst %.c,$(BUILD)/asan/%.o,$(LIB_SRCS))
	@rm -f $@; ar rcs $@ $^
$(BUILD)/fuzz/libkvmbox.a: $(patsubst %.c,$(BUILD)/fuzz/%.o,$(LIB_SRCS))
	@rm -f $@; ar rcs $@ $^

$(BUILD)/kvmbox: $(CMD_OBJS) $(BUILD)/musl/libkvmbox.a
	$(MUSL_CC) $(MUSL_LDFLAGS) -o $@ $(CMD_OBJS) $(BUILD)/musl/libkvmbox.a $(LIBS)
	@ls -l $@ | awk '{print "kvmbox: " $$5 " bytes"}'

size: $(BUILD)/kvmbox
	@bytes=$$(stat -c %s $(BUILD)/kvmbox); \
	 echo "$(BUILD)/kvmbox: $$bytes bytes ($$((bytes / 1024)) KiB; budget 1536 KiB)"; \
	 [ $$bytes -le 1572864 ] || { echo "over the 1.5 MiB budget"; exit 1; }

# ---- unit tests: one program per subsystem, in both flavours --------------

TEST_SUBSYS := $(notdir $(patsubst %/,%,$(dir $(wildcard tests/*/test_*.c))))
TEST_SUBSYS := $(sort $(TEST_SUBSYS))
HARNESS := tests/harness.c tests/test_server.c

define unit_rules
$(BUILD)/musl/tests/$(1)_tests: $(patsubst %.c,$(BUILD)/musl/%.o,$(wildcard tests/$(1)/test_*.c) $(HARNESS)) $(BUILD)/musl/libkvmbox.a
	$(MUSL_CC) -static -L$(SYSROOT)/lib -o $$@ $$^ $(LIBS)
$(BUILD)/asan/tests/$(1)_tests: $(patsubst %.c,$(BUILD)/asan/%.o,$(wildcard tests/$(1)/test_*.c) $(HARNESS)) $(BUILD)/asan/libkvmbox.a
	$(ASAN_CC) $(ASAN_LDFLAGS) -o $$@ $$^ -lnl-route-3 -lnl-3 -lseccomp -llz4 -lpthread
endef
$(foreach s,$(TEST_SUBSYS),$(eval $(call unit_rules,$(s))))

UNIT_BINS := $(foreach s,$(TEST_SUBSYS),$(BUILD)/musl/tests/$(s)_tests $(BUILD)/asan/tests/$(s)_tests)
units: $(UNIT_BINS)

# ---- fuzz targets: tests/fuzz/fuzz_NAME.c -----------------------------------

FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/bin/%,$(FUZZ_SRCS))
$(BUILD)/fuzz/bin/%: $(BUILD)/fuzz/tests/fuzz/%.o $(BUILD)/fuzz/libkvmbox.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $^ -lnl-route-3 -lnl-3 -lseccomp -llz4 -lpthread

FUZZ_SECONDS ?= 300
fuzz: $(FUZZ_BINS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh $(BUILD) $(FUZZ_BINS)

# ---- make check: everything, ending with "N passed, N failed" --------------

# Subsystem test rules (tiny guests, helper programs) live beside their tests
# and add their outputs to CHECK_DEPS.
CHECK_DEPS :=
-include $(sort $(wildcard tests/*/rules.mk))

check: $(BUILD)/kvmbox $(UNIT_BINS) $(FUZZ_BINS) $(CHECK_DEPS)
	BUILD=$(BUILD) bash tests/run.sh

test: check

bench: $(BUILD)/kvmbox
	BUILD=$(BUILD) bash bench/run.sh

demo: $(BUILD)/kvmbox
	BUILD=$(BUILD) bash initramfs/demo.sh

# ---- boot media (initramfs/): initramfs, hybrid ISO, PXE tree, boot tests ---
KERNEL   ?= $(lastword $(sort $(wildcard /boot/vmlinuz-*-amd64)))
KVER      = $(patsubst /boot/vmlinuz-%,%,$(KERNEL))
BOOT     := $(BUILD)/boot

initramfs: $(BOOT)/initramfs.img
$(BOOT)/initramfs.img: $(BUILD)/kvmbox
	@mkdir -p $(BOOT)
	$(BUILD)/kvmbox mkinitramfs -o $@ --compress lz4 --modules /lib/modules/$(KVER)
	@ls -l $@ | awk '{print "initramfs: " $$5 " bytes (budget 6291456)"}'

iso: $(BOOT)/kvmbox.iso
$(BOOT)/kvmbox.iso: $(BOOT)/initramfs.img initramfs/mkiso.sh initramfs/mkdemo.sh
	bash initramfs/mkdemo.sh $(BUILD)/kvmbox $(BOOT)/medium $(KERNEL)
	bash initramfs/mkiso.sh -o $@ --kernel $(KERNEL) --initrd $< --medium $(BOOT)/medium

pxe: $(BOOT)/initramfs.img initramfs/mkpxe.sh
	bash initramfs/mkpxe.sh -o $(BOOT)/tftp --kernel $(KERNEL) --initrd $<

boottest: $(BUILD)/kvmbox $(CHECK_DEPS)
	BUILD=$(BUILD) NO_FUZZ=1 TESTS=boot/ bash tests/run.sh

clean:
	rm -rf $(BUILD)/musl $(BUILD)/asan $(BUILD)/fuzz $(BUILD)/gen $(BUILD)/kvmbox \
	       $(BUILD)/boot $(BUILD)/test-work

distclean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/musl $(BUILD)/asan $(BUILD)/fuzz -name '*.d' 2>/dev/null)
.SECONDARY:
