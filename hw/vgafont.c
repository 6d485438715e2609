/* Finding the 8x16 text font inside a VGA BIOS image at run time. */
// SPDX-License-Identifier: MIT
#include "hw/vgafont.h"

#include <string.h>

/* A BIOS image has no directory of its fonts, so we recognise the table by
 * what every IBM-compatible 8x16 character set must look like, at 16 bytes
 * a glyph:
 *   - glyphs 0x00 and 0x20 (NUL, space) are blank;
 *   - glyph 0xDB (full block) is all ones;
 *   - glyph 0xB3 (single vertical line) is one non-zero row repeated 16
 *     times, since it must join the cells above and below;
 *   - glyph 'A' has ink.
 * The 8x8 and 8x14 tables that sit beside it in SeaVGABIOS fail these tests
 * at a 16-byte stride (their 0xDB is not where a 16-row table puts it), and
 * code does not look like this. The first match wins. */
static bool vgafont_plausible(const uint8_t *f)
{
	const uint8_t *nul = f, *space = f + 0x20 * VGAFONT_HEIGHT;
	const uint8_t *block = f + 0xdb * VGAFONT_HEIGHT, *vline = f + 0xb3 * VGAFONT_HEIGHT;
	const uint8_t *a = f + 'A' * VGAFONT_HEIGHT;
	bool ink = false;
	if (vline[0] == 0)
		return false;
	for (int r = 0; r < VGAFONT_HEIGHT; r++) {
		if (nul[r] || space[r] || block[r] != 0xff || vline[r] != vline[0])
			return false;
		ink |= a[r] != 0;
	}
	return ink;
}

bool vgafont_find(const uint8_t *image, size_t len, uint8_t font[VGAFONT_CHARS * VGAFONT_HEIGHT])
{
	const size_t size = VGAFONT_CHARS * VGAFONT_HEIGHT;
	if (image) {
		for (size_t off = 0; off + size <= len; off++) {
			if (image[off] == 0 && vgafont_plausible(image + off)) {
				memcpy(font, image + off, size);
				return true;
			}
		}
	}
	memset(font, 0, size);
	return false;
}
