/* From the command line's machine config to the PC board's: the drives'
 * images opened, the VGA BIOS read, and after the board exists, what
 * SeaBIOS reads through fw_cfg. Every file problem is one error line naming
 * the file; nothing here runs the guest. */
#ifndef UI_PCBOARD_H
#define UI_PCBOARD_H

#include "firmware/loader.h"
#include "hw/board.h"
#include "ui/cmdline.h"

/* what pcboard_open holds for the board's lifetime */
struct pcboard_res {
	struct blockdev *drive[CFG_MAX_DRIVES];
	struct boot_file vga_rom;	/* the board copies it */
};

/* the VGA option ROM QEMU's standard VGA carries (Debian's seabios) */
#define PCBOARD_VGA_BIOS "/usr/share/seabios/vgabios-stdvga.bin"

/* open the images and the ROM and fill bc's drives, VGA and HPET fields;
 * 0, or -1 after one error line */
int pcboard_open(const struct machine_config *cfg, struct board_config *bc,
		 struct pcboard_res *res);
void pcboard_close(struct pcboard_res *res);
/* fill the board's fw_cfg for SeaBIOS; 0, or -1 after one error line */
int pcboard_firmware(const struct machine_config *cfg, struct board *b);

#endif
