/* The SDL2 window: the guest's screen, keyboard and grabbed mouse. */
// SPDX-License-Identifier: MIT
#include "ui/sdl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <SDL.h>
#include "hw/i8042.h"	/* I8042_BTN_*: the button bits the host's mouse callback takes */
#include "hw/log.h"
#include "ui/keymap.h"

#define REFRESH_NS (1000000000 / 60)
#define DEFAULT_W 640
#define DEFAULT_H 480
#define GRAB_MOD (KMOD_LCTRL | KMOD_LALT)	/* QEMU's hot-key modifiers */

struct sdl_display {
	struct sdl_host host;
	char tier[32];
	SDL_Window *win;
	SDL_Renderer *ren;
	SDL_Texture *tex;
	unsigned tex_w, tex_h;
	struct vga_frame frame;
	int64_t next_frame;
	bool grabbed, fullscreen;
	unsigned buttons;			/* I8042_BTN_* held */
	uint8_t down[SDL_NUM_SCANCODES / 8];	/* keys whose press the guest got */
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void set_title(struct sdl_display *d)
{
	char title[128];
	snprintf(title, sizeof(title), "trivisor - %s%s", d->tier,
		 d->grabbed ? " - Press Ctrl-Alt-G to release grab" : "");
	SDL_SetWindowTitle(d->win, title);
}

static void set_grab(struct sdl_display *d, bool on)
{
	if (d->grabbed == on)
		return;
	/* relative mode hides the host cursor and keeps it in the window */
	if (SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE) < 0 && on)
		log_once("sdl: relative mouse mode unavailable: %s", SDL_GetError());
	SDL_SetWindowGrab(d->win, on ? SDL_TRUE : SDL_FALSE);
	d->grabbed = on;
	if (!on && d->buttons && d->host.mouse) {
		d->buttons = 0;	/* buttons held while ungrabbing are let go */
		d->host.mouse(d->host.opaque, 0, 0, 0, 0);
	}
	set_title(d);
}

/* ---- keyboard ---- */

static bool key_is_down(const struct sdl_display *d, int sc)
{
	return sc >= 0 && sc < SDL_NUM_SCANCODES && (d->down[sc / 8] >> (sc % 8) & 1);
}

static void key_mark(struct sdl_display *d, int sc, bool down)
{
	if (sc < 0 || sc >= SDL_NUM_SCANCODES)
		return;
	if (down)
		d->down[sc / 8] |= (uint8_t)(1u << (sc % 8));
	else
		d->down[sc / 8] &= (uint8_t)~(1u << (sc % 8));
}

static void key_send(struct sdl_display *d, int sc, bool down)
{
	uint8_t b[KEYMAP_MAX_BYTES];
	uint16_t key = keymap_from_sdl(sc);
	if (!key)
		return;
	size_t n = keymap_bytes(key, down, b);
	key_mark(d, sc, down);
	if (n && d->host.send_scancodes)
		d->host.send_scancodes(d->host.opaque, b, n);
}

/* every key the guest holds let go (the window lost the focus: their
 * releases would go elsewhere), as QEMU does */
static void keys_release_all(struct sdl_display *d)
{
	for (int sc = 0; sc < SDL_NUM_SCANCODES; sc++)
		if (key_is_down(d, sc))
			key_send(d, sc, false);
}

static void toggle_fullscreen(struct sdl_display *d)
{
	d->fullscreen = !d->fullscreen;
	SDL_SetWindowFullscreen(d->win, d->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
	d->next_frame = 0;
}

static void on_key(struct sdl_display *d, const SDL_KeyboardEvent *ev)
{
	int sc = ev->keysym.scancode;
	bool down = ev->type == SDL_KEYDOWN;
	if (down && (ev->keysym.mod & GRAB_MOD) == GRAB_MOD) {
		/* the hot keys stay with the host */
		if (sc == SDL_SCANCODE_G) {
			if (!ev->repeat)
				set_grab(d, !d->grabbed);
			return;
		}
		if (sc == SDL_SCANCODE_F) {
			if (!ev->repeat)
				toggle_fullscreen(d);
			return;
		}
	}
	if (!down && !key_is_down(d, sc))
		return;	/* a release whose press went to a hot key or elsewhere */
	/* held keys repeat their make code, as a keyboard's typematic does */
	key_send(d, sc, down);
}

/* ---- mouse ---- */

static unsigned button_bit(Uint8 b)
{
	switch (b) {
	case SDL_BUTTON_LEFT: return I8042_BTN_LEFT;
	case SDL_BUTTON_RIGHT: return I8042_BTN_RIGHT;
	case SDL_BUTTON_MIDDLE: return I8042_BTN_MIDDLE;
	case SDL_BUTTON_X1: return I8042_BTN_SIDE;
	case SDL_BUTTON_X2: return I8042_BTN_EXTRA;
	default: return 0;
	}
}

static void mouse_send(struct sdl_display *d, int dx, int dy, int dz)
{
	if (d->host.mouse)
		d->host.mouse(d->host.opaque, dx, dy, dz, d->buttons);
}

static void on_button(struct sdl_display *d, const SDL_MouseButtonEvent *ev)
{
	if (!d->grabbed) {
		/* a click in the window grabs the mouse; the guest does not see it */
		if (ev->type == SDL_MOUSEBUTTONDOWN && ev->button == SDL_BUTTON_LEFT)
			set_grab(d, true);
		return;
	}
	unsigned bit = button_bit(ev->button);
	unsigned now = ev->type == SDL_MOUSEBUTTONDOWN ? d->buttons | bit : d->buttons & ~bit;
	if (now == d->buttons)
		return;	/* e.g. the release of the click that grabbed */
	d->buttons = now;
	mouse_send(d, 0, 0, 0);
}

static void on_wheel(struct sdl_display *d, const SDL_MouseWheelEvent *ev)
{
	if (!d->grabbed)
		return;
	int y = ev->y;
	if (ev->direction == SDL_MOUSEWHEEL_FLIPPED)
		y = -y;
	/* SDL's positive y is away from the user; the PS/2 wheel's is towards */
	if (y)
		mouse_send(d, 0, 0, -y);
}

/* ---- drawing ---- */

static void draw(struct sdl_display *d)
{
	bool changed = false;
	if (d->host.render)
		changed = d->host.render(d->host.opaque, &d->frame);
	unsigned w = d->frame.width, h = d->frame.height;
	if (!d->host.render || !d->frame.pixels || !w || !h) {
		SDL_SetRenderDrawColor(d->ren, 0, 0, 0, 255);
		SDL_RenderClear(d->ren);
		SDL_RenderPresent(d->ren);
		return;
	}
	if (!d->tex || w != d->tex_w || h != d->tex_h) {
		if (d->tex)
			SDL_DestroyTexture(d->tex);
		d->tex = SDL_CreateTexture(d->ren, SDL_PIXELFORMAT_ARGB8888,
					   SDL_TEXTUREACCESS_STREAMING, (int)w, (int)h);
		if (!d->tex) {
			log_once("sdl: cannot create a %ux%u texture: %s", w, h, SDL_GetError());
			return;
		}
		/* the frame is XRGB: its top byte is not alpha */
		SDL_SetTextureBlendMode(d->tex, SDL_BLENDMODE_NONE);
		d->tex_w = w;
		d->tex_h = h;
		changed = true;
	}
	if (changed) {
		/* a new mode: the window takes its size, as QEMU's does; the
		 * user may resize it after, the picture scales with its aspect */
		SDL_RenderSetLogicalSize(d->ren, (int)w, (int)h);
		if (!d->fullscreen)
			SDL_SetWindowSize(d->win, (int)w, (int)h);
	}
	SDL_UpdateTexture(d->tex, NULL, d->frame.pixels, (int)(d->frame.stride * 4));
	SDL_SetRenderDrawColor(d->ren, 0, 0, 0, 255);
	SDL_RenderClear(d->ren);
	SDL_RenderCopy(d->ren, d->tex, NULL, NULL);
	SDL_RenderPresent(d->ren);
}

/* ---- the loop's side ---- */

int64_t sdl_display_poll(struct sdl_display *d)
{
	SDL_Event ev;
	while (SDL_PollEvent(&ev)) {
		switch (ev.type) {
		case SDL_QUIT:
			if (d->host.quit)
				d->host.quit(d->host.opaque);
			break;
		case SDL_WINDOWEVENT:
			switch (ev.window.event) {
			case SDL_WINDOWEVENT_CLOSE:
				if (d->host.quit)
					d->host.quit(d->host.opaque);
				break;
			case SDL_WINDOWEVENT_FOCUS_LOST:
				keys_release_all(d);
				set_grab(d, false);
				break;
			case SDL_WINDOWEVENT_EXPOSED:
			case SDL_WINDOWEVENT_SIZE_CHANGED:
				d->next_frame = 0;
				break;
			}
			break;
		case SDL_KEYDOWN:
		case SDL_KEYUP:
			on_key(d, &ev.key);
			break;
		case SDL_MOUSEMOTION:
			if (d->grabbed && (ev.motion.xrel || ev.motion.yrel))
				mouse_send(d, ev.motion.xrel, ev.motion.yrel, 0);
			break;
		case SDL_MOUSEBUTTONDOWN:
		case SDL_MOUSEBUTTONUP:
			on_button(d, &ev.button);
			break;
		case SDL_MOUSEWHEEL:
			on_wheel(d, &ev.wheel);
			break;
		}
	}
	int64_t now = now_ns();
	if (now >= d->next_frame) {
		draw(d);
		/* on a fixed grid, so a slow loop does not drift the rate */
		d->next_frame = d->next_frame && now - d->next_frame < REFRESH_NS ?
				d->next_frame + REFRESH_NS : now + REFRESH_NS;
	}
	int64_t left = d->next_frame - now_ns();
	return left > 0 ? left : 0;
}

void sdl_display_invalidate(struct sdl_display *d)
{
	d->next_frame = 0;
}

struct sdl_display *sdl_display_open(const char *tier, const struct sdl_host *host)
{
	/* SDL falls back to drawing off screen when there is no display;
	 * -display sdl asks for a window someone sees, so that is an error
	 * unless SDL_VIDEODRIVER chose it */
	bool driver_chosen = getenv("SDL_VIDEODRIVER") != NULL;
	if (!driver_chosen && !getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY")) {
		log_error("-display sdl: no display to open a window on (DISPLAY is not set)");
		return NULL;
	}
	/* X11 only, when there is no Wayland: a failed Wayland probe prints
	 * its own noise */
	if (!driver_chosen && !getenv("WAYLAND_DISPLAY"))
		SDL_SetHint(SDL_HINT_VIDEODRIVER, "x11");
	/* our own signal handling stays: SDL would turn SIGINT into SDL_QUIT */
	SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
	if (SDL_Init(SDL_INIT_VIDEO) < 0) {
		log_error("-display sdl: cannot open a window: %s", SDL_GetError());
		return NULL;
	}
	const char *drv = SDL_GetCurrentVideoDriver();
	if (!driver_chosen && drv && (!strcmp(drv, "offscreen") || !strcmp(drv, "dummy"))) {
		log_error("-display sdl: cannot open a window: no X11 or Wayland display reachable");
		SDL_Quit();
		return NULL;
	}
	struct sdl_display *d = calloc(1, sizeof(*d));
	if (!d) {
		log_error("-display sdl: out of memory");
		SDL_Quit();
		return NULL;
	}
	d->host = *host;
	snprintf(d->tier, sizeof(d->tier), "%s", tier ? tier : "");
	d->win = SDL_CreateWindow("trivisor", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
				  DEFAULT_W, DEFAULT_H, SDL_WINDOW_RESIZABLE);
	if (d->win)
		d->ren = SDL_CreateRenderer(d->win, -1, 0);
	if (d->win && !d->ren)	/* no accelerated renderer: SDL's own */
		d->ren = SDL_CreateRenderer(d->win, -1, SDL_RENDERER_SOFTWARE);
	if (!d->win || !d->ren) {
		log_error("-display sdl: cannot open a window: %s", SDL_GetError());
		sdl_display_close(d);
		return NULL;
	}
	set_title(d);
	return d;
}

void sdl_display_close(struct sdl_display *d)
{
	if (!d)
		return;
	if (d->win)
		set_grab(d, false);
	if (d->tex)
		SDL_DestroyTexture(d->tex);
	if (d->ren)
		SDL_DestroyRenderer(d->ren);
	if (d->win)
		SDL_DestroyWindow(d->win);
	vga_frame_free(&d->frame);
	free(d);
	SDL_Quit();
}
