/* pngtext: read the text back from a screendump of a VGA text mode.
 * SPDX-License-Identifier: MIT
 *
 * usage: pngtext [-b VGABIOS] [-v] FILE.png
 *
 * The screen of an 80x25 text mode is 720x400: cells of 9x16 dots. Each
 * cell is recognised against the 8x16 font the emulator itself loads into
 * plane 2 for a direct kernel boot (hw/vgafont.h, taken from the VGA BIOS
 * image, by default /usr/share/seabios/vgabios-stdvga.bin): the cell must
 * hold at most two colours, and for one of the two ways of calling them
 * foreground and background, one glyph must give exactly its pixels:
 *   - dots 0-7 of each of the 16 rows are the glyph's row (1 = foreground);
 *   - dot 8 (the ninth column) is the background, except for the line
 *     drawing characters 0xC0-0xDF, where it may repeat dot 7 (the
 *     attribute controller's line graphics bit);
 *   - a cell of one colour is a blank (a space).
 * One cell on the screen may also be the text cursor: a run of rows drawn
 * as a full foreground row over the glyph. Printable ASCII glyphs are tried
 * first; any other code point that matches prints as '.'.
 *
 * Prints the screen's text on stdout, one line per character row, trailing
 * blanks trimmed. With -v, one line on stderr with the geometry, the
 * cursor and the counts. Exit status: 0 when every cell was recognised, 1
 * when some cell matched no glyph (each one named on stderr, printed as
 * '?'), 2 on errors (unreadable PNG, a size that is not whole cells, no
 * font in the BIOS image).
 */
#include <png.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hw/vgafont.h"

#define CW 9
#define CH VGAFONT_HEIGHT

static uint8_t font[VGAFONT_CHARS * VGAFONT_HEIGHT];

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n < cap)
			break;
		uint8_t *nb = realloc(buf, cap *= 2);
		if (!nb) {
			free(buf);
			buf = NULL;
		}
		buf = nb;
	}
	fclose(f);
	*len = n;
	return buf;
}

struct cell_match {
	int ch;			/* -1: none */
	bool cursor;		/* matched only with cursor rows */
	int cur_lo, cur_hi;	/* the cursor's rows */
};

/* does glyph c drawn in fg on bg give the cell? rows[r] is the 9-bit mask
 * of the dots that are fg (bit 8 = dot 0 ... bit 0 = the ninth column). */
static bool glyph_fits(int c, const uint16_t rows[CH], bool *cursor, int *lo, int *hi)
{
	const uint8_t *g = font + c * VGAFONT_HEIGHT;
	bool line_gfx = c >= 0xc0 && c <= 0xdf;
	int mlo = -1, mhi = -1;
	for (int r = 0; r < CH; r++) {
		unsigned want0 = (unsigned)g[r] << 1;			/* ninth dot background */
		unsigned want1 = want0 | (g[r] & 1);			/* ninth dot repeats dot 7 */
		unsigned got = rows[r];
		if (got == want0 || (line_gfx && got == want1))
			continue;
		if (mlo < 0)
			mlo = r;
		mhi = r;
	}
	if (mlo < 0) {
		*cursor = false;
		return true;
	}
	/* the cursor: rows mlo..mhi all full foreground rows (the ninth dot
	 * as the glyph's rule has it for a full row) */
	for (int r = mlo; r <= mhi; r++) {
		unsigned got = rows[r];
		if (got != 0x1fe && !(line_gfx && got == 0x1ff))
			return false;
	}
	*cursor = true;
	*lo = mlo;
	*hi = mhi;
	return true;
}

/* candidates in order: printable ASCII, then the rest */
static int candidate(int i)
{
	if (i < 0x5f)
		return 0x20 + i;
	i -= 0x5f;
	return i < 0x20 ? i : 0x7f + (i - 0x20);
}

static struct cell_match match_cell(const uint32_t *px, unsigned stride)
{
	struct cell_match best = { .ch = -1 };
	uint32_t col[2];
	int ncol = 0;
	for (int y = 0; y < CH; y++)
		for (int x = 0; x < CW; x++) {
			uint32_t v = px[(size_t)y * stride + x];
			int k;
			for (k = 0; k < ncol && col[k] != v; k++)
				;
			if (k == ncol) {
				if (ncol == 2)
					return best;	/* three colours: no glyph */
				col[ncol++] = v;
			}
		}
	if (ncol == 1) {
		best.ch = ' ';
		return best;
	}
	uint16_t rows[2][CH];	/* with col[0], col[1] as the foreground */
	for (int order = 0; order < 2; order++)
		for (int y = 0; y < CH; y++) {
			uint16_t m = 0;
			for (int x = 0; x < CW; x++)
				m = (uint16_t)(m << 1 | (px[(size_t)y * stride + x] == col[order]));
			rows[order][y] = m;
		}
	for (int i = 0; i < VGAFONT_CHARS; i++) {
		int c = candidate(i);
		for (int order = 0; order < 2; order++) {
			bool cur;
			int lo = 0, hi = 0;
			if (!glyph_fits(c, rows[order], &cur, &lo, &hi))
				continue;
			if (!cur)
				return (struct cell_match){ .ch = c };
			if (best.ch < 0)
				best = (struct cell_match){ .ch = c, .cursor = true, .cur_lo = lo, .cur_hi = hi };
		}
	}
	return best;
}

int main(int argc, char **argv)
{
	const char *bios = "/usr/share/seabios/vgabios-stdvga.bin";
	bool verbose = false;
	int opt;
	while ((opt = getopt(argc, argv, "b:v")) != -1) {
		switch (opt) {
		case 'b': bios = optarg; break;
		case 'v': verbose = true; break;
		default: goto usage;
		}
	}
	if (optind != argc - 1) {
usage:
		fprintf(stderr, "usage: pngtext [-b VGABIOS] [-v] FILE.png\n");
		return 2;
	}
	const char *path = argv[optind];

	size_t blen;
	uint8_t *image = read_file(bios, &blen);
	if (!image) {
		fprintf(stderr, "pngtext: cannot read %s\n", bios);
		return 2;
	}
	bool have = vgafont_find(image, blen, font);
	free(image);
	if (!have) {
		fprintf(stderr, "pngtext: no 8x16 font in %s\n", bios);
		return 2;
	}

	png_image img;
	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, path)) {
		fprintf(stderr, "pngtext: %s: %s\n", path, img.message);
		return 2;
	}
	img.format = PNG_FORMAT_BGRA;	/* one uint32_t a pixel: 0xAARRGGBB */
	uint32_t *px = malloc(PNG_IMAGE_SIZE(img));
	if (!px || !png_image_finish_read(&img, NULL, px, 0, NULL)) {
		fprintf(stderr, "pngtext: %s: %s\n", path, px ? img.message : "out of memory");
		return 2;
	}
	unsigned w = img.width, h = img.height;
	if (w % CW || h % CH || !w || !h) {
		fprintf(stderr, "pngtext: %s is %ux%u, not whole %dx%d cells\n", path, w, h, CW, CH);
		return 2;
	}
	unsigned cols = w / CW, rows = h / CH;
	unsigned unmatched = 0, other = 0, ncursor = 0;
	int cur_row = -1, cur_col = -1, cur_lo = 0, cur_hi = 0;
	char *line = malloc(cols + 1);
	for (unsigned r = 0; r < rows; r++) {
		for (unsigned c = 0; c < cols; c++) {
			struct cell_match m = match_cell(px + (size_t)r * CH * w + c * CW, w);
			if (m.ch >= 0 && m.cursor && ++ncursor > 1)
				m.ch = -1;	/* one cursor per screen */
			if (m.ch < 0) {
				unmatched++;
				fprintf(stderr, "pngtext: row %u column %u matches no glyph\n", r, c);
				line[c] = '?';
				continue;
			}
			if (m.cursor) {
				cur_row = (int)r;
				cur_col = (int)c;
				cur_lo = m.cur_lo;
				cur_hi = m.cur_hi;
			}
			if (m.ch >= 0x20 && m.ch < 0x7f) {
				line[c] = (char)m.ch;
			} else {
				line[c] = '.';
				other++;
			}
		}
		unsigned n = cols;
		while (n && line[n - 1] == ' ')
			n--;
		line[n] = 0;
		puts(line);
	}
	if (verbose) {
		fprintf(stderr, "pngtext: %ux%u, %ux%u cells: %u recognised (%u outside printable ASCII), %u unmatched",
			w, h, cols, rows, cols * rows - unmatched, other, unmatched);
		if (cur_row >= 0)
			fprintf(stderr, ", cursor at row %d column %d (scan lines %d-%d)\n",
				cur_row, cur_col, cur_lo, cur_hi);
		else
			fprintf(stderr, ", no cursor shown\n");
	}
	free(line);
	free(px);
	return unmatched ? 1 : 0;
}
