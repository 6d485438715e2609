/* The PIIX4 power-management function: ACPI PM1 registers, PM timer, GPE0,
 * SCI, the APM ports and an empty SMBus. */
// SPDX-License-Identifier: MIT
#include "hw/piix4_pm.h"

#include <stdlib.h>
#include <string.h>
#include "hw/log.h"

/* config registers */
#define CFG_PMBA 0x40
#define CFG_DEVACTB 0x58
#define CFG_PMREGMISC 0x80		/* bit 0: PM I/O space enable */
#define CFG_SMBBA 0x90
#define CFG_SMBHSTCFG 0xd2		/* bit 0: SMBus host enable */
#define APMC_EN 0x02			/* in byte 0x5b (DEVACTB bit 25) */
#define SMB_LEN 16

/* the PM I/O block */
enum {
	PM1_STS = 0x00, PM1_EN = 0x02, PM1_CNT = 0x04, PM_TMR = 0x08,
	GPE0_STS = 0x0c, GPE0_EN = 0x0e, PM_PLAIN = 0x10,
};
#define TMR_STS 0x0001
#define GBL_STS 0x0020
#define PWRBTN_STS 0x0100
#define SLPBTN_STS 0x0200
#define RTC_STS 0x0400
#define SCI_EVENTS (TMR_STS | GBL_STS | PWRBTN_STS | SLPBTN_STS | RTC_STS)
#define SCI_EN 0x0001
#define SLP_TYP_SHIFT 10
#define SLP_EN 0x2000

/* SMBus host registers */
enum { SMB_HST_STS = 0, SMB_HST_CNT = 2 };
#define SMB_STS_BUSY 0x01
#define SMB_STS_DEV_ERR 0x04
#define SMB_STS_FAILED 0x10
#define SMB_CNT_KILL 0x02
#define SMB_CNT_START 0x40

struct piix4_pm {
	struct pci_dev pci;
	struct bus *io;
	struct vclock *clock;
	struct timer tmr;
	struct irq_line sci;
	void (*poweroff)(void *opaque);
	void *opaque;

	uint16_t pm1_sts, pm1_en, pm1_cnt, gpe_sts, gpe_en;
	uint64_t tmr_half;		/* PM timer ticks >> 23 when TMR_STS was last brought up to date */
	uint8_t plain[PIIX4_PM_LEN];	/* registers kept as bytes (0x06-0x07, 0x10-0x3f) */
	uint8_t apmc, apms;
	uint8_t smb[SMB_LEN];
	uint16_t pm_base, smb_base;	/* where the blocks are decoded now; 0: not */
};

/* -- the PM timer -- */

static uint64_t tmr_ticks(const struct piix4_pm *p)
{
	return (uint64_t)muldiv64(clock_ns(p->clock), PIIX4_PM_TIMER_HZ, NS_PER_SEC);
}

/* the first ns at which the count is at least t */
static int64_t tick_ns(uint64_t t)
{
	return (int64_t)(((unsigned __int128)t * NS_PER_SEC + PIIX4_PM_TIMER_HZ - 1) / PIIX4_PM_TIMER_HZ);
}

/* TMR_STS goes up whenever bit 23 of the count toggled since last looked */
static void tmr_catch_up(struct piix4_pm *p)
{
	uint64_t half = tmr_ticks(p) >> 23;
	if (half != p->tmr_half)
		p->pm1_sts |= TMR_STS;
	p->tmr_half = half;
}

static void sci_update(struct piix4_pm *p)
{
	irq_set(&p->sci, (p->pm1_sts & p->pm1_en & SCI_EVENTS) || (p->gpe_sts & p->gpe_en));
}

/* with TMR_EN, a timer at the next toggle raises the SCI on time */
static void tmr_arm(struct piix4_pm *p)
{
	if (p->pm1_en & TMR_STS)
		timer_mod(&p->tmr, tick_ns((p->tmr_half + 1) << 23));
	else
		timer_del(&p->tmr);
}

static void tmr_fire(void *opaque)
{
	struct piix4_pm *p = opaque;
	tmr_catch_up(p);
	sci_update(p);
	tmr_arm(p);
}

/* -- the PM I/O block, a byte at a time -- */

static uint8_t pm_byte(struct piix4_pm *p, unsigned off, uint32_t tmr)
{
	unsigned sh = 8 * (off & 1);
	switch (off & ~1u) {
	case PM1_STS: return (uint8_t)(p->pm1_sts >> sh);
	case PM1_EN: return (uint8_t)(p->pm1_en >> sh);
	case PM1_CNT: return (uint8_t)(p->pm1_cnt >> sh);
	case PM_TMR: case PM_TMR + 2: return (uint8_t)(tmr >> (8 * (off - PM_TMR)));
	case GPE0_STS: return (uint8_t)(p->gpe_sts >> sh);
	case GPE0_EN: return (uint8_t)(p->gpe_en >> sh);
	default: return p->plain[off];
	}
}

static void pm_byte_write(struct piix4_pm *p, unsigned off, uint8_t v)
{
	unsigned sh = 8 * (off & 1);
	uint16_t w = (uint16_t)(v << sh), keep = (uint16_t)~(0xff << sh);
	switch (off & ~1u) {
	case PM1_STS:
		tmr_catch_up(p);	/* a toggle since the last look is cleared too */
		p->pm1_sts &= (uint16_t)~w;
		break;
	case PM1_EN:
		p->pm1_en = (uint16_t)((p->pm1_en & keep) | w);
		tmr_catch_up(p);
		tmr_arm(p);
		break;
	case PM1_CNT:
		p->pm1_cnt = (uint16_t)((p->pm1_cnt & keep) | (w & ~SLP_EN));
		if (w & SLP_EN) {
			unsigned typ = (p->pm1_cnt >> SLP_TYP_SHIFT) & 7;
			if (typ == PIIX4_SLP_TYP_S5 && p->poweroff)
				p->poweroff(p->opaque);
			else if (typ != PIIX4_SLP_TYP_S5)
				log_once("piix4-pm: sleep type %u (S1-S4) is not modelled: ignored", typ);
		}
		break;
	case PM_TMR: case PM_TMR + 2:
		break;		/* read-only */
	case GPE0_STS:
		p->gpe_sts &= (uint16_t)~w;
		break;
	case GPE0_EN:
		p->gpe_en = (uint16_t)((p->gpe_en & keep) | w);
		break;
	default:
		log_once("piix4-pm: write to PM register 0x%02x: kept, no effect", off);
		p->plain[off] = v;
		break;
	}
}

static uint64_t pm_read(void *opaque, uint64_t off, unsigned size)
{
	struct piix4_pm *p = opaque;
	tmr_catch_up(p);
	uint32_t tmr = (uint32_t)(tmr_ticks(p) & 0xffffff);
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)pm_byte(p, (unsigned)off + i, tmr) << (8 * i);
	sci_update(p);
	return v;
}

static void pm_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	struct piix4_pm *p = opaque;
	for (unsigned i = 0; i < size; i++)
		pm_byte_write(p, (unsigned)off + i, (uint8_t)(v >> (8 * i)));
	sci_update(p);
}

static const struct bus_ops pm_ops = { pm_read, pm_write, 1, 4 };

/* -- SMBus: a host controller with nothing on the bus -- */

static uint64_t smb_read(void *opaque, uint64_t off, unsigned size)
{
	(void)size;
	return ((struct piix4_pm *)opaque)->smb[off];
}

static void smb_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	(void)size;
	struct piix4_pm *p = opaque;
	uint8_t b = (uint8_t)v;
	if (off == SMB_HST_STS) {
		p->smb[SMB_HST_STS] &= (uint8_t)~b;
		return;
	}
	if (off == SMB_HST_CNT) {
		/* a transaction ends at once: no device acknowledged its address */
		if (b & SMB_CNT_START)
			p->smb[SMB_HST_STS] = (uint8_t)((p->smb[SMB_HST_STS] & ~SMB_STS_BUSY) | SMB_STS_DEV_ERR);
		if (b & SMB_CNT_KILL)
			p->smb[SMB_HST_STS] |= SMB_STS_FAILED;
		if (b & 1)
			log_once("piix4-pm: SMBus interrupts are not modelled");
		b &= (uint8_t)~(SMB_CNT_START | SMB_CNT_KILL);
	}
	p->smb[off] = b;
}

static const struct bus_ops smb_ops = { smb_read, smb_write, 1, 1 };

/* -- APM -- */

static uint64_t apm_read(void *opaque, uint64_t off, unsigned size)
{
	(void)size;
	struct piix4_pm *p = opaque;
	return off == 0 ? p->apmc : p->apms;
}

static void apm_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
	(void)size;
	struct piix4_pm *p = opaque;
	if (off == 1) {
		p->apms = (uint8_t)v;
		return;
	}
	p->apmc = (uint8_t)v;
	/* no SMM: the enable/disable the SMI handler would do, done here */
	if (v == PIIX4_ACPI_ENABLE)
		p->pm1_cnt |= SCI_EN;
	else if (v == PIIX4_ACPI_DISABLE)
		p->pm1_cnt &= (uint16_t)~SCI_EN;
	else if (p->pci.config[CFG_DEVACTB + 3] & APMC_EN)
		log_once("piix4-pm: APM command 0x%02x would raise an SMI: SMM is not modelled",
			 (unsigned)(uint8_t)v);
}

static const struct bus_ops apm_ops = { apm_read, apm_write, 1, 1 };

/* -- decoding of the two I/O blocks -- */

static uint32_t cfg32(const struct pci_dev *d, unsigned off)
{
	return (uint32_t)d->config[off] | (uint32_t)d->config[off + 1] << 8 |
	       (uint32_t)d->config[off + 2] << 16 | (uint32_t)d->config[off + 3] << 24;
}

/* move a block to want (0: off); false when something else is there */
static void block_move(struct piix4_pm *p, uint16_t *cur, uint16_t want, unsigned len,
		       const struct bus_ops *ops, const char *name)
{
	if (*cur == want)
		return;
	if (*cur)
		bus_unregister(p->io, *cur);
	*cur = 0;
	if (!want)
		return;
	if (bus_range_free(p->io, want, len) && bus_register(p->io, want, len, ops, p, name) == 0)
		*cur = want;
	else
		log_once("piix4-pm: %s at port 0x%x overlaps another device: not decoded", name, want);
}

static void io_update(struct piix4_pm *p)
{
	const struct pci_dev *d = &p->pci;
	uint16_t pm = (d->config[CFG_PMREGMISC] & 1) ? (uint16_t)(cfg32(d, CFG_PMBA) & 0xffc0) : 0;
	uint16_t smb = (d->config[CFG_SMBHSTCFG] & 1) ? (uint16_t)(cfg32(d, CFG_SMBBA) & 0xfff0) : 0;
	block_move(p, &p->pm_base, pm, PIIX4_PM_LEN, &pm_ops, "piix4-pm");
	block_move(p, &p->smb_base, smb, SMB_LEN, &smb_ops, "piix4-smbus");
}

static void pm_config_write(struct pci_dev *d, unsigned off, unsigned size, uint32_t old)
{
	(void)old;
	if ((off < CFG_PMBA + 4 && off + size > CFG_PMBA) ||
	    (off <= CFG_PMREGMISC && off + size > CFG_PMREGMISC) ||
	    (off < CFG_SMBBA + 4 && off + size > CFG_SMBBA) ||
	    (off <= CFG_SMBHSTCFG && off + size > CFG_SMBHSTCFG))
		io_update(d->opaque);
}

/* -- the device -- */

static void pm_reset(void *opaque)
{
	struct piix4_pm *p = opaque;
	p->pm1_sts = p->pm1_en = p->pm1_cnt = p->gpe_sts = p->gpe_en = 0;
	memset(p->plain, 0, sizeof(p->plain));
	memset(p->smb, 0, sizeof(p->smb));
	p->apmc = p->apms = 0;
	p->tmr_half = tmr_ticks(p) >> 23;
	timer_del(&p->tmr);
	io_update(p);	/* the bus restored the config registers */
	sci_update(p);
}

static void pm_save(void *opaque, struct snap *s)
{
	struct piix4_pm *p = opaque;
	snap_section_put(s, "piix4-pm", 1);
	SNAP_PUT(s, p->pm1_sts);
	SNAP_PUT(s, p->pm1_en);
	SNAP_PUT(s, p->pm1_cnt);
	SNAP_PUT(s, p->gpe_sts);
	SNAP_PUT(s, p->gpe_en);
	SNAP_PUT(s, p->tmr_half);
	SNAP_PUT(s, p->plain);
	SNAP_PUT(s, p->apmc);
	SNAP_PUT(s, p->apms);
	SNAP_PUT(s, p->smb);
}

static int pm_load(void *opaque, struct snap *s)
{
	struct piix4_pm *p = opaque;
	snap_section_get(s, "piix4-pm", 1);
	SNAP_GET(s, p->pm1_sts);
	SNAP_GET(s, p->pm1_en);
	SNAP_GET(s, p->pm1_cnt);
	SNAP_GET(s, p->gpe_sts);
	SNAP_GET(s, p->gpe_en);
	SNAP_GET(s, p->tmr_half);
	SNAP_GET(s, p->plain);
	SNAP_GET(s, p->apmc);
	SNAP_GET(s, p->apms);
	SNAP_GET(s, p->smb);
	if (s->error)
		return -1;
	io_update(p);
	tmr_arm(p);
	sci_update(p);
	return 0;
}

struct piix4_pm *piix4_pm_new(struct pci_bus *bus, struct bus *io, struct vclock *clock,
			      void (*poweroff)(void *opaque), void *opaque, struct device *dev)
{
	struct piix4_pm *p = calloc(1, sizeof(*p));
	if (!p) {
		log_error("piix4-pm: out of memory");
		return NULL;
	}
	p->io = io;
	p->clock = clock;
	p->poweroff = poweroff;
	p->opaque = opaque;
	timer_init(&p->tmr, clock, tmr_fire, p);

	struct pci_dev *d = &p->pci;
	pci_config_init(d, 0x8086, 0x7113, 0x03, 0x068000, 0);
	d->config[PCI_STATUS] = 0x80;		/* fast back-to-back */
	d->config[PCI_STATUS + 1] = 0x02;	/* DEVSEL medium */
	d->config[PCI_INTERRUPT_PIN] = 1;
	d->config[CFG_PMBA] = 0x01;		/* I/O space indicator, read-only */
	d->wmask[CFG_PMBA] = 0xc0;
	d->wmask[CFG_PMBA + 2] = d->wmask[CFG_PMBA + 3] = 0;
	d->config[CFG_DEVACTB + 3] = APMC_EN;	/* "SMM is set up already" */
	/* the SMBus where QEMU's pc machine starts it, enabled */
	d->config[CFG_SMBBA] = 0x01;
	d->config[CFG_SMBBA + 1] = PIIX4_SMB_BASE >> 8;
	d->wmask[CFG_SMBBA] = 0xf0;
	d->wmask[CFG_SMBBA + 2] = d->wmask[CFG_SMBBA + 3] = 0;
	d->config[CFG_SMBHSTCFG] = 0x09;
	d->config_write = pm_config_write;
	d->opaque = p;
	if (pci_register(bus, d, PIIX4_PM_DEVFN, "piix4-pm") < 0) {
		free(p);
		return NULL;
	}
	if (bus_register(io, PIIX4_SMI_CMD, 2, &apm_ops, p, "apm")) {
		log_error("piix4-pm: cannot claim the APM ports");
		/* the bus keeps d: this function stays, without APM ports */
	}
	*dev = (struct device){ "piix4-pm", p, pm_reset, pm_save, pm_load };
	pm_reset(p);
	return p;
}

void piix4_pm_free(struct piix4_pm *p)
{
	if (!p)
		return;
	timer_del(&p->tmr);
	free(p);
}

struct irq_line *piix4_pm_sci(struct piix4_pm *p)
{
	return &p->sci;
}

void piix4_pm_powerbutton(struct piix4_pm *p)
{
	p->pm1_sts |= PWRBTN_STS;
	sci_update(p);
}
