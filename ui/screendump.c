/* Writing a rendered frame as a PNG file. */
// SPDX-License-Identifier: MIT
#include "ui/screendump.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hw/log.h"

/* libpng reports errors by longjmp; everything that must be released after
 * one lives outside the setjmp frame, in volatile locals */
int screendump_png(const char *path, const struct vga_frame *f)
{
	if (!f->pixels || f->width == 0 || f->height == 0) {
		log_error("screendump: no picture to write to %s", path);
		return -1;
	}
	FILE *fp = fopen(path, "wb");
	if (!fp) {
		log_error("screendump: cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	uint8_t *volatile row = malloc((size_t)f->width * 3);
	if (!png || !info || !row) {
		log_error("screendump: out of memory writing %s", path);
		png_destroy_write_struct(&png, &info);
		free(row);
		fclose(fp);
		return -1;
	}
	if (setjmp(png_jmpbuf(png))) {
		log_error("screendump: libpng failed writing %s", path);
		png_destroy_write_struct(&png, &info);
		free(row);
		fclose(fp);
		return -1;
	}
	png_init_io(png, fp);
	png_set_IHDR(png, info, f->width, f->height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (unsigned y = 0; y < f->height; y++) {
		const uint32_t *src = f->pixels + (size_t)y * f->stride;
		for (unsigned x = 0; x < f->width; x++) {
			row[3 * x] = (uint8_t)(src[x] >> 16);
			row[3 * x + 1] = (uint8_t)(src[x] >> 8);
			row[3 * x + 2] = (uint8_t)src[x];
		}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(row);
	if (fclose(fp)) {
		log_error("screendump: cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}
