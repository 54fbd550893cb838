# spiceclient/: the benchmark program (tests/spiceclient/spice_bench.c),
# linked with the library like the applet is; bench/bench_spice.sh builds it.
SPICE_BENCH := $(BUILD)/musl/tests/spiceclient/spice_bench
$(SPICE_BENCH): $(BUILD)/musl/tests/spiceclient/spice_bench.o $(BUILD)/musl/libkvmbox.a
	$(MUSL_CC) -static -L$(SYSROOT)/lib -o $@ $^ $(LIBS)
