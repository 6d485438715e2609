/* A National 16550A UART: 16-byte FIFOs with trigger levels, interrupts,
 * modem control and status lines, loopback, the scratch register. The host
 * side is a chardev: bytes the guest sends go to chr_write; bytes for the
 * guest come in through uart_receive (the board's main loop calls it when
 * the host input has data and uart_can_receive says there is room). */
#ifndef HW_UART16550_H
#define HW_UART16550_H

#include <stdint.h>
#include <stddef.h>
#include "hw/bus.h"
#include "hw/clock.h"
#include "hw/irq.h"
#include "hw/device.h"

struct uart16550;

struct uart_chr {
	void (*write)(void *opaque, const uint8_t *buf, size_t len);	/* may be NULL: discard */
	void *opaque;
};

struct uart16550 *uart_new(struct bus *io, uint16_t base, struct vclock *clk,
			   const struct uart_chr *chr, struct device *dev);
void uart_free(struct uart16550 *u);
struct irq_line *uart_irq(struct uart16550 *u);
/* room in the receive FIFO */
size_t uart_can_receive(struct uart16550 *u);
void uart_receive(struct uart16550 *u, const uint8_t *buf, size_t len);

#endif
