/* Where the 8x16 text font comes from for a boot without a BIOS: we ship no
 * font data of our own (every usable one belongs to another project), so it
 * is read at run time from the VGA BIOS image the board loads anyway
 * (SeaVGABIOS's vgabios-stdvga.bin carries the standard IBM-compatible 8x16
 * character set for INT 10h AX=1130h). */
#ifndef HW_VGAFONT_H
#define HW_VGAFONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VGAFONT_CHARS 256
#define VGAFONT_HEIGHT 16

/* Find the 256-glyph 8x16 font (4096 bytes, 16 bytes a glyph) in image and
 * copy it to font. false (and font zeroed) when the image holds none. */
bool vgafont_find(const uint8_t *image, size_t len, uint8_t font[VGAFONT_CHARS * VGAFONT_HEIGHT]);

#endif
