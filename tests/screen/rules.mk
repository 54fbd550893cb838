# Rules of the screen tests. core/font.mk (fonts, DRM headers) is pulled in
# here as long as the top-level Makefile does not include it itself.
include core/font.mk
