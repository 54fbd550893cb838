# Rules of the screen tests. core/font.mk (fonts, DRM headers) is pulled in
# here as long as the top-level Makefile does not include it itself.
include core/font.mk

# A test-only program: the graphical menu front-end on a demo catalog.
SCREEN_MENU_DEMO := $(BUILD)/musl/tests/screen/menu_gfx_demo
$(SCREEN_MENU_DEMO): tests/screen/menu_gfx_demo.c $(BUILD)/musl/libkvmbox.a | $(SYSROOT)/VERSIONS
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_CFLAGS) $(MUSL_LDFLAGS) -o $@ $< $(BUILD)/musl/libkvmbox.a $(LIBS)
CHECK_DEPS += $(SCREEN_MENU_DEMO)
