/* The Motorola MC146818 RTC and CMOS RAM (ports 0x70-0x71): time from the
 * host clock at reset plus virtual time since, alarm, periodic and update
 * interrupts on IRQ 8, BCD/binary and 12/24 hour, the NMI-mask bit of port
 * 0x70, and 128 bytes of CMOS with the PC's memory-size bytes filled in. */
#ifndef HW_RTC146818_H
#define HW_RTC146818_H

#include <stdint.h>
#include <time.h>
#include "hw/bus.h"
#include "hw/clock.h"
#include "hw/irq.h"
#include "hw/device.h"

struct rtc146818;

/* base_time: the wall-clock time (UTC seconds) the RTC shows at clock 0 */
struct rtc146818 *rtc_new(struct bus *io, struct vclock *clk, time_t base_time, struct device *dev);
void rtc_free(struct rtc146818 *r);
struct irq_line *rtc_irq(struct rtc146818 *r);
/* CMOS bytes the board sets (memory size 0x15-0x18, 0x30-0x31, 0x34-0x35,
 * 0x5b-0x5d, CPU count 0x5f, boot order 0x3d/0x38); survive reset */
void rtc_cmos_set(struct rtc146818 *r, unsigned index, uint8_t value);
uint8_t rtc_cmos_get(struct rtc146818 *r, unsigned index);
/* port 0x70 bit 7: NMI disabled */
int rtc_nmi_masked(struct rtc146818 *r);

#endif
