/* The i8042 keyboard controller with a PS/2 keyboard and a PS/2 mouse behind it. */
// SPDX-License-Identifier: MIT
#include "hw/i8042.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "hw/log.h"

#define PORT_DATA 0x60
#define PORT_CMD 0x64	/* status on read; 0x61-0x63 are not ours */

enum kbc_status {
	STS_OBF = 1 << 0,
	STS_IBF = 1 << 1,
	STS_SYS = 1 << 2,
	STS_CMD = 1 << 3,	/* last write was to port 0x64 */
	STS_UNLOCKED = 1 << 4,	/* keylock switch open: keyboard not inhibited */
	STS_AUX_OBF = 1 << 5,
};

enum kbc_ctr {	/* the command byte */
	CTR_KBD_INT = 1 << 0,
	CTR_AUX_INT = 1 << 1,
	CTR_SYS = 1 << 2,
	CTR_KBD_DISABLE = 1 << 4,
	CTR_AUX_DISABLE = 1 << 5,
	CTR_XLATE = 1 << 6,
};

enum kbc_outport {
	OUT_RESET = 1 << 0,	/* 0 holds the CPU in reset */
	OUT_A20 = 1 << 1,
	OUT_KBD_OBF = 1 << 4,
	OUT_AUX_OBF = 1 << 5,
};

enum ps2_reply {
	PS2_ACK = 0xfa,
	PS2_RESEND = 0xfe,
	PS2_BAT_OK = 0xaa,
	PS2_ECHO = 0xee,
};

/* what the power-on BIOS leaves is its business; this is QEMU's and
 * Bochs's choice: both interrupts on, no translation */
#define CTR_RESET (CTR_KBD_INT | CTR_AUX_INT)
#define OUTPORT_RESET (OUT_RESET | OUT_A20)
/* input port: bit 7 = keyboard not inhibited (keylock open) */
#define INPORT_VALUE 0x80

#define QUEUE_SIZE 64
#define QUEUE_AUX 0x100		/* in the controller's queue: byte goes out as aux data */

struct ps2_queue {
	uint16_t data[QUEUE_SIZE];
	uint16_t head, count;
};

struct i8042 {
	struct i8042_host host;
	struct irq_line kbd_irq, aux_irq;

	/* controller */
	uint8_t ctr;		/* command byte, RAM location 0 */
	uint8_t ram[32];	/* the rest of the internal RAM (0x21-0x3f / 0x61-0x7f) */
	uint8_t outport;
	uint8_t pending;	/* command waiting for its data byte on port 0x60, or 0 */
	bool last_cmd;		/* STS_CMD */
	uint8_t obuf;
	bool obf, obuf_aux;
	bool xlate_break;	/* translation saw 0xf0: the next byte gets bit 7 */
	struct ps2_queue ctrlq;	/* the controller's own replies */

	/* keyboard */
	struct ps2_queue kbdq;
	uint8_t kbd_arg_for;	/* command waiting for its argument, or 0 */
	bool kbd_scanning;
	uint8_t kbd_set;	/* 1, 2 or 3 */
	uint8_t kbd_leds;
	uint8_t kbd_typematic;
	uint8_t kbd_last;	/* for 0xfe resend */
	bool kbd_set1_break;	/* scan set 1 produced by the keyboard itself */

	/* mouse */
	struct ps2_queue auxq;
	uint8_t aux_arg_for;
	bool aux_enabled;	/* data reporting in stream mode */
	bool aux_remote;
	bool aux_wrap;
	bool aux_scale21;
	uint8_t aux_rate;
	uint8_t aux_res;
	uint8_t aux_last;
	uint8_t aux_id;		/* 0 standard, 3 IntelliMouse (wheel), 4 Explorer (5 buttons) */
	uint8_t aux_rates[3];	/* the last three sample rates set, newest last */
	uint8_t aux_buttons;	/* I8042_BTN_* held now */
	bool aux_dirty;		/* buttons changed since the last packet */
	int32_t aux_dx, aux_dy, aux_dz;	/* motion not yet reported (PS/2 axes) */
};

/* The 8042's set 2 -> set 1 table. 0x85-0xff map to themselves. */
static const uint8_t xlate_table[0x85] = {
	0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, /* 00 */
	0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
	0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, /* 10 */
	0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
	0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, /* 20 */
	0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
	0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, /* 30 */
	0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
	0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, /* 40 */
	0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
	0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, /* 50 */
	0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
	0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, /* 60 */
	0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
	0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, /* 70 */
	0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
	0x80, 0x81, 0x82, 0x41, 0x54,			/* 80: F7, SysRq */
};

static uint8_t xlate_byte(uint8_t b)
{
	return b < sizeof(xlate_table) ? xlate_table[b] : b;
}

/* ---- queues ---- */

static void queue_clear(struct ps2_queue *q)
{
	q->head = q->count = 0;
}

static void queue_push(struct ps2_queue *q, uint16_t v)
{
	if (q->count == QUEUE_SIZE) {
		log_once("i8042: queue overrun, byte dropped");
		return;
	}
	q->data[(q->head + q->count) % QUEUE_SIZE] = v;
	q->count++;
}

static uint16_t queue_pop(struct ps2_queue *q)
{
	uint16_t v = q->data[q->head];
	q->head = (q->head + 1) % QUEUE_SIZE;
	q->count--;
	return v;
}

/* ---- output buffer and IRQs ---- */

static void kbc_update_irq(struct i8042 *k)
{
	irq_set(&k->kbd_irq, k->obf && !k->obuf_aux && (k->ctr & CTR_KBD_INT));
	irq_set(&k->aux_irq, k->obf && k->obuf_aux && (k->ctr & CTR_AUX_INT));
}

static void kbc_set_obuf(struct i8042 *k, uint8_t v, bool aux)
{
	k->obuf = v;
	k->obf = true;
	k->obuf_aux = aux;
}

/* Moves the next byte into an empty output buffer: the controller's own
 * replies first, then the keyboard (translated if the command byte says so),
 * then the mouse. A disabled interface keeps its bytes in its queue, as a
 * device holds its data while the controller inhibits its clock. */
static void kbc_fill(struct i8042 *k)
{
	while (!k->obf) {
		if (k->ctrlq.count) {
			uint16_t v = queue_pop(&k->ctrlq);
			kbc_set_obuf(k, (uint8_t)v, v & QUEUE_AUX);
		} else if (k->kbdq.count && !(k->ctr & CTR_KBD_DISABLE)) {
			uint8_t b = (uint8_t)queue_pop(&k->kbdq);
			if (k->ctr & CTR_XLATE) {
				/* set 2 breaks are 0xf0 + make; set 1 breaks are make | 0x80 */
				if (b == 0xf0) {
					k->xlate_break = true;
					continue;
				}
				b = xlate_byte(b) | (k->xlate_break ? 0x80 : 0);
				k->xlate_break = false;
			}
			kbc_set_obuf(k, b, false);
		} else if (k->auxq.count && !(k->ctr & CTR_AUX_DISABLE)) {
			kbc_set_obuf(k, (uint8_t)queue_pop(&k->auxq), true);
		} else {
			break;
		}
	}
	kbc_update_irq(k);
}

static void kbc_reply(struct i8042 *k, uint8_t v)
{
	queue_push(&k->ctrlq, v);
	kbc_fill(k);
}

static void kbc_reply_aux(struct i8042 *k, uint8_t v)
{
	queue_push(&k->ctrlq, QUEUE_AUX | v);
	kbc_fill(k);
}

/* ---- keyboard ---- */

static void kbd_send(struct i8042 *k, uint8_t v)
{
	k->kbd_last = v;
	queue_push(&k->kbdq, v);
}

static void kbd_defaults(struct i8042 *k)
{
	k->kbd_set = 2;
	k->kbd_typematic = 0x2b;	/* 10.9 cps, 500 ms */
	k->kbd_set1_break = false;
}

static void kbd_reset_state(struct i8042 *k)
{
	queue_clear(&k->kbdq);
	kbd_defaults(k);
	k->kbd_arg_for = 0;
	k->kbd_scanning = true;
	k->kbd_leds = 0;
	k->kbd_last = 0;
}

static void kbd_arg(struct i8042 *k, uint8_t cmd, uint8_t v)
{
	switch (cmd) {
	case 0xed:
		k->kbd_leds = v & 7;
		kbd_send(k, PS2_ACK);
		break;
	case 0xf3:
		k->kbd_typematic = v & 0x7f;
		kbd_send(k, PS2_ACK);
		break;
	case 0xf0:
		if (v == 0) {
			kbd_send(k, PS2_ACK);
			kbd_send(k, k->kbd_set);
		} else if (v <= 3) {
			if (v == 3)
				log_once("i8042: scan set 3 not modelled; keys stay in set 2");
			k->kbd_set = v;
			k->kbd_set1_break = false;
			kbd_send(k, PS2_ACK);
		} else {
			kbd_send(k, PS2_RESEND);
		}
		break;
	}
}

static void kbd_command(struct i8042 *k, uint8_t v)
{
	if (k->kbd_arg_for) {
		uint8_t cmd = k->kbd_arg_for;
		k->kbd_arg_for = 0;
		/* a command byte where an argument was due abandons the old command */
		if (v < 0xed) {
			kbd_arg(k, cmd, v);
			return;
		}
	}
	switch (v) {
	case 0xed:	/* set LEDs */
	case 0xf0:	/* get/set scan set */
	case 0xf3:	/* typematic rate */
		k->kbd_arg_for = v;
		kbd_send(k, PS2_ACK);
		break;
	case 0xee:
		kbd_send(k, PS2_ECHO);
		break;
	case 0xf2:	/* identify: an MF2 keyboard */
		kbd_send(k, PS2_ACK);
		kbd_send(k, 0xab);
		kbd_send(k, 0x83);
		break;
	case 0xf4:	/* enable: clears the keyboard's buffer */
		queue_clear(&k->kbdq);
		k->kbd_scanning = true;
		kbd_send(k, PS2_ACK);
		break;
	case 0xf5:	/* default and disable */
		queue_clear(&k->kbdq);
		kbd_defaults(k);
		k->kbd_scanning = false;
		kbd_send(k, PS2_ACK);
		break;
	case 0xf6:	/* set default */
		queue_clear(&k->kbdq);
		kbd_defaults(k);
		k->kbd_scanning = true;
		kbd_send(k, PS2_ACK);
		break;
	case 0xf7: case 0xf8: case 0xf9: case 0xfa:
	case 0xfb: case 0xfc: case 0xfd:
		/* scan set 3 key attributes: acknowledged and ignored */
		log_once("i8042: keyboard command 0x%02x (set 3 key types) ignored", v);
		kbd_send(k, PS2_ACK);
		break;
	case 0xfe:
		kbd_send(k, k->kbd_last);
		break;
	case 0xff:
		kbd_reset_state(k);
		kbd_send(k, PS2_ACK);
		kbd_send(k, PS2_BAT_OK);
		break;
	default:
		log_once("i8042: unknown keyboard command 0x%02x", v);
		kbd_send(k, PS2_RESEND);
		break;
	}
}

void i8042_key(struct i8042 *k, uint8_t scancode)
{
	if (!k->kbd_scanning)
		return;
	if (k->kbd_set == 1) {
		/* the keyboard itself speaks set 1 */
		if (scancode == 0xf0) {
			k->kbd_set1_break = true;
			return;
		}
		scancode = xlate_byte(scancode) | (k->kbd_set1_break ? 0x80 : 0);
		k->kbd_set1_break = false;
	}
	queue_push(&k->kbdq, scancode);
	kbc_fill(k);
}

/* ---- mouse ---- */

static void aux_send(struct i8042 *k, uint8_t v)
{
	k->aux_last = v;
	queue_push(&k->auxq, v);
}

static bool queue_room(const struct ps2_queue *q, unsigned n)
{
	return (unsigned)(QUEUE_SIZE - q->count) >= n;
}

static int32_t clamp32(int32_t v, int32_t lo, int32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* One movement packet from the pending motion and buttons: 3 bytes, or 4
 * with a wheel (ID 3: the wheel as a signed byte; ID 4: a 4-bit wheel and
 * buttons 4 and 5). Motion beyond a packet's range stays pending for the
 * next one. */
static void aux_put_packet(struct i8042 *k)
{
	int32_t dx = clamp32(k->aux_dx, -256, 255);
	int32_t dy = clamp32(k->aux_dy, -256, 255);
	int32_t dz = 0;
	if (k->aux_id == 3)
		dz = clamp32(k->aux_dz, -127, 127);
	else if (k->aux_id == 4)
		dz = clamp32(k->aux_dz, -8, 7);
	k->aux_dx -= dx;
	k->aux_dy -= dy;
	k->aux_dz = k->aux_id ? k->aux_dz - dz : 0;
	k->aux_dirty = false;
	aux_send(k, 0x08 | (k->aux_buttons & 7) | (dx < 0 ? 0x10 : 0) | (dy < 0 ? 0x20 : 0));
	aux_send(k, (uint8_t)dx);
	aux_send(k, (uint8_t)dy);
	if (k->aux_id == 3)
		aux_send(k, (uint8_t)dz);
	else if (k->aux_id == 4)
		aux_send(k, (uint8_t)((dz & 0x0f) | ((k->aux_buttons & 0x18) << 1)));
}

/* in stream mode with reporting on: pending motion out as packets, while the
 * mouse's queue has room for whole ones */
static void aux_flush(struct i8042 *k)
{
	unsigned size = k->aux_id ? 4 : 3;
	if (!k->aux_enabled || k->aux_remote || k->aux_wrap)
		return;
	while ((k->aux_dirty || k->aux_dx || k->aux_dy || k->aux_dz) &&
	       queue_room(&k->auxq, size))
		aux_put_packet(k);
}

void i8042_mouse_event(struct i8042 *k, int dx, int dy, int dz, unsigned buttons)
{
	/* the host's y grows down; PS/2's grows up. Pending motion is bounded
	 * so a guest that never reads cannot make it overflow */
	k->aux_dx = clamp32(k->aux_dx + dx, -4096, 4096);
	k->aux_dy = clamp32(k->aux_dy - dy, -4096, 4096);
	k->aux_dz = clamp32(k->aux_dz + dz, -4096, 4096);
	if ((buttons & 0x1f) != k->aux_buttons) {
		k->aux_buttons = buttons & 0x1f;
		k->aux_dirty = true;
	}
	if (!k->aux_enabled || k->aux_remote) {
		/* nothing is reported; a remote-mode read takes what is pending */
		if (!k->aux_remote)
			k->aux_dx = k->aux_dy = k->aux_dz = 0;
		return;
	}
	aux_flush(k);
	kbc_fill(k);
}

/* a sample rate was set: the IntelliMouse knocks (200, 100, 80 for the
 * wheel, then 200, 200, 80 for five buttons) change the ID */
static void aux_rate_set(struct i8042 *k, uint8_t rate)
{
	k->aux_rate = rate;
	k->aux_rates[0] = k->aux_rates[1];
	k->aux_rates[1] = k->aux_rates[2];
	k->aux_rates[2] = rate;
	if (k->aux_rates[0] == 200 && k->aux_rates[2] == 80) {
		if (k->aux_rates[1] == 100 && k->aux_id == 0)
			k->aux_id = 3;
		else if (k->aux_rates[1] == 200 && k->aux_id == 3)
			k->aux_id = 4;
	}
}

static void aux_defaults(struct i8042 *k)
{
	k->aux_rate = 100;
	k->aux_res = 2;		/* 4 counts/mm */
	k->aux_scale21 = false;
	k->aux_enabled = false;
}

static void aux_reset_state(struct i8042 *k)
{
	queue_clear(&k->auxq);
	aux_defaults(k);
	k->aux_arg_for = 0;
	k->aux_remote = false;
	k->aux_wrap = false;
	k->aux_last = 0;
	k->aux_id = 0;
	memset(k->aux_rates, 0, sizeof(k->aux_rates));
	k->aux_buttons = 0;
	k->aux_dirty = false;
	k->aux_dx = k->aux_dy = k->aux_dz = 0;
}

static void aux_command(struct i8042 *k, uint8_t v)
{
	if (k->aux_wrap && v != 0xec && v != 0xff) {
		aux_send(k, v);
		return;
	}
	if (k->aux_arg_for) {
		uint8_t cmd = k->aux_arg_for;
		k->aux_arg_for = 0;
		if (cmd == 0xf3)
			aux_rate_set(k, v);
		else
			k->aux_res = v & 3;
		aux_send(k, PS2_ACK);
		return;
	}
	switch (v) {
	case 0xe6:
	case 0xe7:
		k->aux_scale21 = v == 0xe7;
		aux_send(k, PS2_ACK);
		break;
	case 0xe8:	/* resolution */
	case 0xf3:	/* sample rate */
		k->aux_arg_for = v;
		aux_send(k, PS2_ACK);
		break;
	case 0xe9:	/* status request: mode bits and buttons, resolution, rate */
		aux_send(k, PS2_ACK);
		aux_send(k, (k->aux_remote ? 0x40 : 0) | (k->aux_enabled ? 0x20 : 0) |
			    (k->aux_scale21 ? 0x10 : 0));
		aux_send(k, k->aux_res);
		aux_send(k, k->aux_rate);
		break;
	case 0xea:	/* stream mode */
	case 0xf0:	/* remote mode */
		k->aux_remote = v == 0xf0;
		k->aux_dx = k->aux_dy = k->aux_dz = 0;
		aux_send(k, PS2_ACK);
		break;
	case 0xeb:	/* read data: a packet of what is pending */
		aux_send(k, PS2_ACK);
		aux_put_packet(k);
		break;
	case 0xec:
	case 0xee:
		k->aux_wrap = v == 0xee;
		aux_send(k, PS2_ACK);
		break;
	case 0xf2:	/* get ID: 0 until a knock turned on the wheel */
		aux_send(k, PS2_ACK);
		aux_send(k, k->aux_id);
		break;
	case 0xf4:	/* enable reporting: motion from before is not reported */
		k->aux_enabled = true;
		k->aux_dx = k->aux_dy = k->aux_dz = 0;
		k->aux_dirty = false;
		aux_send(k, PS2_ACK);
		break;
	case 0xf5:
		k->aux_enabled = false;
		aux_send(k, PS2_ACK);
		break;
	case 0xf6:
		aux_defaults(k);
		aux_send(k, PS2_ACK);
		break;
	case 0xfe:
		aux_send(k, k->aux_last);
		break;
	case 0xff:
		aux_reset_state(k);
		aux_send(k, PS2_ACK);
		aux_send(k, PS2_BAT_OK);
		aux_send(k, 0x00);
		break;
	default:
		log_once("i8042: unknown mouse command 0x%02x", v);
		aux_send(k, PS2_RESEND);
		break;
	}
}

/* ---- controller ---- */

static void kbc_write_outport(struct i8042 *k, uint8_t v)
{
	/* the reset line is a pulse here: after it the CPU runs again, and the
	 * board resets this device with the rest of the machine */
	k->outport = v | OUT_RESET;
	if (k->host.set_a20)
		k->host.set_a20(k->host.opaque, !!(v & OUT_A20));
	/* last, because the host may reset this device from inside */
	if (!(v & OUT_RESET) && k->host.reset)
		k->host.reset(k->host.opaque);
}

static uint8_t kbc_read_outport(struct i8042 *k)
{
	uint8_t v = k->outport & ~(OUT_KBD_OBF | OUT_AUX_OBF);
	if (k->obf)
		v |= k->obuf_aux ? OUT_AUX_OBF : OUT_KBD_OBF;
	return v;
}

/* a data byte on port 0x60 for the command in k->pending */
static void kbc_command_data(struct i8042 *k, uint8_t cmd, uint8_t v)
{
	if (cmd >= 0x60 && cmd <= 0x7f) {
		if (cmd == 0x60)
			k->ctr = v;
		else
			k->ram[cmd & 0x1f] = v;
		kbc_fill(k);	/* interfaces or interrupts may have been enabled */
		return;
	}
	switch (cmd) {
	case 0xd1:
		kbc_write_outport(k, v);
		break;
	case 0xd2:	/* as if from the keyboard: never translated */
		kbc_reply(k, v);
		break;
	case 0xd3:
		kbc_reply_aux(k, v);
		break;
	case 0xd4:
		aux_command(k, v);
		kbc_fill(k);
		break;
	}
}

static void kbc_command(struct i8042 *k, uint8_t cmd)
{
	k->pending = 0;
	if (cmd >= 0x20 && cmd <= 0x3f) {
		kbc_reply(k, cmd == 0x20 ? k->ctr : k->ram[cmd & 0x1f]);
		return;
	}
	if ((cmd >= 0x60 && cmd <= 0x7f) || (cmd >= 0xd1 && cmd <= 0xd4)) {
		k->pending = cmd;
		return;
	}
	if (cmd >= 0xf0) {
		/* pulse the output lines whose bit is 0; only line 0 (reset) is wired */
		if (!(cmd & 1) && k->host.reset)
			k->host.reset(k->host.opaque);
		return;
	}
	switch (cmd) {
	case 0xa4:	/* password installed? no */
		kbc_reply(k, 0xf1);
		break;
	case 0xa7:
		k->ctr |= CTR_AUX_DISABLE;
		kbc_update_irq(k);
		break;
	case 0xa8:
		k->ctr &= ~CTR_AUX_DISABLE;
		kbc_fill(k);
		break;
	case 0xa9:	/* aux interface test: no error */
	case 0xab:	/* keyboard interface test: no error */
		kbc_reply(k, 0x00);
		break;
	case 0xaa:	/* self test passed; a passed test sets the system flag */
		k->ctr |= CTR_SYS;
		kbc_reply(k, 0x55);
		break;
	case 0xad:
		k->ctr |= CTR_KBD_DISABLE;
		kbc_update_irq(k);
		break;
	case 0xae:
		k->ctr &= ~CTR_KBD_DISABLE;
		kbc_fill(k);
		break;
	case 0xc0:
		kbc_reply(k, INPORT_VALUE);
		break;
	case 0xd0:
		kbc_reply(k, kbc_read_outport(k));
		break;
	case 0xe0:	/* test inputs: keyboard clock and data both low */
		kbc_reply(k, 0x00);
		break;
	default:
		log_once("i8042: unknown controller command 0x%02x", cmd);
		break;
	}
}

static uint64_t kbc_status_read(void *opaque, uint64_t offset, unsigned size)
{
	struct i8042 *k = opaque;
	uint8_t st = STS_UNLOCKED;
	(void)offset;
	(void)size;
	if (k->obf)
		st |= STS_OBF | (k->obuf_aux ? STS_AUX_OBF : 0);
	if (k->ctr & CTR_SYS)
		st |= STS_SYS;
	if (k->last_cmd)
		st |= STS_CMD;
	return st;
}

static void kbc_cmd_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct i8042 *k = opaque;
	(void)offset;
	(void)size;
	k->last_cmd = true;
	kbc_command(k, (uint8_t)value);
}

static uint64_t kbc_data_read(void *opaque, uint64_t offset, unsigned size)
{
	struct i8042 *k = opaque;
	/* an empty buffer reads as the last byte, as the latch does */
	uint8_t v = k->obuf;
	(void)offset;
	(void)size;
	if (k->obf) {
		k->obf = false;
		/* lower before refilling, so a following byte is a fresh edge */
		kbc_update_irq(k);
		aux_flush(k);	/* motion held back while the queue was full */
		kbc_fill(k);
	}
	return v;
}

static void kbc_data_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct i8042 *k = opaque;
	uint8_t v = (uint8_t)value;
	(void)offset;
	(void)size;
	k->last_cmd = false;
	if (k->pending) {
		uint8_t cmd = k->pending;
		k->pending = 0;
		kbc_command_data(k, cmd, v);
		return;
	}
	/* sending to the keyboard enables its interface, as the 8042 does */
	k->ctr &= ~CTR_KBD_DISABLE;
	kbd_command(k, v);
	kbc_fill(k);
}

static const struct bus_ops kbc_data_ops = {
	.read = kbc_data_read, .write = kbc_data_write, .min_size = 1, .max_size = 1,
};

static const struct bus_ops kbc_cmd_ops = {
	.read = kbc_status_read, .write = kbc_cmd_write, .min_size = 1, .max_size = 1,
};

/* ---- device ---- */

static void i8042_reset(void *opaque)
{
	struct i8042 *k = opaque;
	k->ctr = CTR_RESET;
	memset(k->ram, 0, sizeof(k->ram));
	k->outport = OUTPORT_RESET;
	k->pending = 0;
	k->last_cmd = true;
	k->obuf = 0;
	k->obf = false;
	k->obuf_aux = false;
	k->xlate_break = false;
	queue_clear(&k->ctrlq);
	kbd_reset_state(k);
	aux_reset_state(k);
	kbc_update_irq(k);
}

static void snap_field(struct snap *s, bool load, void *p, size_t n)
{
	if (load)
		snap_get(s, p, n);
	else
		snap_put(s, p, n);
}

/* bools travel as one byte 0/1, never memcpy'd into a bool */
static void snap_bool(struct snap *s, bool load, bool *p)
{
	uint8_t v = *p;
	snap_field(s, load, &v, 1);
	*p = v != 0;
}

static void queue_fields(struct snap *s, bool load, struct ps2_queue *q)
{
	snap_field(s, load, &q->head, sizeof(q->head));
	snap_field(s, load, &q->count, sizeof(q->count));
	snap_field(s, load, q->data, sizeof(q->data));
}

/* one list of fields for both directions, so save and load cannot drift */
static void i8042_fields(struct i8042 *k, struct snap *s, bool load, uint32_t version)
{
#define F(field) snap_field(s, load, &k->field, sizeof(k->field))
#define B(field) snap_bool(s, load, &k->field)
	F(ctr); F(ram); F(outport); F(pending); B(last_cmd);
	F(obuf); B(obf); B(obuf_aux); B(xlate_break);
	queue_fields(s, load, &k->ctrlq);
	queue_fields(s, load, &k->kbdq);
	F(kbd_arg_for); B(kbd_scanning); F(kbd_set); F(kbd_leds);
	F(kbd_typematic); F(kbd_last); B(kbd_set1_break);
	queue_fields(s, load, &k->auxq);
	F(aux_arg_for); B(aux_enabled); B(aux_remote); B(aux_wrap);
	B(aux_scale21); F(aux_rate); F(aux_res); F(aux_last);
	if (version >= 2) {
		F(aux_id); F(aux_rates); F(aux_buttons); B(aux_dirty);
		F(aux_dx); F(aux_dy); F(aux_dz);
	}
#undef B
#undef F
}

static void i8042_save(void *opaque, struct snap *s)
{
	struct i8042 *k = opaque;
	snap_section_put(s, "i8042", 2);
	i8042_fields(k, s, false, 2);
}

static bool queue_valid(const struct ps2_queue *q)
{
	return q->head < QUEUE_SIZE && q->count <= QUEUE_SIZE;
}

static int i8042_load(void *opaque, struct snap *s)
{
	struct i8042 *k = opaque;
	struct i8042 t = *k;
	/* version 1 had no wheel or pending motion: those start at reset values */
	uint32_t version = snap_section_get(s, "i8042", 2);
	i8042_fields(&t, s, true, version);
	if (version < 2) {
		t.aux_id = 0;
		memset(t.aux_rates, 0, sizeof(t.aux_rates));
		t.aux_buttons = 0;
		t.aux_dirty = false;
		t.aux_dx = t.aux_dy = t.aux_dz = 0;
	}
	if (s->error || !queue_valid(&t.ctrlq) || !queue_valid(&t.kbdq) ||
	    !queue_valid(&t.auxq) || t.kbd_set < 1 || t.kbd_set > 3 ||
	    (t.aux_id != 0 && t.aux_id != 3 && t.aux_id != 4) ||
	    t.aux_dx < -4096 || t.aux_dx > 4096 || t.aux_dy < -4096 || t.aux_dy > 4096 ||
	    t.aux_dz < -4096 || t.aux_dz > 4096)
		return -1;
	/* the lines and host stay ours; everything else comes from the state */
	t.kbd_irq = k->kbd_irq;
	t.aux_irq = k->aux_irq;
	t.host = k->host;
	*k = t;
	kbc_update_irq(k);
	return 0;
}

struct i8042 *i8042_new(struct bus *io, const struct i8042_host *host, struct device *dev)
{
	struct i8042 *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	if (host)
		k->host = *host;
	i8042_reset(k);
	/* both ports free before either is taken: the bus cannot unregister */
	if (bus_find(io, PORT_CMD) ||
	    bus_register(io, PORT_DATA, 1, &kbc_data_ops, k, "i8042-data") ||
	    bus_register(io, PORT_CMD, 1, &kbc_cmd_ops, k, "i8042-cmd")) {
		log_error("i8042: ports 0x60/0x64 are taken");
		free(k);
		return NULL;
	}
	if (dev) {
		dev->name = "i8042";
		dev->opaque = k;
		dev->reset = i8042_reset;
		dev->save = i8042_save;
		dev->load = i8042_load;
	}
	return k;
}

void i8042_free(struct i8042 *k)
{
	free(k);
}

struct irq_line *i8042_kbd_irq(struct i8042 *k)
{
	return &k->kbd_irq;
}

struct irq_line *i8042_aux_irq(struct i8042 *k)
{
	return &k->aux_irq;
}
