/* Test guest: MC146818 RTC: time registers, update cycle, periodic IRQ 8 through the slave PIC. */
// SPDX-License-Identifier: MIT
#include "guest.h"

#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS   0x04
#define RTC_DAY     0x07
#define RTC_MONTH   0x08
#define RTC_YEAR    0x09
#define RTC_A       0x0a
#define RTC_B       0x0b
#define RTC_C       0x0c
#define RTC_D       0x0d

#define A_UIP 0x80
#define B_PIE 0x40
#define B_24H 0x02
#define B_BINARY 0x04
#define C_IRQF 0x80
#define C_PF 0x40

static volatile uint32_t periodic;
static volatile uint8_t c_first, c_again;

static uint8_t cmos_read(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
	outb(0x70, reg);
	outb(0x71, v);
}

static void on_irq8(struct frame *f)
{
	(void)f;
	uint8_t c = cmos_read(RTC_C);	/* reading C acknowledges and re-arms the RTC */
	if (periodic == 0) {
		c_first = c;
		c_again = cmos_read(RTC_C);
	}
	periodic++;
	pic_eoi(8);
}

static void wait_uip_clear(void)
{
	for (uint32_t i = 0; i < 10000000; i++)
		if (!(cmos_read(RTC_A) & A_UIP))
			return;
	fail("RTC register A UIP stayed set for 10M reads");
}

struct rtc_time {
	uint8_t sec, min, hour, day, mon, year;
};

static void read_raw(struct rtc_time *t)
{
	wait_uip_clear();
	t->sec = cmos_read(RTC_SECONDS);
	t->min = cmos_read(RTC_MINUTES);
	t->hour = cmos_read(RTC_HOURS);
	t->day = cmos_read(RTC_DAY);
	t->mon = cmos_read(RTC_MONTH);
	t->year = cmos_read(RTC_YEAR);
}

/* Two identical reads in a row: no update cycle tore the snapshot. */
static void read_stable(struct rtc_time *t)
{
	struct rtc_time u;
	for (int i = 0; i < 10; i++) {
		read_raw(t);
		read_raw(&u);
		if (!memcmp(t, &u, sizeof(u)))
			return;
	}
	fail("RTC time changed between every pair of reads");
}

static uint8_t decode(const char *what, uint8_t raw, bool bcd, uint8_t lo, uint8_t hi)
{
	uint8_t v = raw;
	if (bcd) {
		if ((raw & 0x0f) > 9 || (raw >> 4) > 9)
			fail("RTC %s 0x%x is not valid BCD", what, raw);
		v = (uint8_t)((raw >> 4) * 10 + (raw & 0x0f));
	}
	if (v < lo || v > hi)
		fail("RTC %s %u (raw 0x%x) outside %u..%u", what, v, raw, lo, hi);
	return v;
}

int guest_main(void)
{
	gprintf("rtc: start\n");
	uint8_t b = cmos_read(RTC_B);
	bool bcd = !(b & B_BINARY);
	gprintf("rtc: register A 0x%x B 0x%x D 0x%x\n", cmos_read(RTC_A), b, cmos_read(RTC_D));
	if (!(cmos_read(RTC_D) & 0x80))
		fail("RTC register D VRT bit clear: RAM and time reported invalid");
	if (b & (B_PIE | 0x20 | 0x10))
		fail("RTC register B 0x%x has interrupts enabled before the guest asked", b);

	struct rtc_time t;
	read_stable(&t);
	uint8_t sec = decode("seconds", t.sec, bcd, 0, 59);
	uint8_t min = decode("minutes", t.min, bcd, 0, 59);
	uint8_t hour;
	if (b & B_24H) {
		hour = decode("hours", t.hour, bcd, 0, 23);
	} else {
		hour = decode("hours (12h)", t.hour & 0x7f, bcd, 1, 12);
		hour = (uint8_t)(hour % 12 + ((t.hour & 0x80) ? 12 : 0));
	}
	uint8_t day = decode("day of month", t.day, bcd, 1, 31);
	uint8_t mon = decode("month", t.mon, bcd, 1, 12);
	uint8_t year = decode("year", t.year, bcd, 0, 99);
	gprintf("rtc time 20%02u-%02u-%02u %02u:%02u:%02u\n", year, mon, day, hour, min, sec);

	/* Periodic interrupt at 1024 Hz (rate 6, 32.768 kHz time base) on IRQ 8. */
	idt_init();
	idt_set_handler(0x28, on_irq8);
	pic_init(0xfb, 0xfe);	/* master: only the cascade; slave: only IRQ 8 */
	cmos_write(RTC_A, 0x26);
	expect_eq("RTC register A read back", cmos_read(RTC_A) & 0x7f, 0x26);
	(void)cmos_read(RTC_C);
	cmos_write(RTC_B, (uint8_t)(b | B_PIE));
	expect_eq("RTC register B read back with PIE", cmos_read(RTC_B), b | B_PIE);

	/* Count periodic interrupts until the seconds register moves: it must
	 * within 1024 of them (one second), give or take. */
	uint8_t sec0 = cmos_read(RTC_SECONDS);
	while (periodic < 8)
		sti_hlt();
	cli();
	if ((c_first & (C_IRQF | C_PF)) != (C_IRQF | C_PF))
		fail("RTC register C in the IRQ 8 handler is 0x%x, want IRQF|PF (0xc0) set", c_first);
	if (c_again & C_PF)
		fail("RTC register C PF still set on the second read (0x%x); reading C must clear it", c_again);
	gprintf("rtc: periodic irq ok, register C 0x%x then 0x%x\n", c_first, c_again);

	uint32_t limit = periodic + 1100;
	while (cmos_read(RTC_SECONDS) == sec0) {
		if (periodic > limit)
			fail("RTC seconds stuck at 0x%x across 1100 periodic interrupts at 1024 Hz", sec0);
		sti_hlt();
	}
	cli();
	gprintf("rtc: seconds advanced after %u periodic interrupts\n", periodic);

	cmos_write(RTC_B, b);
	(void)cmos_read(RTC_C);
	outb(0xa1, 0xff);
	outb(0x21, 0xff);
	gprintf("rtc ok\n");
	return EXIT_PASS;
}
