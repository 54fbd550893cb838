# kvm: build rules for the VMM's tests (included by the top-level Makefile).

# The tiny test guest: freestanding 32-bit code entered through a PVH note.
KVM_TEST_GUEST := $(BUILD)/kvm-tests/guest.elf
$(KVM_TEST_GUEST): tests/kvm/guest.c tests/kvm/rules.mk
	@mkdir -p $(dir $@)
	@echo '  CC [guest] $<'
	@gcc -m32 -ffreestanding -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables \
	  -nostdlib -static -Os -Wall -Wextra -Werror \
	  -Wl,-Ttext-segment=0x100000 -Wl,--build-id=none -o $@ $<
CHECK_DEPS += $(KVM_TEST_GUEST)

# A static UDP sender/receiver for the nested tests' L1 and L2 systems.
KVM_TEST_UDP := $(BUILD)/kvm-tests/udp
$(KVM_TEST_UDP): tests/kvm/udp.c
	@mkdir -p $(dir $@)
	@echo '  CC [test] $<'
	@$(MUSL_CC) -static -Os -Wall -Wextra -Werror -o $@ $<
CHECK_DEPS += $(KVM_TEST_UDP)

# The i8042 test guest (t_vm_input_guest.sh): programs the PS/2 controller.
KVM_INPUT_GUEST := $(BUILD)/kvm-tests/input_guest.elf
$(KVM_INPUT_GUEST): tests/kvm/input_guest.c tests/kvm/rules.mk
	@mkdir -p $(dir $@)
	@echo '  CC [guest] $<'
	@gcc -m32 -ffreestanding -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables \
	  -nostdlib -static -Os -Wall -Wextra -Werror \
	  -Wl,-Ttext-segment=0x100000 -Wl,--build-id=none -o $@ $<
CHECK_DEPS += $(KVM_INPUT_GUEST)

# The display test guest (tests/kvm/t_vm_display_host.sh, bench/bench_kvm_display.sh):
# the same freestanding PVH set-up, speaking QXL through <spice/qxl_dev.h>.
KVM_DISPLAY_GUEST := $(BUILD)/kvm-tests/display_guest.elf
$(KVM_DISPLAY_GUEST): tests/kvm/display_guest.c tests/kvm/rules.mk
	@mkdir -p $(dir $@)
	@echo '  CC [guest] $<'
	@gcc -m32 -ffreestanding -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables \
	  -nostdlib -static -Os -Wall -Wextra -Werror -D_LIBC_LIMITS_H_ -I/usr/include/spice-1 \
	  -Wl,-Ttext-segment=0x100000 -Wl,--build-id=none -o $@ $<
CHECK_DEPS += $(KVM_DISPLAY_GUEST)

# Prints input events in the nested input test's L2; talks to --control in L1.
KVM_TEST_EVREAD := $(BUILD)/kvm-tests/evread
$(KVM_TEST_EVREAD): tests/kvm/evread.c $(SYSROOT)/VERSIONS
	@mkdir -p $(dir $@)
	@echo '  CC [test] $<'
	@$(MUSL_CC) -static -Os -Wall -Wextra -Werror -idirafter $(SYSROOT)/uapi -o $@ $<
CHECK_DEPS += $(KVM_TEST_EVREAD)
