/* Key tables: SDL scancodes and QEMU's sendkey names to PS/2 scan code set 2. */
// SPDX-License-Identifier: MIT
#include "ui/keymap.h"

#include <string.h>
#include <SDL_scancode.h>	/* SDL_SCANCODE_*: header only, nothing linked */

#define E0(code) (KEYMAP_E0 | (code))

struct key_row {
	const char *name;	/* QEMU's QKeyCode name, or NULL */
	int sdl;		/* SDL_Scancode, or 0 */
	uint16_t key;
};

/* One row per key of a 105-key PC keyboard plus the Japanese, Windows,
 * power and multimedia keys that have set-2 codes. Where QEMU has two
 * names for one key (asterisk, kp_multiply) both rows are here; where SDL
 * has two codes for one key (the ISO '#' key is the US backslash) too. */
static const struct key_row keys[] = {
	{ "esc", SDL_SCANCODE_ESCAPE, 0x76 },
	{ "f1", SDL_SCANCODE_F1, 0x05 },
	{ "f2", SDL_SCANCODE_F2, 0x06 },
	{ "f3", SDL_SCANCODE_F3, 0x04 },
	{ "f4", SDL_SCANCODE_F4, 0x0c },
	{ "f5", SDL_SCANCODE_F5, 0x03 },
	{ "f6", SDL_SCANCODE_F6, 0x0b },
	{ "f7", SDL_SCANCODE_F7, 0x83 },
	{ "f8", SDL_SCANCODE_F8, 0x0a },
	{ "f9", SDL_SCANCODE_F9, 0x01 },
	{ "f10", SDL_SCANCODE_F10, 0x09 },
	{ "f11", SDL_SCANCODE_F11, 0x78 },
	{ "f12", SDL_SCANCODE_F12, 0x07 },
	{ "print", SDL_SCANCODE_PRINTSCREEN, KEYMAP_PRINT },
	{ "sysrq", SDL_SCANCODE_SYSREQ, 0x84 },	/* what Alt+PrintScreen sends */
	{ "scroll_lock", SDL_SCANCODE_SCROLLLOCK, 0x7e },
	{ "pause", SDL_SCANCODE_PAUSE, KEYMAP_PAUSE },

	{ "grave_accent", SDL_SCANCODE_GRAVE, 0x0e },
	{ "1", SDL_SCANCODE_1, 0x16 },
	{ "2", SDL_SCANCODE_2, 0x1e },
	{ "3", SDL_SCANCODE_3, 0x26 },
	{ "4", SDL_SCANCODE_4, 0x25 },
	{ "5", SDL_SCANCODE_5, 0x2e },
	{ "6", SDL_SCANCODE_6, 0x36 },
	{ "7", SDL_SCANCODE_7, 0x3d },
	{ "8", SDL_SCANCODE_8, 0x3e },
	{ "9", SDL_SCANCODE_9, 0x46 },
	{ "0", SDL_SCANCODE_0, 0x45 },
	{ "minus", SDL_SCANCODE_MINUS, 0x4e },
	{ "equal", SDL_SCANCODE_EQUALS, 0x55 },
	{ "backspace", SDL_SCANCODE_BACKSPACE, 0x66 },

	{ "tab", SDL_SCANCODE_TAB, 0x0d },
	{ "q", SDL_SCANCODE_Q, 0x15 },
	{ "w", SDL_SCANCODE_W, 0x1d },
	{ "e", SDL_SCANCODE_E, 0x24 },
	{ "r", SDL_SCANCODE_R, 0x2d },
	{ "t", SDL_SCANCODE_T, 0x2c },
	{ "y", SDL_SCANCODE_Y, 0x35 },
	{ "u", SDL_SCANCODE_U, 0x3c },
	{ "i", SDL_SCANCODE_I, 0x43 },
	{ "o", SDL_SCANCODE_O, 0x44 },
	{ "p", SDL_SCANCODE_P, 0x4d },
	{ "bracket_left", SDL_SCANCODE_LEFTBRACKET, 0x54 },
	{ "bracket_right", SDL_SCANCODE_RIGHTBRACKET, 0x5b },
	{ "backslash", SDL_SCANCODE_BACKSLASH, 0x5d },
	{ NULL, SDL_SCANCODE_NONUSHASH, 0x5d },

	{ "caps_lock", SDL_SCANCODE_CAPSLOCK, 0x58 },
	{ "a", SDL_SCANCODE_A, 0x1c },
	{ "s", SDL_SCANCODE_S, 0x1b },
	{ "d", SDL_SCANCODE_D, 0x23 },
	{ "f", SDL_SCANCODE_F, 0x2b },
	{ "g", SDL_SCANCODE_G, 0x34 },
	{ "h", SDL_SCANCODE_H, 0x33 },
	{ "j", SDL_SCANCODE_J, 0x3b },
	{ "k", SDL_SCANCODE_K, 0x42 },
	{ "l", SDL_SCANCODE_L, 0x4b },
	{ "semicolon", SDL_SCANCODE_SEMICOLON, 0x4c },
	{ "apostrophe", SDL_SCANCODE_APOSTROPHE, 0x52 },
	{ "ret", SDL_SCANCODE_RETURN, 0x5a },

	{ "shift", SDL_SCANCODE_LSHIFT, 0x12 },
	{ "less", SDL_SCANCODE_NONUSBACKSLASH, 0x61 },	/* the ISO key left of Z */
	{ "z", SDL_SCANCODE_Z, 0x1a },
	{ "x", SDL_SCANCODE_X, 0x22 },
	{ "c", SDL_SCANCODE_C, 0x21 },
	{ "v", SDL_SCANCODE_V, 0x2a },
	{ "b", SDL_SCANCODE_B, 0x32 },
	{ "n", SDL_SCANCODE_N, 0x31 },
	{ "m", SDL_SCANCODE_M, 0x3a },
	{ "comma", SDL_SCANCODE_COMMA, 0x41 },
	{ "dot", SDL_SCANCODE_PERIOD, 0x49 },
	{ "slash", SDL_SCANCODE_SLASH, 0x4a },
	{ "shift_r", SDL_SCANCODE_RSHIFT, 0x59 },

	{ "ctrl", SDL_SCANCODE_LCTRL, 0x14 },
	{ "meta_l", SDL_SCANCODE_LGUI, E0(0x1f) },
	{ "alt", SDL_SCANCODE_LALT, 0x11 },
	{ "spc", SDL_SCANCODE_SPACE, 0x29 },
	{ "alt_r", SDL_SCANCODE_RALT, E0(0x11) },
	{ "meta_r", SDL_SCANCODE_RGUI, E0(0x27) },
	{ "compose", SDL_SCANCODE_APPLICATION, E0(0x2f) },	/* the menu key */
	{ "ctrl_r", SDL_SCANCODE_RCTRL, E0(0x14) },

	{ "insert", SDL_SCANCODE_INSERT, E0(0x70) },
	{ "home", SDL_SCANCODE_HOME, E0(0x6c) },
	{ "pgup", SDL_SCANCODE_PAGEUP, E0(0x7d) },
	{ "delete", SDL_SCANCODE_DELETE, E0(0x71) },
	{ "end", SDL_SCANCODE_END, E0(0x69) },
	{ "pgdn", SDL_SCANCODE_PAGEDOWN, E0(0x7a) },
	{ "up", SDL_SCANCODE_UP, E0(0x75) },
	{ "left", SDL_SCANCODE_LEFT, E0(0x6b) },
	{ "down", SDL_SCANCODE_DOWN, E0(0x72) },
	{ "right", SDL_SCANCODE_RIGHT, E0(0x74) },

	{ "num_lock", SDL_SCANCODE_NUMLOCKCLEAR, 0x77 },
	{ "kp_divide", SDL_SCANCODE_KP_DIVIDE, E0(0x4a) },
	{ "kp_multiply", SDL_SCANCODE_KP_MULTIPLY, 0x7c },
	{ "asterisk", 0, 0x7c },
	{ "kp_subtract", SDL_SCANCODE_KP_MINUS, 0x7b },
	{ "kp_add", SDL_SCANCODE_KP_PLUS, 0x79 },
	{ "kp_enter", SDL_SCANCODE_KP_ENTER, E0(0x5a) },
	{ "kp_decimal", SDL_SCANCODE_KP_PERIOD, 0x71 },
	{ "kp_0", SDL_SCANCODE_KP_0, 0x70 },
	{ "kp_1", SDL_SCANCODE_KP_1, 0x69 },
	{ "kp_2", SDL_SCANCODE_KP_2, 0x72 },
	{ "kp_3", SDL_SCANCODE_KP_3, 0x7a },
	{ "kp_4", SDL_SCANCODE_KP_4, 0x6b },
	{ "kp_5", SDL_SCANCODE_KP_5, 0x73 },
	{ "kp_6", SDL_SCANCODE_KP_6, 0x74 },
	{ "kp_7", SDL_SCANCODE_KP_7, 0x6c },
	{ "kp_8", SDL_SCANCODE_KP_8, 0x75 },
	{ "kp_9", SDL_SCANCODE_KP_9, 0x7d },

	/* Japanese keyboards */
	{ "ro", SDL_SCANCODE_INTERNATIONAL1, 0x51 },
	{ "katakanahiragana", SDL_SCANCODE_INTERNATIONAL2, 0x13 },
	{ "yen", SDL_SCANCODE_INTERNATIONAL3, 0x6a },
	{ "henkan", SDL_SCANCODE_INTERNATIONAL4, 0x64 },
	{ "muhenkan", SDL_SCANCODE_INTERNATIONAL5, 0x67 },

	/* ACPI and multimedia keys (Microsoft's set-2 assignments) */
	{ "power", SDL_SCANCODE_POWER, E0(0x37) },
	{ "sleep", SDL_SCANCODE_SLEEP, E0(0x3f) },
	{ "wake", 0, E0(0x5e) },
	{ "audionext", SDL_SCANCODE_AUDIONEXT, E0(0x4d) },
	{ "audioprev", SDL_SCANCODE_AUDIOPREV, E0(0x15) },
	{ "audiostop", SDL_SCANCODE_AUDIOSTOP, E0(0x3b) },
	{ "audioplay", SDL_SCANCODE_AUDIOPLAY, E0(0x34) },
	{ "audiomute", SDL_SCANCODE_AUDIOMUTE, E0(0x23) },
	{ NULL, SDL_SCANCODE_MUTE, E0(0x23) },
	{ "volumeup", SDL_SCANCODE_VOLUMEUP, E0(0x32) },
	{ "volumedown", SDL_SCANCODE_VOLUMEDOWN, E0(0x21) },
	{ "mediaselect", SDL_SCANCODE_MEDIASELECT, E0(0x50) },
	{ "mail", SDL_SCANCODE_MAIL, E0(0x48) },
	{ "calculator", SDL_SCANCODE_CALCULATOR, E0(0x2b) },
	{ "computer", SDL_SCANCODE_COMPUTER, E0(0x40) },
	{ "ac_home", SDL_SCANCODE_AC_HOME, E0(0x3a) },
	{ "ac_back", SDL_SCANCODE_AC_BACK, E0(0x38) },
	{ "ac_forward", SDL_SCANCODE_AC_FORWARD, E0(0x30) },
	{ "ac_refresh", SDL_SCANCODE_AC_REFRESH, E0(0x20) },
	{ "ac_bookmarks", SDL_SCANCODE_AC_BOOKMARKS, E0(0x18) },
	{ NULL, SDL_SCANCODE_AC_SEARCH, E0(0x10) },
	{ NULL, SDL_SCANCODE_AC_STOP, E0(0x28) },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

uint16_t keymap_from_name(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].name && !strcmp(keys[i].name, name))
			return keys[i].key;
	return 0;
}

uint16_t keymap_from_sdl(int scancode)
{
	if (scancode <= 0)
		return 0;
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].sdl == scancode)
			return keys[i].key;
	return 0;
}

size_t keymap_bytes(uint16_t key, bool down, uint8_t out[KEYMAP_MAX_BYTES])
{
	static const uint8_t pause[] = { 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77 };
	static const uint8_t print_make[] = { 0xe0, 0x12, 0xe0, 0x7c };
	static const uint8_t print_break[] = { 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12 };
	size_t n = 0;
	switch (key & 0xff00) {
	case KEYMAP_PAUSE:
		/* the keyboard sends make and break together on the press */
		if (!down)
			return 0;
		memcpy(out, pause, sizeof(pause));
		return sizeof(pause);
	case KEYMAP_PRINT:
		/* the plain form, as with no modifier held: a fake left shift
		 * around the key (E0 12 / E0 F0 12) */
		if (down) {
			memcpy(out, print_make, sizeof(print_make));
			return sizeof(print_make);
		}
		memcpy(out, print_break, sizeof(print_break));
		return sizeof(print_break);
	case KEYMAP_E0:
		out[n++] = 0xe0;
		break;
	case 0:
		break;
	default:
		return 0;
	}
	if (!(key & 0xff))
		return 0;
	if (!down)
		out[n++] = 0xf0;
	out[n++] = (uint8_t)key;
	return n;
}
