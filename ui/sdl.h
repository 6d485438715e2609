/* The SDL2 window (-display sdl): the guest's screen scaled to the window
 * with its aspect kept, its keyboard (through ui/keymap.h to PS/2 set 2)
 * and, once a click grabbed the pointer, its PS/2 mouse. Ctrl-Alt-G
 * releases the grab, Ctrl-Alt-F toggles full screen. SDL is used from the
 * main thread only: the host event loop calls sdl_display_poll() each
 * iteration and sleeps no longer than it returns. The window knows no
 * device: the screen and the input go through struct sdl_host. */
#ifndef UI_SDL_H
#define UI_SDL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hw/vga_render.h"	/* struct vga_frame */

struct sdl_display;

struct sdl_host {
	/* fill f with the screen as it is now (vga_render under the board
	 * lock, and nothing else under it); true when its size changed. NULL
	 * or a 0x0 frame: a black screen */
	bool (*render)(void *opaque, struct vga_frame *f);
	/* set-2 scan code bytes for the keyboard (i8042_key each, locked) */
	void (*send_scancodes)(void *opaque, const uint8_t *bytes, size_t n);
	/* relative motion (y down), wheel (positive towards the user) and the
	 * buttons held, I8042_BTN_* bits: i8042_mouse_event, locked */
	void (*mouse)(void *opaque, int dx, int dy, int dz, unsigned buttons);
	/* the window was closed: QEMU's SDL display quits the emulator then
	 * (a host-side shutdown, not the guest's power button), so do we */
	void (*quit)(void *opaque);
	void *opaque;
};

/* Opens the window titled "trivisor - <tier>". NULL after one error line
 * (no X display, no SDL video driver): -display sdl then exits 1. */
struct sdl_display *sdl_display_open(const char *tier, const struct sdl_host *host);
void sdl_display_close(struct sdl_display *d);
/* events in, and a redraw when one is due (about 60 a second); returns
 * nanoseconds until the next call is due */
int64_t sdl_display_poll(struct sdl_display *d);
/* redraw at the next poll (e.g. after a mode change) */
void sdl_display_invalidate(struct sdl_display *d);

#endif
