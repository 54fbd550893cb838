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
