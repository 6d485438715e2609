/* Test guest: CPU exceptions #DE, #BP, #UD, #GP and a software INT reach the right IDT vector with the right frame. */
// SPDX-License-Identifier: MIT
#include "guest.h"

/* Set by each probe before it faults: where the faulting instruction starts
 * and where execution resumes after it. */
static volatile uint32_t fault_at, resume_at;
static volatile uint32_t got_vector, got_error, got_eip, got_cs, hits;

static void on_exception(struct frame *f)
{
	got_vector = f->vector;
	got_error = f->error;
	got_eip = f->eip;
	got_cs = f->cs;
	hits++;
	f->eip = resume_at;
}

static void expect_exception(const char *name, uint32_t vector, uint32_t eip, uint32_t error)
{
	if (hits != 1)
		fail("%s: handler ran %u times, want once", name, hits);
	expect_eq("exception vector", got_vector, vector);
	expect_eq("exception frame EIP", got_eip, eip);
	expect_eq("exception frame CS", got_cs & 0xffff, 0x08);
	expect_eq("exception error code", got_error, error);
	gprintf("%s ok: vector %u eip 0x%x\n", name, vector, eip);
	hits = 0;
}

int guest_main(void)
{
	gprintf("exceptions: start\n");
	idt_init();
	for (int v = 0; v < 32; v++)
		idt_set_handler(v, on_exception);
	idt_set_handler(0x80, on_exception);

	/* #DE: a fault, EIP points at the DIV. */
	__asm__ volatile("movl $1f, %0\n\t"
			 "movl $2f, %1\n\t"
			 "xorl %%ecx, %%ecx\n\t"
			 "movl $1, %%eax\n\t"
			 "xorl %%edx, %%edx\n"
			 "1:\tdivl %%ecx\n"
			 "2:"
			 : "=m"(fault_at), "=m"(resume_at) : : "eax", "ecx", "edx", "memory", "cc");
	expect_exception("#DE", 0, fault_at, 0);

	/* #BP: a trap, EIP points after the INT3. */
	__asm__ volatile("movl $1f, %0\n\t"
			 "movl $2f, %1\n"
			 "1:\tint3\n"
			 "2:"
			 : "=m"(fault_at), "=m"(resume_at) : : "memory");
	expect_exception("#BP", 3, resume_at, 0);

	/* #UD: a fault at the UD2. */
	__asm__ volatile("movl $1f, %0\n\t"
			 "movl $2f, %1\n"
			 "1:\tud2\n"
			 "2:"
			 : "=m"(fault_at), "=m"(resume_at) : : "memory");
	expect_exception("#UD", 6, fault_at, 0);

	/* #GP: loading a selector past the GDT limit; the error code is the
	 * selector with its RPL bits cleared. */
	__asm__ volatile("movl $1f, %0\n\t"
			 "movl $2f, %1\n\t"
			 "movl $0x1233, %%eax\n"
			 "1:\tmovl %%eax, %%es\n"
			 "2:\tmovl $0x10, %%eax\n\t"
			 "movl %%eax, %%es"
			 : "=m"(fault_at), "=m"(resume_at) : : "eax", "memory");
	expect_exception("#GP", 13, fault_at, 0x1230);

	/* INT 0x80: software interrupt, EIP after the two-byte instruction. */
	__asm__ volatile("movl $1f, %0\n\t"
			 "movl $2f, %1\n"
			 "1:\tint $0x80\n"
			 "2:"
			 : "=m"(fault_at), "=m"(resume_at) : : "memory");
	expect_exception("int 0x80", 0x80, resume_at, 0);

	/* The handler's IRET must have restored EFLAGS: IF still clear. */
	uint32_t flags;
	__asm__ volatile("pushfl; popl %0" : "=r"(flags));
	expect_eq("EFLAGS.IF after the exceptions", flags & 0x200, 0);
	gprintf("exceptions ok\n");
	return EXIT_PASS;
}
