/* Unit tests for the key tables: set-2 sequences, QEMU's key names, SDL
 * scancodes, and what the guest reads through the 8042's translation. */
// SPDX-License-Identifier: MIT
#include "ui/keymap.h"

#include <string.h>
#include <SDL_scancode.h>
#include "hw/i8042.h"
#include "testsuite/unit/check.h"

/* the bytes of one press or release, compared with want */
static int seq_is(uint16_t key, bool down, const uint8_t *want, size_t n)
{
	uint8_t out[KEYMAP_MAX_BYTES];
	memset(out, 0xcc, sizeof(out));
	size_t got = keymap_bytes(key, down, out);
	return got == n && !memcmp(out, want, n);
}

#define SEQ(key, down, ...) do {                                               \
		static const uint8_t want_[] = { __VA_ARGS__ };                \
		CHECK(seq_is((key), (down), want_, sizeof(want_)));            \
	} while (0)

static void test_normal_keys(void)
{
	SEQ(keymap_from_name("a"), true, 0x1c);
	SEQ(keymap_from_name("a"), false, 0xf0, 0x1c);
	SEQ(keymap_from_name("ret"), true, 0x5a);
	SEQ(keymap_from_name("esc"), false, 0xf0, 0x76);
	SEQ(keymap_from_name("f7"), true, 0x83);	/* the one code above 0x7f */
	SEQ(keymap_from_name("shift"), true, 0x12);
	SEQ(keymap_from_name("shift_r"), true, 0x59);
	SEQ(keymap_from_name("ctrl"), true, 0x14);
	SEQ(keymap_from_name("alt"), true, 0x11);
	SEQ(keymap_from_name("1"), true, 0x16);
	SEQ(keymap_from_name("0"), true, 0x45);
	SEQ(keymap_from_name("kp_7"), true, 0x6c);
}

static void test_extended_keys(void)
{
	SEQ(keymap_from_name("ctrl_r"), true, 0xe0, 0x14);
	SEQ(keymap_from_name("ctrl_r"), false, 0xe0, 0xf0, 0x14);
	SEQ(keymap_from_name("alt_r"), true, 0xe0, 0x11);
	SEQ(keymap_from_name("delete"), true, 0xe0, 0x71);
	SEQ(keymap_from_name("up"), false, 0xe0, 0xf0, 0x75);
	SEQ(keymap_from_name("kp_enter"), true, 0xe0, 0x5a);
	SEQ(keymap_from_name("kp_divide"), true, 0xe0, 0x4a);
	SEQ(keymap_from_name("meta_l"), true, 0xe0, 0x1f);
	/* the same physical key on the keypad has no prefix */
	SEQ(keymap_from_name("kp_decimal"), true, 0x71);
}

static void test_special_keys(void)
{
	SEQ(keymap_from_name("pause"), true, 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77);
	uint8_t out[KEYMAP_MAX_BYTES];
	CHECK_EQ(keymap_bytes(keymap_from_name("pause"), false, out), 0);
	SEQ(keymap_from_name("print"), true, 0xe0, 0x12, 0xe0, 0x7c);
	SEQ(keymap_from_name("print"), false, 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12);
	SEQ(keymap_from_name("sysrq"), true, 0x84);
	/* no key, no bytes */
	CHECK_EQ(keymap_from_name("nosuchkey"), 0);
	CHECK_EQ(keymap_from_name(""), 0);
	CHECK_EQ(keymap_bytes(0, true, out), 0);
	CHECK_EQ(keymap_bytes(0x0f00, true, out), 0);
}

/* QEMU's QKeyCode names for the keys of a PC keyboard (qapi/ui.json) */
static const char *const qemu_names[] = {
	"shift", "shift_r", "alt", "alt_r", "ctrl", "ctrl_r", "esc",
	"1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "minus", "equal",
	"backspace", "tab", "q", "w", "e", "r", "t", "y", "u", "i", "o", "p",
	"bracket_left", "bracket_right", "ret", "a", "s", "d", "f", "g", "h",
	"j", "k", "l", "semicolon", "apostrophe", "grave_accent", "backslash",
	"z", "x", "c", "v", "b", "n", "m", "comma", "dot", "slash", "asterisk",
	"spc", "caps_lock", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9",
	"f10", "num_lock", "scroll_lock", "kp_divide", "kp_multiply",
	"kp_subtract", "kp_add", "kp_enter", "kp_decimal", "sysrq", "kp_0",
	"kp_1", "kp_2", "kp_3", "kp_4", "kp_5", "kp_6", "kp_7", "kp_8", "kp_9",
	"less", "f11", "f12", "print", "home", "pgup", "pgdn", "end", "left",
	"up", "down", "right", "insert", "delete", "meta_l", "meta_r",
	"compose", "pause", "ro", "katakanahiragana", "henkan", "yen",
	"muhenkan", "power", "sleep", "wake", "audionext", "audioprev",
	"audiostop", "audioplay", "audiomute", "volumeup", "volumedown",
	"mediaselect", "mail", "calculator", "computer", "ac_home", "ac_back",
	"ac_forward", "ac_refresh", "ac_bookmarks",
};

static void test_every_name_maps(void)
{
	size_t n = sizeof(qemu_names) / sizeof(qemu_names[0]);
	for (size_t i = 0; i < n; i++) {
		uint16_t k = keymap_from_name(qemu_names[i]);
		uint8_t out[KEYMAP_MAX_BYTES];
		if (!k || !keymap_bytes(k, true, out))
			printf("  no key for '%s'\n", qemu_names[i]);
		CHECK(k != 0);
		/* two names share a key only where QEMU has two names for one
		 * key (the keypad's '*') */
		for (size_t j = 0; j < i; j++) {
			bool alias = !strcmp(qemu_names[j], "asterisk") &&
				     !strcmp(qemu_names[i], "kp_multiply");
			if (keymap_from_name(qemu_names[j]) == k && !alias) {
				printf("  '%s' and '%s' share a key\n", qemu_names[j], qemu_names[i]);
				CHECK(0);
			}
		}
	}
}

static void test_sdl_scancodes(void)
{
	CHECK_EQ(keymap_from_sdl(SDL_SCANCODE_A), keymap_from_name("a"));
	CHECK_EQ(keymap_from_sdl(SDL_SCANCODE_RETURN), keymap_from_name("ret"));
	CHECK_EQ(keymap_from_sdl(SDL_SCANCODE_RCTRL), keymap_from_name("ctrl_r"));
	CHECK_EQ(keymap_from_sdl(SDL_SCANCODE_KP_ENTER), keymap_from_name("kp_enter"));
	CHECK_EQ(keymap_from_sdl(SDL_SCANCODE_PAUSE), KEYMAP_PAUSE);
	CHECK_EQ(keymap_from_sdl(SDL_SCANCODE_PRINTSCREEN), KEYMAP_PRINT);
	CHECK_EQ(keymap_from_sdl(SDL_SCANCODE_NONUSBACKSLASH), keymap_from_name("less"));
	CHECK_EQ(keymap_from_sdl(SDL_SCANCODE_NONUSHASH), keymap_from_name("backslash"));
	CHECK_EQ(keymap_from_sdl(SDL_SCANCODE_AUDIOMUTE), keymap_from_name("audiomute"));
	CHECK_EQ(keymap_from_sdl(SDL_SCANCODE_UNKNOWN), 0);
	CHECK_EQ(keymap_from_sdl(SDL_SCANCODE_F24), 0);
	CHECK_EQ(keymap_from_sdl(-1), 0);
	CHECK_EQ(keymap_from_sdl(100000), 0);
	/* every key of a US keyboard's main block and keypad has a code */
	for (int sc = SDL_SCANCODE_A; sc <= SDL_SCANCODE_KP_PERIOD; sc++)
		CHECK(keymap_from_sdl(sc) != 0);
	for (int sc = SDL_SCANCODE_LCTRL; sc <= SDL_SCANCODE_RGUI; sc++)
		CHECK(keymap_from_sdl(sc) != 0);
}

/* ---- through the 8042, translating to set 1 as a PC BIOS sets it up ---- */

struct kbc {
	struct bus io;
	struct i8042 *k;
};

static void kbc_init(struct kbc *c)
{
	memset(c, 0, sizeof(*c));
	bus_init(&c->io, "io");
	c->k = i8042_new(&c->io, NULL, NULL);
	bus_write(&c->io, 0x64, 0x60, 1);
	bus_write(&c->io, 0x60, 0x47, 1);	/* translate, system, interrupts on */
}

static void kbc_fini(struct kbc *c)
{
	i8042_free(c->k);
	bus_destroy(&c->io);
}

/* press or release a key, then read what the guest sees */
static size_t kbc_type(struct kbc *c, const char *name, bool down, uint8_t *got, size_t max)
{
	uint8_t b[KEYMAP_MAX_BYTES];
	size_t n = keymap_bytes(keymap_from_name(name), down, b);
	for (size_t i = 0; i < n; i++)
		i8042_key(c->k, b[i]);
	size_t m = 0;
	while ((bus_read(&c->io, 0x64, 1) & 1) && m < max)
		got[m++] = (uint8_t)bus_read(&c->io, 0x60, 1);
	return m;
}

#define SET1(c, name, down, ...) do {                                          \
		static const uint8_t want_[] = { __VA_ARGS__ };                \
		uint8_t got_[16];                                              \
		size_t n_ = kbc_type((c), (name), (down), got_, sizeof(got_)); \
		CHECK_EQ(n_, sizeof(want_));                                   \
		CHECK(n_ == sizeof(want_) && !memcmp(got_, want_, n_));        \
	} while (0)

static void test_set1_through_8042(void)
{
	struct kbc c;
	kbc_init(&c);
	SET1(&c, "a", true, 0x1e);
	SET1(&c, "a", false, 0x9e);
	SET1(&c, "esc", true, 0x01);
	SET1(&c, "ret", false, 0x9c);
	SET1(&c, "f7", true, 0x41);
	SET1(&c, "shift_r", true, 0x36);
	SET1(&c, "ctrl_r", true, 0xe0, 0x1d);
	SET1(&c, "ctrl_r", false, 0xe0, 0x9d);
	SET1(&c, "up", true, 0xe0, 0x48);
	SET1(&c, "delete", false, 0xe0, 0xd3);
	SET1(&c, "kp_enter", true, 0xe0, 0x1c);
	SET1(&c, "pause", true, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5);
	SET1(&c, "print", true, 0xe0, 0x2a, 0xe0, 0x37);
	SET1(&c, "print", false, 0xe0, 0xb7, 0xe0, 0xaa);
	SET1(&c, "sysrq", true, 0x54);
	kbc_fini(&c);
}

int main(void)
{
	CHECK_SUITE("keymap");
	RUN(test_normal_keys);
	RUN(test_extended_keys);
	RUN(test_special_keys);
	RUN(test_every_name_maps);
	RUN(test_sdl_scancodes);
	RUN(test_set1_through_8042);
	return CHECK_EXIT();
}
