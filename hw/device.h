/* A device as the board sees it: a name, reset, and save/load of its state.
 * Each device model lives in one file with one struct; its init function
 * registers its port/MMIO ranges on the bus and fills one of these. */
#ifndef HW_DEVICE_H
#define HW_DEVICE_H

#include "hw/snap.h"

struct device {
	const char *name;
	void *opaque;
	void (*reset)(void *opaque);
	void (*save)(void *opaque, struct snap *s);
	int (*load)(void *opaque, struct snap *s);	/* 0 ok, -1 bad state */
};

#endif
