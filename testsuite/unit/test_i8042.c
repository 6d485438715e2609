/* Unit tests for the i8042 keyboard controller, PS/2 keyboard and mouse. */
// SPDX-License-Identifier: MIT
#include "hw/i8042.h"

#include <string.h>
#include "testsuite/unit/check.h"

struct host_log {
	int resets;
	int a20_calls, a20;
	int irq[2];		/* current level of IRQ 1 / IRQ 12 */
	int raises[2];
};

static void h_reset(void *opaque) { ((struct host_log *)opaque)->resets++; }
static void h_a20(void *opaque, int on)
{
	struct host_log *l = opaque;
	l->a20_calls++;
	l->a20 = on;
}
static void h_irq(void *opaque, int n, int level)
{
	struct host_log *l = opaque;
	l->irq[n] = level;
	if (level)
		l->raises[n]++;
}

struct rig {
	struct bus io;
	struct host_log log;
	struct i8042_host host;
	struct i8042 *k;
	struct device dev;
};

static void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	bus_init(&r->io, "io");
	r->host = (struct i8042_host){ h_reset, h_a20, &r->log };
	r->k = i8042_new(&r->io, &r->host, &r->dev);
	irq_connect(i8042_kbd_irq(r->k), h_irq, &r->log, 0);
	irq_connect(i8042_aux_irq(r->k), h_irq, &r->log, 1);
}

static void rig_fini(struct rig *r)
{
	i8042_free(r->k);
	bus_destroy(&r->io);
}

static uint8_t status(struct rig *r) { return (uint8_t)bus_read(&r->io, 0x64, 1); }
static void cmd(struct rig *r, uint8_t c) { bus_write(&r->io, 0x64, c, 1); }
static void data(struct rig *r, uint8_t v) { bus_write(&r->io, 0x60, v, 1); }
static uint8_t rd(struct rig *r) { return (uint8_t)bus_read(&r->io, 0x60, 1); }

/* reads one byte, checking the controller said there was one */
#define EXPECT(r, want) do {                         \
		CHECK((status(r) & 0x01) != 0);      \
		CHECK_EQ(rd(r), (want));             \
	} while (0)
#define EXPECT_EMPTY(r) CHECK_EQ(status(r) & 0x01, 0)

static void test_status_after_reset(void)
{
	struct rig r;
	rig_init(&r);
	CHECK(r.k != NULL);
	/* unlocked, no data, IBF never set */
	CHECK_EQ(status(&r) & ~0x08, 0x10);
	data(&r, 0xf4);		/* keyboard enable */
	CHECK_EQ(status(&r) & 0x08, 0);	/* last write was data */
	CHECK_EQ(status(&r) & 0x02, 0);
	EXPECT(&r, 0xfa);
	cmd(&r, 0xaa);
	CHECK_EQ(status(&r) & 0x08, 0x08);
	rig_fini(&r);
}

static void test_self_test(void)
{
	struct rig r;
	rig_init(&r);
	CHECK_EQ(status(&r) & 0x04, 0);
	cmd(&r, 0xaa);
	EXPECT(&r, 0x55);
	EXPECT_EMPTY(&r);
	/* a passed self test sets the system flag */
	CHECK_EQ(status(&r) & 0x04, 0x04);
	rig_fini(&r);
}

static void test_command_byte(void)
{
	struct rig r;
	rig_init(&r);
	cmd(&r, 0x20);
	EXPECT(&r, 0x03);
	cmd(&r, 0x60);
	data(&r, 0x74);	/* sys, kbd disabled, aux disabled, translate; no IRQs */
	cmd(&r, 0x20);
	EXPECT(&r, 0x74);
	CHECK_EQ(status(&r) & 0x04, 0x04);
	cmd(&r, 0x60);
	data(&r, 0x41);
	cmd(&r, 0x20);
	EXPECT(&r, 0x41);
	CHECK_EQ(status(&r) & 0x04, 0);
	/* other RAM bytes through 0x61-0x7f / 0x21-0x3f */
	cmd(&r, 0x65);
	data(&r, 0x9c);
	cmd(&r, 0x25);
	EXPECT(&r, 0x9c);
	rig_fini(&r);
}

static void test_interface_tests(void)
{
	struct rig r;
	rig_init(&r);
	cmd(&r, 0xab);
	EXPECT(&r, 0x00);
	cmd(&r, 0xa9);
	EXPECT(&r, 0x00);
	cmd(&r, 0xe0);
	EXPECT(&r, 0x00);
	cmd(&r, 0xc0);
	EXPECT(&r, 0x80);
	cmd(&r, 0xa4);
	EXPECT(&r, 0xf1);
	EXPECT_EMPTY(&r);
	rig_fini(&r);
}

static void test_enable_disable_bits(void)
{
	struct rig r;
	rig_init(&r);
	cmd(&r, 0xa7);
	cmd(&r, 0x20);
	EXPECT(&r, 0x23);
	cmd(&r, 0xa8);
	cmd(&r, 0x20);
	EXPECT(&r, 0x03);
	cmd(&r, 0xad);
	cmd(&r, 0x20);
	EXPECT(&r, 0x13);
	cmd(&r, 0xae);
	cmd(&r, 0x20);
	EXPECT(&r, 0x03);
	rig_fini(&r);
}

static void test_output_port(void)
{
	struct rig r;
	rig_init(&r);
	cmd(&r, 0xd0);
	EXPECT(&r, 0x03);
	cmd(&r, 0xd1);
	data(&r, 0x01);		/* A20 off, reset line high */
	CHECK_EQ(r.log.a20_calls, 1);
	CHECK_EQ(r.log.a20, 0);
	CHECK_EQ(r.log.resets, 0);
	cmd(&r, 0xd0);
	EXPECT(&r, 0x01);
	cmd(&r, 0xd1);
	data(&r, 0x03);
	CHECK_EQ(r.log.a20, 1);
	CHECK_EQ(r.log.resets, 0);
	/* bit 0 low pulls reset */
	cmd(&r, 0xd1);
	data(&r, 0x02);
	CHECK_EQ(r.log.resets, 1);
	CHECK_EQ(r.log.a20, 1);
	rig_fini(&r);
}

static void test_pulse_reset(void)
{
	struct rig r;
	rig_init(&r);
	cmd(&r, 0xff);		/* pulses nothing */
	CHECK_EQ(r.log.resets, 0);
	cmd(&r, 0xfe);
	CHECK_EQ(r.log.resets, 1);
	cmd(&r, 0xf0);		/* pulses all four, reset among them */
	CHECK_EQ(r.log.resets, 2);
	cmd(&r, 0xfd);
	CHECK_EQ(r.log.resets, 2);
	CHECK_EQ(r.log.a20_calls, 0);
	rig_fini(&r);
}

static void test_kbd_reset_id(void)
{
	struct rig r;
	rig_init(&r);
	data(&r, 0xff);
	EXPECT(&r, 0xfa);
	EXPECT(&r, 0xaa);
	EXPECT_EMPTY(&r);
	data(&r, 0xf2);
	EXPECT(&r, 0xfa);
	EXPECT(&r, 0xab);
	EXPECT(&r, 0x83);
	EXPECT_EMPTY(&r);
	rig_fini(&r);
}

static void test_kbd_reset_id_translated(void)
{
	struct rig r;
	rig_init(&r);
	cmd(&r, 0x60);
	data(&r, 0x43);
	data(&r, 0xff);
	EXPECT(&r, 0xfa);
	EXPECT(&r, 0xaa);
	data(&r, 0xf2);
	EXPECT(&r, 0xfa);
	EXPECT(&r, 0xab);
	EXPECT(&r, 0x41);
	EXPECT_EMPTY(&r);
	rig_fini(&r);
}

static void test_kbd_leds_echo(void)
{
	struct rig r;
	rig_init(&r);
	data(&r, 0xed);
	EXPECT(&r, 0xfa);
	EXPECT_EMPTY(&r);
	data(&r, 0x07);
	EXPECT(&r, 0xfa);
	EXPECT_EMPTY(&r);
	data(&r, 0xee);
	EXPECT(&r, 0xee);
	EXPECT_EMPTY(&r);
	/* a command where an argument was due runs as a command */
	data(&r, 0xed);
	EXPECT(&r, 0xfa);
	data(&r, 0xee);
	EXPECT(&r, 0xee);
	/* unknown command: resend */
	data(&r, 0x12);
	EXPECT(&r, 0xfe);
	rig_fini(&r);
}

static void test_kbd_scan_set_typematic(void)
{
	struct rig r;
	rig_init(&r);
	data(&r, 0xf0);
	EXPECT(&r, 0xfa);
	data(&r, 0x00);
	EXPECT(&r, 0xfa);
	EXPECT(&r, 0x02);
	data(&r, 0xf0);
	EXPECT(&r, 0xfa);
	data(&r, 0x01);
	EXPECT(&r, 0xfa);
	data(&r, 0xf0);
	EXPECT(&r, 0xfa);
	data(&r, 0x00);
	EXPECT(&r, 0xfa);
	EXPECT(&r, 0x01);
	/* in set 1 the keyboard sends set 1 itself */
	i8042_key(r.k, 0x1c);
	EXPECT(&r, 0x1e);
	i8042_key(r.k, 0xf0);
	i8042_key(r.k, 0x1c);
	EXPECT(&r, 0x9e);
	data(&r, 0xf3);
	EXPECT(&r, 0xfa);
	data(&r, 0x20);
	EXPECT(&r, 0xfa);
	EXPECT_EMPTY(&r);
	rig_fini(&r);
}

static void test_kbd_enable_disable(void)
{
	struct rig r;
	rig_init(&r);
	data(&r, 0xf5);
	EXPECT(&r, 0xfa);
	i8042_key(r.k, 0x1c);
	EXPECT_EMPTY(&r);
	data(&r, 0xf4);
	EXPECT(&r, 0xfa);
	i8042_key(r.k, 0x1c);
	EXPECT(&r, 0x1c);
	rig_fini(&r);
}

static void test_key_translation(void)
{
	struct rig r;
	rig_init(&r);
	/* untranslated: set 2 as sent */
	i8042_key(r.k, 0x1c);
	i8042_key(r.k, 0xf0);
	i8042_key(r.k, 0x1c);
	EXPECT(&r, 0x1c);
	EXPECT(&r, 0xf0);
	EXPECT(&r, 0x1c);
	EXPECT_EMPTY(&r);
	cmd(&r, 0x60);
	data(&r, 0x43);
	/* 'A': set 2 0x1c -> set 1 0x1e; break F0 1C -> 0x9e */
	i8042_key(r.k, 0x1c);
	i8042_key(r.k, 0xf0);
	i8042_key(r.k, 0x1c);
	EXPECT(&r, 0x1e);
	EXPECT(&r, 0x9e);
	EXPECT_EMPTY(&r);
	/* extended: E0 75 (up) -> E0 48; break E0 F0 75 -> E0 C8 */
	i8042_key(r.k, 0xe0);
	i8042_key(r.k, 0x75);
	i8042_key(r.k, 0xe0);
	i8042_key(r.k, 0xf0);
	i8042_key(r.k, 0x75);
	EXPECT(&r, 0xe0);
	EXPECT(&r, 0x48);
	EXPECT(&r, 0xe0);
	EXPECT(&r, 0xc8);
	EXPECT_EMPTY(&r);
	/* F7 (0x83) and Esc (0x76) */
	i8042_key(r.k, 0x83);
	i8042_key(r.k, 0x76);
	EXPECT(&r, 0x41);
	EXPECT(&r, 0x01);
	rig_fini(&r);
}

static void test_kbd_disabled_holds_data(void)
{
	struct rig r;
	rig_init(&r);
	cmd(&r, 0xad);
	i8042_key(r.k, 0x1c);
	EXPECT_EMPTY(&r);
	CHECK_EQ(r.log.irq[0], 0);
	cmd(&r, 0xae);
	CHECK_EQ(r.log.irq[0], 1);
	EXPECT(&r, 0x1c);
	rig_fini(&r);
}

static void test_irq_raise_lower(void)
{
	struct rig r;
	rig_init(&r);
	CHECK_EQ(r.log.irq[0], 0);
	i8042_key(r.k, 0x1c);
	CHECK_EQ(r.log.irq[0], 1);
	CHECK_EQ(r.log.irq[1], 0);
	i8042_key(r.k, 0x32);
	CHECK_EQ(r.log.raises[0], 1);
	CHECK_EQ(rd(&r), 0x1c);
	/* the next byte comes as a new edge */
	CHECK_EQ(r.log.raises[0], 2);
	CHECK_EQ(r.log.irq[0], 1);
	CHECK_EQ(rd(&r), 0x32);
	CHECK_EQ(r.log.irq[0], 0);
	/* reading an empty buffer gives the old byte, no IRQ */
	CHECK_EQ(rd(&r), 0x32);
	CHECK_EQ(r.log.irq[0], 0);
	/* interrupt off in the command byte: data but no IRQ */
	cmd(&r, 0x60);
	data(&r, 0x02);
	i8042_key(r.k, 0x1c);
	CHECK_EQ(status(&r) & 0x01, 0x01);
	CHECK_EQ(r.log.irq[0], 0);
	/* turning it on with data waiting raises it */
	cmd(&r, 0x60);
	data(&r, 0x03);
	CHECK_EQ(r.log.irq[0], 1);
	CHECK_EQ(rd(&r), 0x1c);
	CHECK_EQ(r.log.irq[0], 0);
	rig_fini(&r);
}

static void test_mouse_reset_id(void)
{
	struct rig r;
	rig_init(&r);
	cmd(&r, 0xd4);
	data(&r, 0xff);
	CHECK_EQ(status(&r) & 0x21, 0x21);
	CHECK_EQ(r.log.irq[1], 1);
	CHECK_EQ(r.log.irq[0], 0);
	CHECK_EQ(rd(&r), 0xfa);
	CHECK_EQ(r.log.raises[1], 2);
	EXPECT(&r, 0xaa);
	EXPECT(&r, 0x00);
	EXPECT_EMPTY(&r);
	CHECK_EQ(r.log.irq[1], 0);
	CHECK_EQ(status(&r) & 0x20, 0);
	cmd(&r, 0xd4);
	data(&r, 0xf2);
	EXPECT(&r, 0xfa);
	EXPECT(&r, 0x00);
	EXPECT_EMPTY(&r);
	rig_fini(&r);
}

static void mouse(struct rig *r, uint8_t v)
{
	cmd(r, 0xd4);
	data(r, v);
}

static void test_mouse_settings_status(void)
{
	struct rig r;
	rig_init(&r);
	mouse(&r, 0xf3);
	EXPECT(&r, 0xfa);
	mouse(&r, 200);
	EXPECT(&r, 0xfa);
	mouse(&r, 0xe8);
	EXPECT(&r, 0xfa);
	mouse(&r, 3);
	EXPECT(&r, 0xfa);
	mouse(&r, 0xe7);
	EXPECT(&r, 0xfa);
	mouse(&r, 0xf4);
	EXPECT(&r, 0xfa);
	mouse(&r, 0xe9);
	EXPECT(&r, 0xfa);
	EXPECT(&r, 0x30);
	EXPECT(&r, 3);
	EXPECT(&r, 200);
	mouse(&r, 0xf5);
	EXPECT(&r, 0xfa);
	mouse(&r, 0xe6);
	EXPECT(&r, 0xfa);
	mouse(&r, 0xe9);
	EXPECT(&r, 0xfa);
	EXPECT(&r, 0x00);
	EXPECT(&r, 3);
	EXPECT(&r, 200);
	mouse(&r, 0xf6);
	EXPECT(&r, 0xfa);
	mouse(&r, 0xe9);
	EXPECT(&r, 0xfa);
	EXPECT(&r, 0x00);
	EXPECT(&r, 2);
	EXPECT(&r, 100);
	mouse(&r, 0x01);
	EXPECT(&r, 0xfe);
	EXPECT_EMPTY(&r);
	rig_fini(&r);
}

static void test_aux_obf_and_loopback(void)
{
	struct rig r;
	rig_init(&r);
	/* D3: as if from the mouse, AUX OBF and IRQ 12 */
	cmd(&r, 0xd3);
	data(&r, 0x5a);
	CHECK_EQ(status(&r) & 0x21, 0x21);
	CHECK_EQ(r.log.irq[1], 1);
	CHECK_EQ(rd(&r), 0x5a);
	CHECK_EQ(r.log.irq[1], 0);
	/* D2: as if from the keyboard, never translated */
	cmd(&r, 0x60);
	data(&r, 0x43);
	cmd(&r, 0xd2);
	data(&r, 0x1c);
	CHECK_EQ(status(&r) & 0x21, 0x01);
	CHECK_EQ(r.log.irq[0], 1);
	CHECK_EQ(rd(&r), 0x1c);
	/* D0 shows which output buffer is full */
	cmd(&r, 0xd3);
	data(&r, 0x11);
	cmd(&r, 0xd0);
	EXPECT(&r, 0x11);
	EXPECT(&r, 0x23);
	rig_fini(&r);
}

static void test_aux_disabled_holds_data(void)
{
	struct rig r;
	rig_init(&r);
	cmd(&r, 0xa7);
	mouse(&r, 0xf2);
	EXPECT_EMPTY(&r);
	CHECK_EQ(r.log.irq[1], 0);
	cmd(&r, 0xa8);
	CHECK_EQ(r.log.irq[1], 1);
	EXPECT(&r, 0xfa);
	EXPECT(&r, 0x00);
	rig_fini(&r);
}

static void test_mouse_wrap(void)
{
	struct rig r;
	rig_init(&r);
	mouse(&r, 0xee);
	EXPECT(&r, 0xfa);
	mouse(&r, 0x42);
	EXPECT(&r, 0x42);
	mouse(&r, 0xec);
	EXPECT(&r, 0xfa);
	mouse(&r, 0x42);
	EXPECT(&r, 0xfe);
	rig_fini(&r);
}

static void test_write_kbd_enables(void)
{
	struct rig r;
	rig_init(&r);
	cmd(&r, 0xad);
	data(&r, 0xee);
	EXPECT(&r, 0xee);
	cmd(&r, 0x20);
	EXPECT(&r, 0x03);
	rig_fini(&r);
}

static void test_save_load(void)
{
	struct rig r;
	struct snap sn;
	rig_init(&r);
	cmd(&r, 0x60);
	data(&r, 0x47);
	mouse(&r, 0xf3);
	EXPECT(&r, 0xfa);
	mouse(&r, 40);
	EXPECT(&r, 0xfa);
	data(&r, 0xed);		/* leave the keyboard waiting for an argument */
	EXPECT(&r, 0xfa);
	i8042_key(r.k, 0x1c);
	i8042_key(r.k, 0xf0);	/* translation half way through a break */
	EXPECT(&r, 0x1e);
	i8042_key(r.k, 0x32);
	i8042_key(r.k, 0x21);	/* 0x32 in the buffer, 0x21 queued */
	snap_init(&sn);
	r.dev.save(r.dev.opaque, &sn);
	CHECK(!sn.error);

	r.dev.reset(r.dev.opaque);
	EXPECT_EMPTY(&r);
	CHECK_EQ(r.log.irq[0], 0);
	CHECK_EQ(r.dev.load(r.dev.opaque, &sn), 0);
	CHECK_EQ(r.log.irq[0], 1);
	EXPECT(&r, 0xb0);	/* 0x32 -> 0x30, with the break bit */
	EXPECT(&r, 0x2e);
	EXPECT_EMPTY(&r);
	cmd(&r, 0x20);
	EXPECT(&r, 0x47);
	data(&r, 0x02);		/* the LED argument still due */
	EXPECT(&r, 0xfa);
	EXPECT_EMPTY(&r);
	mouse(&r, 0xe9);
	EXPECT(&r, 0xfa);
	EXPECT(&r, 0x00);
	EXPECT(&r, 2);
	EXPECT(&r, 40);

	/* a truncated state is refused and leaves the device alone */
	sn.pos = 0;
	sn.len -= 3;
	CHECK_EQ(r.dev.load(r.dev.opaque, &sn), -1);
	cmd(&r, 0x20);
	EXPECT(&r, 0x47);
	snap_free(&sn);
	rig_fini(&r);
}

static void set_rate(struct rig *r, uint8_t rate)
{
	mouse(r, 0xf3);
	EXPECT(r, 0xfa);
	mouse(r, rate);
	EXPECT(r, 0xfa);
}

static uint8_t mouse_id(struct rig *r)
{
	mouse(r, 0xf2);
	EXPECT(r, 0xfa);
	return rd(r);
}

static void test_mouse_stream(void)
{
	struct rig r;
	rig_init(&r);
	/* nothing is reported before reporting is enabled */
	i8042_mouse_event(r.k, 5, 5, 0, 0);
	EXPECT_EMPTY(&r);
	mouse(&r, 0xf4);
	EXPECT(&r, 0xfa);
	EXPECT_EMPTY(&r);
	/* right 10, down 3 (PS/2 y grows up), left button */
	i8042_mouse_event(r.k, 10, 3, 0, I8042_BTN_LEFT);
	CHECK_EQ(r.log.irq[1], 1);
	EXPECT(&r, 0x08 | 0x01 | 0x20);
	EXPECT(&r, 10);
	EXPECT(&r, 0xfd);
	EXPECT_EMPTY(&r);
	/* a button change alone is a packet; a wheel without ID 3 is not */
	i8042_mouse_event(r.k, 0, 0, 2, I8042_BTN_RIGHT | I8042_BTN_MIDDLE);
	EXPECT(&r, 0x08 | 0x06);
	EXPECT(&r, 0);
	EXPECT(&r, 0);
	EXPECT_EMPTY(&r);
	/* left and up: x sign set, y positive */
	i8042_mouse_event(r.k, -1, -7, 0, 0);
	EXPECT(&r, 0x08 | 0x10);
	EXPECT(&r, 0xff);
	EXPECT(&r, 7);
	EXPECT_EMPTY(&r);
	/* more than one packet holds: split, nothing lost */
	i8042_mouse_event(r.k, 300, 0, 0, 0);
	EXPECT(&r, 0x08);
	EXPECT(&r, 0xff);	/* 255 */
	EXPECT(&r, 0);
	EXPECT(&r, 0x08);
	EXPECT(&r, 45);
	EXPECT(&r, 0);
	EXPECT_EMPTY(&r);
	/* disabling stops the stream */
	mouse(&r, 0xf5);
	EXPECT(&r, 0xfa);
	i8042_mouse_event(r.k, 1, 1, 0, 0);
	EXPECT_EMPTY(&r);
	rig_fini(&r);
}

static void test_mouse_wheel_id(void)
{
	struct rig r;
	rig_init(&r);
	/* a wrong knock leaves a standard mouse */
	set_rate(&r, 200);
	set_rate(&r, 80);
	set_rate(&r, 100);
	CHECK_EQ(mouse_id(&r), 0);
	/* the IntelliMouse knock: 200, 100, 80 */
	set_rate(&r, 200);
	set_rate(&r, 100);
	set_rate(&r, 80);
	CHECK_EQ(mouse_id(&r), 3);
	mouse(&r, 0xf4);
	EXPECT(&r, 0xfa);
	/* four-byte packets; the wheel down (towards the user) positive */
	i8042_mouse_event(r.k, 0, 0, 1, 0);
	EXPECT(&r, 0x08);
	EXPECT(&r, 0);
	EXPECT(&r, 0);
	EXPECT(&r, 0x01);
	i8042_mouse_event(r.k, 2, 0, -2, 0);
	EXPECT(&r, 0x08);
	EXPECT(&r, 2);
	EXPECT(&r, 0);
	EXPECT(&r, 0xfe);
	EXPECT_EMPTY(&r);
	/* set defaults keeps the ID; reset goes back to a standard mouse */
	mouse(&r, 0xf6);
	EXPECT(&r, 0xfa);
	CHECK_EQ(mouse_id(&r), 3);
	mouse(&r, 0xff);
	EXPECT(&r, 0xfa);
	EXPECT(&r, 0xaa);
	EXPECT(&r, 0x00);
	CHECK_EQ(mouse_id(&r), 0);
	rig_fini(&r);
}

static void test_mouse_explorer_id(void)
{
	struct rig r;
	rig_init(&r);
	/* 200, 200, 80 only after the wheel knock, as Linux's psmouse probes */
	set_rate(&r, 200);
	set_rate(&r, 200);
	set_rate(&r, 80);
	CHECK_EQ(mouse_id(&r), 0);
	set_rate(&r, 200);
	set_rate(&r, 100);
	set_rate(&r, 80);
	set_rate(&r, 200);
	set_rate(&r, 200);
	set_rate(&r, 80);
	CHECK_EQ(mouse_id(&r), 4);
	mouse(&r, 0xf4);
	EXPECT(&r, 0xfa);
	/* the fourth byte: a 4-bit wheel and buttons 4 and 5 in bits 4, 5 */
	i8042_mouse_event(r.k, 0, 0, -1, I8042_BTN_SIDE | I8042_BTN_LEFT);
	EXPECT(&r, 0x09);
	EXPECT(&r, 0);
	EXPECT(&r, 0);
	EXPECT(&r, 0x1f);
	EXPECT_EMPTY(&r);
	rig_fini(&r);
}

static void test_mouse_remote_read(void)
{
	struct rig r;
	rig_init(&r);
	mouse(&r, 0xf0);	/* remote mode */
	EXPECT(&r, 0xfa);
	i8042_mouse_event(r.k, 3, -4, 0, I8042_BTN_RIGHT);
	EXPECT_EMPTY(&r);
	mouse(&r, 0xeb);
	EXPECT(&r, 0xfa);
	EXPECT(&r, 0x0a);
	EXPECT(&r, 3);
	EXPECT(&r, 4);
	EXPECT_EMPTY(&r);
	/* read again: the motion was reported once, the button still held */
	mouse(&r, 0xeb);
	EXPECT(&r, 0xfa);
	EXPECT(&r, 0x0a);
	EXPECT(&r, 0);
	EXPECT(&r, 0);
	rig_fini(&r);
}

static void test_mouse_full_queue(void)
{
	struct rig r;
	rig_init(&r);
	mouse(&r, 0xf4);
	EXPECT(&r, 0xfa);
	/* far more motion than the queue holds: every count arrives as the
	 * guest reads, none is lost */
	for (int i = 0; i < 100; i++)
		i8042_mouse_event(r.k, 200, 0, 0, 0);
	long sum = 0;
	int packets = 0;
	while ((status(&r) & 0x01) && packets < 1000) {
		uint8_t b0 = rd(&r);
		CHECK(b0 & 0x08);
		uint8_t x = rd(&r);
		rd(&r);
		sum += (b0 & 0x10) ? (long)x - 256 : (long)x;
		packets++;
	}
	/* pending motion is bounded at 4096 counts besides what is queued */
	CHECK(sum >= 4096);
	CHECK(sum <= 100 * 200);
	EXPECT_EMPTY(&r);
	rig_fini(&r);
}

static void test_mouse_save_load(void)
{
	struct rig r;
	struct snap sn;
	rig_init(&r);
	set_rate(&r, 200);
	set_rate(&r, 100);
	set_rate(&r, 80);
	mouse(&r, 0xf0);
	EXPECT(&r, 0xfa);
	i8042_mouse_event(r.k, 7, 0, 0, I8042_BTN_LEFT);
	snap_init(&sn);
	r.dev.save(r.dev.opaque, &sn);
	CHECK(!sn.error);
	r.dev.reset(r.dev.opaque);
	CHECK_EQ(mouse_id(&r), 0);
	CHECK_EQ(r.dev.load(r.dev.opaque, &sn), 0);
	CHECK_EQ(mouse_id(&r), 3);
	mouse(&r, 0xeb);
	EXPECT(&r, 0xfa);
	EXPECT(&r, 0x09);
	EXPECT(&r, 7);
	EXPECT(&r, 0);
	EXPECT(&r, 0);
	snap_free(&sn);
	rig_fini(&r);
}

static void test_garbage_does_not_crash(void)
{
	struct rig r;
	rig_init(&r);
	/* every controller command and data byte, as a fuzzing guest might;
	 * the host reset/A20 callbacks only count */
	for (int c = 0; c < 256; c++) {
		cmd(&r, (uint8_t)c);
		data(&r, (uint8_t)(c * 7));
		for (int i = 0; i < 80; i++)
			rd(&r);
		status(&r);
	}
	for (int i = 0; i < 500; i++)
		i8042_key(r.k, (uint8_t)i);
	for (int i = 0; i < 500; i++)
		i8042_mouse_event(r.k, i * 37 - 9000, 9000 - i * 41, i - 250, (unsigned)i);
	CHECK(r.log.resets > 0);
	rig_fini(&r);
}

int main(void)
{
	CHECK_SUITE("i8042");
	RUN(test_status_after_reset);
	RUN(test_self_test);
	RUN(test_command_byte);
	RUN(test_interface_tests);
	RUN(test_enable_disable_bits);
	RUN(test_output_port);
	RUN(test_pulse_reset);
	RUN(test_kbd_reset_id);
	RUN(test_kbd_reset_id_translated);
	RUN(test_kbd_leds_echo);
	RUN(test_kbd_scan_set_typematic);
	RUN(test_kbd_enable_disable);
	RUN(test_key_translation);
	RUN(test_kbd_disabled_holds_data);
	RUN(test_irq_raise_lower);
	RUN(test_mouse_reset_id);
	RUN(test_mouse_settings_status);
	RUN(test_aux_obf_and_loopback);
	RUN(test_aux_disabled_holds_data);
	RUN(test_mouse_wrap);
	RUN(test_write_kbd_enables);
	RUN(test_save_load);
	RUN(test_mouse_stream);
	RUN(test_mouse_wheel_id);
	RUN(test_mouse_explorer_id);
	RUN(test_mouse_remote_read);
	RUN(test_mouse_full_queue);
	RUN(test_mouse_save_load);
	RUN(test_garbage_does_not_crash);
	return CHECK_EXIT();
}
