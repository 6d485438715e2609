/* Test guest for the gdbstub (testsuite/boot/gdb.sh): well-known symbols to break, step, watch and patch. */
// SPDX-License-Identifier: MIT
//
// Built at -O0 with -g so that every symbol, line and variable gdb is asked
// about is where the source says. The run, in order:
//   target_func(1..5)  adds its argument to `counter` (15 in all)
//   step_demo()        step_a = 1; step_helper(); step_a = 2 (for step/next)
//   watched = 0x5a5a   the one write to `watched`, from 0x11
//   check_patch()      an empty function: gdb stops here and may write
//                      0x1234abcd into `patch_me`; the guest then says
//                      "patched ok" or "patch_me 0x22222222" on COM1
//   spin()             counts in `spins` forever (for the Ctrl-C test)
// Without a debugger the guest spins forever after its report: the test runs
// end it through gdb's `kill` or their timeout.
#include "guest.h"

volatile uint32_t counter;
volatile uint32_t watched = 0x11;
volatile uint32_t patch_me = 0x22222222;
volatile uint32_t step_a;
volatile uint32_t step_b;
volatile uint32_t spins;

__attribute__((noinline)) void target_func(int n);
__attribute__((noinline)) void step_helper(void);
__attribute__((noinline)) void step_demo(void);
__attribute__((noinline)) void check_patch(void);
__attribute__((noinline, noreturn)) void spin(void);

void target_func(int n)
{
	counter += (uint32_t)n;
}

void step_helper(void)
{
	step_b = step_a + 1;
}

void step_demo(void)
{
	step_a = 1;
	step_helper();
	step_a = 2;
}

void check_patch(void)
{
	barrier();
}

void spin(void)
{
	for (;;)
		spins++;
}

int guest_main(void)
{
	gprintf("gdbguest32 start\n");
	for (int i = 1; i <= 5; i++)
		target_func(i);
	step_demo();
	watched = 0x5a5a;
	check_patch();
	if (patch_me == 0x1234abcd)
		gprintf("patched ok\n");
	else
		gprintf("patch_me 0x%x\n", patch_me);
	gprintf("counter %u watched 0x%x\n", counter, watched);
	gprintf("spinning\n");
	spin();
}
