/* Keys as a PS/2 keyboard sends them: host key codes (SDL scancodes) and
 * QEMU's sendkey key names mapped to scan code set 2, and the byte
 * sequences a press and a release produce. The keyboard behind the i8042
 * takes these bytes through i8042_key() and translates them to set 1 when
 * the guest's command byte asks for it. */
#ifndef UI_KEYMAP_H
#define UI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A key: its set-2 make code (0x01-0xff), KEYMAP_E0 | code for the keys
 * sent with the 0xe0 prefix, or one of the two keys with sequences of their
 * own. 0 is no key. */
#define KEYMAP_E0 0x100
#define KEYMAP_PAUSE 0x200	/* E1 14 77 E1 F0 14 F0 77 on press, nothing on release */
#define KEYMAP_PRINT 0x300	/* PrintScreen: E0 12 E0 7C / E0 F0 7C E0 F0 12 */

/* the longest sequence keymap_bytes() writes */
#define KEYMAP_MAX_BYTES 8

/* the key QEMU's sendkey calls name ("a", "ret", "ctrl_r", "kp_add"...), or 0 */
uint16_t keymap_from_name(const char *name);
/* the key for an SDL_Scancode, or 0 for keys a PC keyboard lacks */
uint16_t keymap_from_sdl(int scancode);
/* the set-2 bytes for pressing (down) or releasing a key into out; returns
 * how many (0 for an unknown key and for Pause's release) */
size_t keymap_bytes(uint16_t key, bool down, uint8_t out[KEYMAP_MAX_BYTES]);

#endif
