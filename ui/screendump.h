/* Screenshots: a rendered VGA frame written as an 8-bit RGB PNG (libpng),
 * the format QEMU's screendump writes, so the two compare pixel for pixel. */
#ifndef UI_SCREENDUMP_H
#define UI_SCREENDUMP_H

#include "hw/vga_render.h"

/* 0, or -1 after one error line saying why (cannot create the file, ...) */
int screendump_png(const char *path, const struct vga_frame *f);

#endif
