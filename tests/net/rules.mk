# net/ test programs: one that plays a VM's tap (tests/net/tap_arp.c),
# linked with the library like the VMM is.
NET_TAP_ARP := $(BUILD)/musl/tests/net/tap_arp
$(NET_TAP_ARP): $(BUILD)/musl/tests/net/tap_arp.o $(BUILD)/musl/libkvmbox.a
	$(MUSL_CC) -static -L$(SYSROOT)/lib -o $@ $^ $(LIBS)
CHECK_DEPS += $(NET_TAP_ARP)
