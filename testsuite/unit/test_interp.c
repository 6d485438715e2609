/* Unit tests for the interpreter tier's core (cpu/interp/): the run loop,
 * segmented memory and its faults, the decode cache with self-modifying
 * and page-crossing code, near branches, the stack instructions, HLT and
 * interrupt acceptance. Tiny real- and protected-mode snippets (assembled
 * with nasm; the source is above each) run in-process on a 4 MiB VM. */
// SPDX-License-Identifier: MIT
#include "cpu/interp/interp.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cpu/vcpu.h"
#include "hw/lapic.h"
#include "testsuite/unit/check.h"
#include "testsuite/unit/vmrig.h"

/*
 * bits 32
 * org 0x10000
 *   mov ecx, 25000000
 * l: dec ecx
 *   jnz l
 *   hlt
 */
static const uint8_t code_bench[] = {
	0xb9, 0x40, 0x78, 0x7d, 0x01, 0x49, 0x75, 0xfd, 0xf4,
};

/*
 * bits 16
 * org 0x7c00
 *   mov sp, 0x7000
 *   call f1
 *   mov bx, ax
 *   push word 0x1234
 *   push word 0x5678
 *   call f2
 *   mov di, f3
 *   call di
 *   hlt
 * f1: mov ax, 0x42
 *   ret
 * f2: mov bp, sp
 *   mov cx, [bp+2]
 *   ret 4
 * f3: mov dx, 0x99
 *   ret
 */
static const uint8_t code_call[] = {
	0xbc, 0x00, 0x70, 0xe8, 0x11, 0x00, 0x89, 0xc3, 0x68, 0x34, 0x12, 0x68,
	0x78, 0x56, 0xe8, 0x0a, 0x00, 0xbf, 0x23, 0x7c, 0xff, 0xd7, 0xf4, 0xb8,
	0x42, 0x00, 0xc3, 0x89, 0xe5, 0x8b, 0x4e, 0x02, 0xc2, 0x04, 0x00, 0xba,
	0x99, 0x00, 0xc3,
};

/*
 * bits 16
 * org 0x1fe0
 *   mov bl, 0
 *   jmp x
 *   times 0x1d-($-$$) nop
 * x: mov eax, 0x12345678
 *   inc bl
 *   cmp bl, 2
 *   je done
 *   mov byte [0x2001], 0x99
 *   jmp x
 * done: mov word [0x2fff], 0xbeef
 *   hlt
 */
static const uint8_t code_cross[] = {
	0xb3, 0x00, 0xeb, 0x19, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
	0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
	0x90, 0x90, 0x90, 0x90, 0x90, 0x66, 0xb8, 0x78, 0x56, 0x34, 0x12, 0xfe,
	0xc3, 0x80, 0xfb, 0x02, 0x74, 0x07, 0xc6, 0x06, 0x01, 0x20, 0x99, 0xeb,
	0xec, 0xc7, 0x06, 0xff, 0x2f, 0xef, 0xbe, 0xf4,
};

/*
 * bits 16
 * org 0x7c00
 *   mov sp, 0x7000
 *   mov bp, 0x6ff0
 *   mov word [0x6fee], 0x1111
 *   mov word [0x6fec], 0x2222
 *   enter 8, 3
 *   hlt
 *   leave
 *   hlt
 *   mov sp, 0x7000
 *   mov bp, 0x6ff0
 *   mov dword [0x6fec], 0x33333333
 *   o32 enter 4, 2
 *   hlt
 *   o32 leave
 *   hlt
 */
static const uint8_t code_enter16[] = {
	0xbc, 0x00, 0x70, 0xbd, 0xf0, 0x6f, 0xc7, 0x06, 0xee, 0x6f, 0x11, 0x11,
	0xc7, 0x06, 0xec, 0x6f, 0x22, 0x22, 0xc8, 0x08, 0x00, 0x03, 0xf4, 0xc9,
	0xf4, 0xbc, 0x00, 0x70, 0xbd, 0xf0, 0x6f, 0x66, 0xc7, 0x06, 0xec, 0x6f,
	0x33, 0x33, 0x33, 0x33, 0x66, 0xc8, 0x04, 0x00, 0x02, 0xf4, 0x66, 0xc9,
	0xf4,
};

/*
 * bits 16
 * org 0x7c00
 *   mov ax, 0
 *   sti
 *   mov ax, 1
 *   mov cx, 2
 *   hlt
 */
static const uint8_t code_irq[] = {
	0xb8, 0x00, 0x00, 0xfb, 0xb8, 0x01, 0x00, 0xb9, 0x02, 0x00, 0xf4,
};

/*
 * bits 16
 * org 0x7c00
 *   mov ax, 1
 *   jmp short a
 *   mov ax, 2
 * a: cmp ax, 1
 *   je b
 *   mov bx, 0xbad
 * b: mov bx, 0x600d
 *   jne c
 *   mov cx, 3
 * c: jmp near d
 *   mov dx, 0xbad
 * d: mov si, e
 *   jmp si
 *   mov dx, 0xbad
 * e: hlt
 */
static const uint8_t code_jumps[] = {
	0xb8, 0x01, 0x00, 0xeb, 0x03, 0xb8, 0x02, 0x00, 0x83, 0xf8, 0x01, 0x74,
	0x03, 0xbb, 0xad, 0x0b, 0xbb, 0x0d, 0x60, 0x75, 0x03, 0xb9, 0x03, 0x00,
	0xe9, 0x03, 0x00, 0xba, 0xad, 0x0b, 0xbe, 0x26, 0x7c, 0xff, 0xe6, 0xba,
	0xad, 0x0b, 0xf4,
};

/*
 * bits 16
 * org 0x7c00
 *   mov ax, 0
 *   mov cx, 5
 * l1: inc ax
 *   loop l1
 *   mov cx, 10
 *   mov dx, 0
 * l2: inc dx
 *   cmp dx, 3
 *   loopne l2
 *   mov si, cx
 *   mov cx, 4
 *   mov bx, 0
 * l3: inc bx
 *   cmp bx, bx
 *   loope l3
 *   mov ecx, 0x00010001
 * l4: loop l4
 *   mov edi, ecx
 *   mov cx, 0
 *   jcxz ok
 *   mov bx, 0xbad
 * ok: mov ecx, 0x10000
 *   jecxz bad
 *   hlt
 * bad: mov bx, 0xbad
 *   hlt
 */
static const uint8_t code_loop[] = {
	0xb8, 0x00, 0x00, 0xb9, 0x05, 0x00, 0x40, 0xe2, 0xfd, 0xb9, 0x0a, 0x00,
	0xba, 0x00, 0x00, 0x42, 0x83, 0xfa, 0x03, 0xe0, 0xfa, 0x89, 0xce, 0xb9,
	0x04, 0x00, 0xbb, 0x00, 0x00, 0x43, 0x39, 0xdb, 0xe1, 0xfb, 0x66, 0xb9,
	0x01, 0x00, 0x01, 0x00, 0xe2, 0xfe, 0x66, 0x89, 0xcf, 0xb9, 0x00, 0x00,
	0xe3, 0x03, 0xbb, 0xad, 0x0b, 0x66, 0xb9, 0x00, 0x00, 0x01, 0x00, 0x67,
	0xe3, 0x01, 0xf4, 0xbb, 0xad, 0x0b, 0xf4,
};

/*
 * REP STOS/MOVS, which run a page at a time where they can (string.c):
 *   cld
 *   mov ax, 0xa55a / mov di, 0x0ff0 / mov cx, 0x900 / rep stosw   ; over a page end
 *   mov byte [0x3000], 0x77
 *   mov si, 0x3000 / mov di, 0x3001 / mov cx, 100 / rep movsb    ; overlap: 0x77 x 101
 *   mov si, 0x0ff0 / mov di, 0x4ff8 / mov cx, 0x100 / rep movsd  ; both sides cross
 *   mov ax, 0x1000 / mov es, ax
 *   mov di, 0xfffe / mov cx, 4 / mov al, 0x3c / rep stosb       ; DI wraps at 64K
 *   hlt
 */
static const uint8_t code_rep[] = {
	0xfc, 0xb8, 0x5a, 0xa5, 0xbf, 0xf0, 0x0f, 0xb9, 0x00, 0x09, 0xf3, 0xab,
	0xc6, 0x06, 0x00, 0x30, 0x77, 0xbe, 0x00, 0x30, 0xbf, 0x01, 0x30, 0xb9,
	0x64, 0x00, 0xf3, 0xa4, 0xbe, 0xf0, 0x0f, 0xbf, 0xf8, 0x4f, 0xb9, 0x00,
	0x01, 0xf3, 0x66, 0xa5, 0xb8, 0x00, 0x10, 0x8e, 0xc0, 0xbf, 0xfe, 0xff,
	0xb9, 0x04, 0x00, 0xb0, 0x3c, 0xf3, 0xaa, 0xf4,
};

/*
 * bits 32
 * org 0x10000
 *   mov eax, [0xffc]
 *   mov eax, [0xffd]
 *   hlt
 *   mov eax, [esp+0x1000]
 *   hlt
 *   mov eax, [es:0x2000]
 *   mov eax, [es:0x800]
 *   hlt
 */
static const uint8_t code_pm[] = {
	0xa1, 0xfc, 0x0f, 0x00, 0x00, 0xa1, 0xfd, 0x0f, 0x00, 0x00, 0xf4, 0x8b,
	0x84, 0x24, 0x00, 0x10, 0x00, 0x00, 0xf4, 0x26, 0xa1, 0x00, 0x20, 0x00,
	0x00, 0x26, 0xa1, 0x00, 0x08, 0x00, 0x00, 0xf4,
};

/*
 * bits 32
 * org 0x10000
 *   mov esp, 0x8000
 *   mov ebp, 0x7ff0
 *   mov dword [0x7fec], 0x11111111
 *   enter 0x10, 2
 *   hlt
 *   leave
 *   hlt
 *   mov dword [0x6000], 0x5a5a5a5a
 *   push dword [0x6000]
 *   pop dword [esp]
 *   mov esp, 0x8000
 *   push 0x44
 *   pop dword [esp+4]
 *   hlt
 *   push eax
 *   push word 0x1234
 *   hlt
 */
static const uint8_t code_pm2[] = {
	0xbc, 0x00, 0x80, 0x00, 0x00, 0xbd, 0xf0, 0x7f, 0x00, 0x00, 0xc7, 0x05,
	0xec, 0x7f, 0x00, 0x00, 0x11, 0x11, 0x11, 0x11, 0xc8, 0x10, 0x00, 0x02,
	0xf4, 0xc9, 0xf4, 0xc7, 0x05, 0x00, 0x60, 0x00, 0x00, 0x5a, 0x5a, 0x5a,
	0x5a, 0xff, 0x35, 0x00, 0x60, 0x00, 0x00, 0x8f, 0x04, 0x24, 0xbc, 0x00,
	0x80, 0x00, 0x00, 0x6a, 0x44, 0x8f, 0x44, 0x24, 0x04, 0xf4, 0x50, 0x66,
	0x68, 0x34, 0x12, 0xf4,
};

/*
 * bits 16
 * org 0x7c00
 *   mov sp, 0x7000
 *   push byte -2
 *   o32 push byte -3
 *   pop eax
 *   pop bx
 *   mov word [0x6000], 0xabcd
 *   push word [0x6000]
 *   pop word [0x6002]
 *   push sp
 *   pop cx
 *   mov sp, 0
 *   push word 0x7777
 *   mov dx, [0xfffe]
 *   mov sp, 0x7000
 *   mov ax, 0x1001
 *   mov cx, 0x1002
 *   mov dx, 0x1003
 *   mov bx, 0x1004
 *   mov bp, 0x1005
 *   mov si, 0x1006
 *   mov di, 0x1007
 *   pusha
 *   mov ax, 0
 *   mov cx, 0
 *   mov dx, 0
 *   mov bx, 0
 *   mov bp, 0
 *   mov si, 0
 *   mov di, 0
 *   popa
 *   hlt
 */
static const uint8_t code_push16[] = {
	0xbc, 0x00, 0x70, 0x6a, 0xfe, 0x66, 0x6a, 0xfd, 0x66, 0x58, 0x5b, 0xc7,
	0x06, 0x00, 0x60, 0xcd, 0xab, 0xff, 0x36, 0x00, 0x60, 0x8f, 0x06, 0x02,
	0x60, 0x54, 0x59, 0xbc, 0x00, 0x00, 0x68, 0x77, 0x77, 0x8b, 0x16, 0xfe,
	0xff, 0xbc, 0x00, 0x70, 0xb8, 0x01, 0x10, 0xb9, 0x02, 0x10, 0xba, 0x03,
	0x10, 0xbb, 0x04, 0x10, 0xbd, 0x05, 0x10, 0xbe, 0x06, 0x10, 0xbf, 0x07,
	0x10, 0x60, 0xb8, 0x00, 0x00, 0xb9, 0x00, 0x00, 0xba, 0x00, 0x00, 0xbb,
	0x00, 0x00, 0xbd, 0x00, 0x00, 0xbe, 0x00, 0x00, 0xbf, 0x00, 0x00, 0x61,
	0xf4,
};

/*
 * bits 16
 * org 0x7c00
 *   mov ax, [0xffff]
 *   hlt
 *   mov bp, 0
 *   mov ax, [bp+0xffff]
 *   hlt
 *   mov eax, [esi]
 *   hlt
 */
static const uint8_t code_rfault[] = {
	0xa1, 0xff, 0xff, 0xf4, 0xbd, 0x00, 0x00, 0x8b, 0x46, 0xff, 0xf4, 0x66,
	0x67, 0x8b, 0x06, 0xf4,
};

/*
 * bits 16
 * org 0x7c00
 *   mov bl, 0
 * p: mov al, 1
 *   inc bl
 *   cmp bl, 2
 *   je d
 *   mov byte [p+1], 5
 *   jmp p
 * d: mov byte [n+1], 7
 * n: mov cl, 3
 *   hlt
 */
static const uint8_t code_smc[] = {
	0xb3, 0x00, 0xb0, 0x01, 0xfe, 0xc3, 0x80, 0xfb, 0x02, 0x74, 0x07, 0xc6,
	0x06, 0x03, 0x7c, 0x05, 0xeb, 0xf0, 0xc6, 0x06, 0x18, 0x7c, 0x07, 0xb1,
	0x03, 0xf4,
};


/*
 * Self-modifying code inside a straight run (the fast loop's links of
 * consecutive instructions, learnt on the first passes): the fourth pass
 * writes the immediate of the very next instruction.
 * bits 16
 * org 0x7c00
 *   xor bx, bx
 *   xor dx, dx
 * p: mov si, [bx + tbl]
 *   mov [si], bl		; 0x9000 three times, then n+1
 * n: mov cl, 0x55
 *   add dl, cl
 *   add bx, 2
 *   cmp bx, 8
 *   jne p
 *   hlt
 * tbl: dw 0x9000, 0x9000, 0x9000, n+1
 */
static const uint8_t code_smc_run[] = {
	0x31, 0xdb, 0x31, 0xd2, 0x8b, 0xb7, 0x17, 0x7c, 0x88, 0x1c, 0xb1, 0x55,
	0x00, 0xca, 0x83, 0xc3, 0x02, 0x83, 0xfb, 0x08, 0x75, 0xee, 0xf4,
	0x00, 0x90, 0x00, 0x90, 0x00, 0x90, 0x0b, 0x7c,
};

/*
 * A fault in the middle of a straight run: #DE on the fourth pass, from
 * the third instruction of the run. The handler (IVT 0 -> 0:7d00) pops
 * the IP the CPU pushed into DI.
 * bits 16
 * org 0x7c00
 *   xor bx, bx
 *   mov cl, 3
 * p: inc bx
 *   mov ax, 0x10
 *   div cl		; 0x7c08
 *   inc bx
 *   dec cl
 *   jmp p
 * at 0x7d00: pop di
 *   hlt
 */
static const uint8_t code_fault_run[] = {
	0x31, 0xdb, 0xb1, 0x03, 0x43, 0xb8, 0x10, 0x00, 0xf6, 0xf1, 0x43, 0xfe,
	0xc9, 0xeb, 0xf5,
};

/* ---- the rig: a VM with RAM, a LAPIC and one vCPU in the tier under
 * test (the interpreter, then the translator: vmrig_tier) ---- */

static struct rig R;

#define RAM_SIZE (4u << 20)

static bool rig_up(void)
{
	bool ok = vmrig_up(&R, vmrig_tier, RAM_SIZE);
	CHECK(ok);
	return ok;
}

static void rig_down(void)
{
	vmrig_down(&R);
}

static uint8_t *ram(uint64_t gpa) { return R.pm.ram + gpa; }
static uint16_t rd16(uint64_t gpa) { uint16_t v; memcpy(&v, ram(gpa), 2); return v; }
static uint32_t rd32(uint64_t gpa) { uint32_t v; memcpy(&v, ram(gpa), 4); return v; }
static void wr16(uint64_t gpa, uint16_t v) { memcpy(ram(gpa), &v, 2); }
static void wr32(uint64_t gpa, uint32_t v) { memcpy(ram(gpa), &v, 4); }

static struct cpu_state *S(void) { return &R.v->s; }

/* a watchdog, so a broken loop fails the test instead of hanging it */
struct watchdog {
	pthread_t th;
	pthread_mutex_t m;
	pthread_cond_t cv;
	bool done, fired;
};

static void *watchdog_main(void *arg)
{
	struct watchdog *w = arg;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&w->m);
	while (!w->done)
		if (pthread_cond_timedwait(&w->cv, &w->m, &until) != 0)
			break;
	if (!w->done) {
		w->fired = true;
		vm_request_stop(&R.vm, VM_STOP_EXIT, 1);
	}
	pthread_mutex_unlock(&w->m);
	return NULL;
}

/* run until the tier exits (HLT, normally) */
static enum tier_exit run(void)
{
	struct watchdog w = { .done = false };
	pthread_mutex_init(&w.m, NULL);
	pthread_cond_init(&w.cv, NULL);
	pthread_create(&w.th, NULL, watchdog_main, &w);
	S()->run_state = CPU_RUNNING;
	enum tier_exit e = R.t->run(R.v);
	pthread_mutex_lock(&w.m);
	w.done = true;
	pthread_cond_signal(&w.cv);
	pthread_mutex_unlock(&w.m);
	pthread_join(w.th, NULL);
	if (w.fired) {
		printf("  watchdog: the guest ran 10 s without exiting (rip 0x%llx)\n",
		       (unsigned long long)S()->rip);
		atomic_store(&R.vm.stop, VM_RUNNING);
	}
	pthread_mutex_destroy(&w.m);
	pthread_cond_destroy(&w.cv);
	return e;
}

/* real mode, CS=DS=ES=SS=0, code at `at`, SP 0x7000 */
static void load_real(const uint8_t *code, size_t len, uint32_t at)
{
	struct cpu_state *s = S();
	cpu_state_reset(s, false);
	for (int i = 0; i < CPU_NR_SEGS; i++)
		cpu_seg_real(&s->seg[i], 0, i == S_CS);
	s->rip = at;
	s->gpr[R_ESP] = 0x7000;
	memset(ram(0), 0, RAM_SIZE);
	memcpy(ram(at), code, len);
	CHECK_EQ(R.t->sync_in(R.v), 0);
}

/* resume at rip after changing the state by hand */
static void resume(uint64_t rip)
{
	S()->rip = rip;
	CHECK_EQ(R.t->sync_in(R.v), 0);
}

/* real-mode handlers: IVT[v] -> 0:0x7e00 + 16v, each a HLT */
static void real_handlers(void)
{
	for (unsigned v = 0; v < 32; v++) {
		uint32_t h = 0x7e00 + 16 * v;
		wr32(v * 4, h);
		*ram(h) = 0xf4;
	}
}

static int real_vector(void)
{
	uint64_t rip = S()->rip;
	if (rip < 0x7e01 || rip >= 0x7e01 + 32 * 16 || (rip - 0x7e01) % 16)
		return -1;
	return (int)(rip - 0x7e01) / 16;
}

/* ---- protected mode: GDT at 0x1000, IDT at 0x2000 (interrupt gates to
 * 0x08:0x3000 + 16v, each a HLT), TSS at 0x5000, code at 0x10000 ---- */

enum {
	SEL_CODE = 0x08, SEL_DATA = 0x10, SEL_SMALL = 0x18, SEL_DOWN = 0x20,
	SEL_DATA16 = 0x28, SEL_CODE3 = 0x33, SEL_DATA3 = 0x3b, SEL_TSS = 0x40,
};

static void gdt_set(unsigned sel, uint32_t lo, uint32_t hi)
{
	wr32(0x1000 + (sel & ~7u), lo);
	wr32(0x1000 + (sel & ~7u) + 4, hi);
}

static void seg_set(int seg, uint16_t sel, uint32_t limit, uint32_t attr)
{
	struct cpu_segment *sg = &S()->seg[seg];
	sg->selector = sel;
	sg->base = 0;
	sg->limit = limit;
	sg->attr = attr;
}

static void load_pm(const uint8_t *code, size_t len)
{
	struct cpu_state *s = S();
	cpu_state_reset(s, false);
	memset(ram(0), 0, RAM_SIZE);
	gdt_set(SEL_CODE, 0x0000ffff, 0x00cf9b00);
	gdt_set(SEL_DATA, 0x0000ffff, 0x00cf9300);
	gdt_set(SEL_SMALL, 0x00000fff, 0x00409300);
	gdt_set(SEL_DOWN, 0x00000fff, 0x00409700);
	gdt_set(SEL_DATA16, 0x0000ffff, 0x00009300);
	gdt_set(SEL_CODE3, 0x0000ffff, 0x00cffb00);
	gdt_set(SEL_DATA3, 0x0000ffff, 0x00cff300);
	gdt_set(SEL_TSS, 0x50000067, 0x00008b00);
	for (unsigned v = 0; v < 32; v++) {
		uint32_t h = 0x3000 + 16 * v;
		wr32(0x2000 + 8 * v, (SEL_CODE << 16) | (h & 0xffff));
		wr32(0x2000 + 8 * v + 4, (h & 0xffff0000u) | 0x8e00);
		*ram(h) = 0xf4;
	}
	wr32(0x5004, 0x8800);		/* ESP0 */
	wr32(0x5008, SEL_DATA);		/* SS0 */
	memcpy(ram(0x10000), code, len);
	s->cr0 = CR0_PE | CR0_ET;
	s->gdt.base = 0x1000;
	s->gdt.limit = 0x47;
	s->idt.base = 0x2000;
	s->idt.limit = 32 * 8 - 1;
	s->tr = (struct cpu_segment){ SEL_TSS, 0x5000, 0x67, 0x8b };
	seg_set(S_CS, SEL_CODE, 0xffffffff, 0xc09b);
	for (int i = 0; i < CPU_NR_SEGS; i++)
		if (i != S_CS)
			seg_set(i, SEL_DATA, 0xffffffff, 0xc093);
	s->rip = 0x10000;
	s->gpr[R_ESP] = 0x8000;
	CHECK_EQ(R.t->sync_in(R.v), 0);
}

static int pm_vector(void)
{
	uint64_t rip = S()->rip;
	if (rip < 0x3001 || rip >= 0x3001 + 32 * 16 || (rip - 0x3001) % 16)
		return -1;
	return (int)(rip - 0x3001) / 16;
}

/* ---- the tests ---- */

/* the tier under test is usable, found by its name and id, and steps */
static void test_probe_and_name(void)
{
	const struct tier *t = vmrig_tier;
	struct tier_probe p;
	t->probe(&p);
	CHECK(p.usable);
	CHECK(tier_by_name(t->name) == t);
	CHECK(tier_table[t->id] == t);
	CHECK(t->step != NULL);
}

static void test_jumps(void)
{
	if (!rig_up())
		return;
	load_real(code_jumps, sizeof(code_jumps), 0x7c00);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(S()->gpr[R_EAX], 1);
	CHECK_EQ(S()->gpr[R_EBX], 0x600d);
	CHECK_EQ(S()->gpr[R_ECX], 3);
	CHECK_EQ(S()->gpr[R_EDX], 0x600);		/* untouched since reset */
	CHECK_EQ(S()->rip, 0x7c00 + sizeof(code_jumps));
	CHECK_EQ(S()->run_state, CPU_HALTED);
	CHECK(R.v->stats[R.t->id].insns >= 9);
	rig_down();
}

static void test_call_ret(void)
{
	if (!rig_up())
		return;
	load_real(code_call, sizeof(code_call), 0x7c00);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(S()->gpr[R_EBX], 0x42);
	CHECK_EQ(S()->gpr[R_ECX], 0x5678);
	CHECK_EQ(S()->gpr[R_EDX], 0x99);
	CHECK_EQ(S()->gpr[R_ESP], 0x7000);	/* RET 4 released both words */
	rig_down();
}

static void test_rep_strings(void)
{
	if (!rig_up())
		return;
	load_real(code_rep, sizeof(code_rep), 0x7c00);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(rd32(0x0ff0), 0xa55aa55a);
	CHECK_EQ(rd32(0x21ec), 0xa55aa55a);
	CHECK_EQ(*ram(0x21f0), 0);
	for (unsigned k = 0; k <= 100; k++)
		CHECK_EQ(*ram(0x3000 + k), 0x77);
	CHECK_EQ(*ram(0x3065), 0);
	CHECK_EQ(rd32(0x4ff8), 0xa55aa55a);
	CHECK_EQ(rd32(0x53f4), 0xa55aa55a);
	CHECK_EQ(rd32(0x53f8), 0);
	CHECK_EQ(S()->gpr[R_ESI], 0x13f0);
	CHECK_EQ(*ram(0x1fffe), 0x3c);
	CHECK_EQ(*ram(0x1ffff), 0x3c);
	CHECK_EQ(*ram(0x10000), 0x3c);
	CHECK_EQ(*ram(0x10001), 0x3c);
	CHECK_EQ(*ram(0x10002), 0);
	CHECK_EQ(S()->gpr[R_EDI], 2);
	CHECK_EQ(S()->gpr[R_ECX], 0);
	rig_down();
}

static void test_loops(void)
{
	if (!rig_up())
		return;
	load_real(code_loop, sizeof(code_loop), 0x7c00);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(S()->gpr[R_EAX], 5);		/* LOOP */
	CHECK_EQ(S()->gpr[R_ESI], 7);		/* LOOPNE stopped at DX=3 */
	CHECK_EQ(S()->gpr[R_EBX], 4);		/* LOOPE ran CX down */
	CHECK_EQ(S()->gpr[R_EDI], 0x10000);	/* 16-bit LOOP counts in CX only */
	CHECK_EQ(S()->rip, 0x7c00 + sizeof(code_loop) - 4);	/* JECXZ not taken */
	rig_down();
}

static void test_enter_leave_16(void)
{
	if (!rig_up())
		return;
	load_real(code_enter16, sizeof(code_enter16), 0x7c00);
	CHECK_EQ(run(), TIER_EXIT_HLT);		/* after ENTER 8, 3 */
	CHECK_EQ(rd16(0x6ffe), 0x6ff0);		/* old BP */
	CHECK_EQ(rd16(0x6ffc), 0x1111);		/* the outer frame pointers */
	CHECK_EQ(rd16(0x6ffa), 0x2222);
	CHECK_EQ(rd16(0x6ff8), 0x6ffe);		/* this frame */
	CHECK_EQ(S()->gpr[R_EBP], 0x6ffe);
	CHECK_EQ(S()->gpr[R_ESP], 0x6ff0);
	CHECK_EQ(run(), TIER_EXIT_HLT);		/* after LEAVE */
	CHECK_EQ(S()->gpr[R_EBP], 0x6ff0);
	CHECK_EQ(S()->gpr[R_ESP], 0x7000);
	CHECK_EQ(run(), TIER_EXIT_HLT);		/* after o32 ENTER 4, 2 on a 16-bit stack */
	CHECK_EQ(rd32(0x6ffc), 0x6ff0);
	CHECK_EQ(rd32(0x6ff8), 0x33333333);
	CHECK_EQ(rd32(0x6ff4), 0x6ffc);
	CHECK_EQ(S()->gpr[R_EBP], 0x6ffc);
	CHECK_EQ(S()->gpr[R_ESP], 0x6ff0);
	CHECK_EQ(run(), TIER_EXIT_HLT);		/* after o32 LEAVE */
	CHECK_EQ(S()->gpr[R_EBP], 0x6ff0);
	CHECK_EQ(S()->gpr[R_ESP], 0x7000);
	rig_down();
}

static void test_enter_leave_push_pop_32(void)
{
	if (!rig_up())
		return;
	load_pm(code_pm2, sizeof(code_pm2));
	CHECK_EQ(run(), TIER_EXIT_HLT);		/* after ENTER 0x10, 2 */
	CHECK_EQ(rd32(0x7ffc), 0x7ff0);
	CHECK_EQ(rd32(0x7ff8), 0x11111111);
	CHECK_EQ(rd32(0x7ff4), 0x7ffc);
	CHECK_EQ(S()->gpr[R_EBP], 0x7ffc);
	CHECK_EQ(S()->gpr[R_ESP], 0x7fe4);
	CHECK_EQ(run(), TIER_EXIT_HLT);		/* after LEAVE */
	CHECK_EQ(S()->gpr[R_EBP], 0x7ff0);
	CHECK_EQ(S()->gpr[R_ESP], 0x8000);
	CHECK_EQ(run(), TIER_EXIT_HLT);		/* push/pop with ESP-based destinations */
	CHECK_EQ(rd32(0x8000), 0x5a5a5a5a);	/* POP [ESP]: address after the pop */
	CHECK_EQ(rd32(0x8004), 0x44);		/* PUSH imm8 sign-extended; POP [ESP+4] */
	CHECK_EQ(S()->gpr[R_ESP], 0x8000);
	CHECK_EQ(S()->rip, 0x1003a);
	/* a 16-bit stack under 32-bit code: only SP moves, and wraps */
	seg_set(S_SS, SEL_DATA16, 0xffff, 0x0093);
	S()->gpr[R_ESP] = 0x12340004;
	S()->gpr[R_EAX] = 0xdeadbeef;
	resume(0x1003a);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(rd32(0x0000), 0xdeadbeef);
	CHECK_EQ(rd16(0xfffe), 0x1234);
	CHECK_EQ(S()->gpr[R_ESP], 0x1234fffe);
	rig_down();
}

static void test_push_pop_16(void)
{
	if (!rig_up())
		return;
	load_real(code_push16, sizeof(code_push16), 0x7c00);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(rd16(0x6002), 0xabcd);		/* PUSH m16, POP m16 */
	CHECK_EQ(rd16(0xfffe), 0x7777);		/* SP wrapped from 0 */
	CHECK_EQ(S()->gpr[R_EAX], 0xffff1001);	/* POPA restored all (16 bits) */
	CHECK_EQ(S()->gpr[R_ECX], 0x1002);
	CHECK_EQ(S()->gpr[R_EDX], 0x1003);
	CHECK_EQ(S()->gpr[R_EBX], 0x1004);
	CHECK_EQ(S()->gpr[R_EBP], 0x1005);
	CHECK_EQ(S()->gpr[R_ESI], 0x1006);
	CHECK_EQ(S()->gpr[R_EDI], 0x1007);
	CHECK_EQ(S()->gpr[R_ESP], 0x7000);
	CHECK_EQ(rd16(0x7000 - 10), 0x7000);	/* PUSHA stored the original SP */
	rig_down();
	/* the early registers, checked with a second run that stops sooner */
	if (!rig_up())
		return;
	load_real(code_push16, sizeof(code_push16), 0x7c00);
	for (int k = 0; k < 5; k++)
		CHECK_EQ(R.t->step(R.v), TIER_EXIT_KICK);
	CHECK_EQ(S()->gpr[R_EAX], 0xfffffffd);	/* o32 PUSH imm8: sign-extended dword */
	CHECK_EQ(S()->gpr[R_EBX], 0xfffe);	/* PUSH imm8: sign-extended word */
	CHECK_EQ(S()->gpr[R_ESP], 0x7000);
	for (int k = 0; k < 5; k++)
		R.t->step(R.v);
	CHECK_EQ(S()->gpr[R_ECX], 0x7000);	/* PUSH SP pushes the old SP */
	rig_down();
}

static void test_step_one(void)
{
	if (!rig_up())
		return;
	load_real(code_jumps, sizeof(code_jumps), 0x7c00);
	uint64_t n = R.v->stats[R.t->id].insns;
	CHECK_EQ(R.t->step(R.v), TIER_EXIT_KICK);
	CHECK_EQ(S()->rip, 0x7c03);
	CHECK_EQ(S()->gpr[R_EAX], 1);
	CHECK_EQ(R.v->stats[R.t->id].insns, n + 1);
	CHECK_EQ(R.t->step(R.v), TIER_EXIT_KICK);	/* jmp short */
	CHECK_EQ(S()->rip, 0x7c08);
	rig_down();
}

static void test_real_mode_limits(void)
{
	if (!rig_up())
		return;
	load_real(code_rfault, sizeof(code_rfault), 0x7c00);
	real_handlers();
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(real_vector(), EXC_GP);		/* word at DS:FFFF */
	CHECK_EQ(S()->gpr[R_ESP], 0x7000 - 6);
	CHECK_EQ(rd16(0x7000 - 6), 0x7c00);		/* IP of the faulting insn */
	S()->gpr[R_ESP] = 0x7000;
	resume(0x7c04);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(real_vector(), EXC_SS);		/* word at SS:FFFF via BP */
	CHECK_EQ(rd16(0x7000 - 6), 0x7c07);
	/* unreal mode: a 4 GiB DS limit kept in the hidden part */
	wr32(0x100000, 0xcafef00d);
	S()->gpr[R_ESP] = 0x7000;
	S()->gpr[R_ESI] = 0x100000;
	S()->seg[S_DS].limit = 0xffffffff;
	resume(0x7c0b);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(S()->gpr[R_EAX], 0xcafef00d);
	CHECK_EQ(S()->rip, 0x7c10);
	/* and the same with the real-mode limit faults */
	S()->seg[S_DS].limit = 0xffff;
	resume(0x7c0b);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(real_vector(), EXC_GP);
	rig_down();
}

static void test_protected_limits(void)
{
	if (!rig_up())
		return;
	load_pm(code_pm, sizeof(code_pm));
	seg_set(S_DS, SEL_SMALL, 0xfff, 0x4093);
	resume(0x10000);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(pm_vector(), EXC_GP);			/* dword at 0xffd, limit 0xfff */
	CHECK_EQ(S()->gpr[R_ESP], 0x8000 - 16);
	CHECK_EQ(rd32(0x8000 - 16), 0);			/* error code */
	CHECK_EQ(rd32(0x8000 - 12), 0x10005);		/* EIP of the faulting insn */
	CHECK_EQ(rd32(0x8000 - 8), SEL_CODE);

	/* through SS: #SS(0) */
	seg_set(S_DS, SEL_DATA, 0xffffffff, 0xc093);
	seg_set(S_SS, SEL_SMALL, 0xfff, 0x4093);
	S()->gpr[R_ESP] = 0x800;
	resume(0x1000b);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(pm_vector(), EXC_SS);
	CHECK_EQ(rd32(0x800 - 16), 0);
	CHECK_EQ(rd32(0x800 - 12), 0x1000b);

	/* expand-down: offsets above the limit are the valid ones */
	seg_set(S_SS, SEL_DATA, 0xffffffff, 0xc093);
	seg_set(S_ES, SEL_DOWN, 0xfff, 0x4097);
	wr32(0x2000, 0x600df00d);
	S()->gpr[R_ESP] = 0x8000;
	resume(0x10013);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(pm_vector(), EXC_GP);
	CHECK_EQ(rd32(0x8000 - 12), 0x10019);		/* the second access faulted */
	CHECK_EQ(S()->gpr[R_EAX], 0x600df00d);		/* the first one worked */

	/* a null data segment register faults any access */
	seg_set(S_ES, 0, 0, SEG_ATTR_UNUSABLE);
	S()->gpr[R_ESP] = 0x8000;
	resume(0x10013);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(pm_vector(), EXC_GP);
	CHECK_EQ(rd32(0x8000 - 12), 0x10013);
	rig_down();
}

static void test_hlt_cpl3(void)
{
	if (!rig_up())
		return;
	static const uint8_t code[] = { 0xf4 };	/* hlt */
	load_pm(code, sizeof(code));
	seg_set(S_CS, SEL_CODE3, 0xffffffff, 0xc0fb);
	for (int i = 0; i < CPU_NR_SEGS; i++)
		if (i != S_CS)
			seg_set(i, SEL_DATA3, 0xffffffff, 0xc0f3);
	S()->gpr[R_ESP] = 0x9000;
	resume(0x10000);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(pm_vector(), EXC_GP);			/* HLT at CPL 3 */
	CHECK_EQ(S()->seg[S_CS].selector, SEL_CODE);
	CHECK_EQ(S()->seg[S_SS].selector, SEL_DATA);
	CHECK_EQ(S()->gpr[R_ESP], 0x8800 - 24);		/* on the ring-0 stack */
	CHECK_EQ(rd32(0x8800 - 24), 0);			/* error code */
	CHECK_EQ(rd32(0x8800 - 20), 0x10000);
	CHECK_EQ(rd32(0x8800 - 16), SEL_CODE3);
	CHECK_EQ(rd32(0x8800 - 8), 0x9000);
	CHECK_EQ(rd32(0x8800 - 4), SEL_DATA3);
	rig_down();
}

/* P6 reserved NOPs: prefetch and hint forms never touch their operand */
static void test_hint_nops(void)
{
	if (!rig_up())
		return;
	static const uint8_t code[] = {
		0x0f, 0x18, 0x05, 0x00, 0x00, 0x00, 0xf0,	/* prefetchnta [0xf0000000] */
		0x0f, 0x1e, 0x05, 0x00, 0x00, 0x00, 0xf0,	/* hint nop [0xf0000000] */
		0x0f, 0x1f, 0x44, 0x00, 0x00,			/* nop dword [eax+eax+0] */
		0xf4,
	};
	load_pm(code, sizeof(code));
	/* a 64 KiB data limit: the operands are far outside it */
	seg_set(S_DS, SEL_DATA, 0xffff, 0x4093);
	resume(0x10000);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(S()->rip, 0x10000 + sizeof(code));
	CHECK_EQ(pm_vector(), -1);
	rig_down();
}

static void test_self_modifying(void)
{
	if (!rig_up())
		return;
	load_real(code_smc, sizeof(code_smc), 0x7c00);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(S()->gpr[R_EAX] & 0xff, 5);	/* re-executed after the write */
	CHECK_EQ(S()->gpr[R_ECX] & 0xff, 7);	/* the very next instruction changed */
	rig_down();
}

static void test_self_modifying_run(void)
{
	if (!rig_up())
		return;
	load_real(code_smc_run, sizeof(code_smc_run), 0x7c00);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(S()->gpr[R_ECX] & 0xff, 6);		/* the patched immediate */
	CHECK_EQ(S()->gpr[R_EDX] & 0xff, 0x05);		/* 3 * 0x55 + 6 */
	CHECK_EQ(*ram(0x9000), 4);			/* the last scratch write */
	rig_down();
}

static void test_fault_in_run(void)
{
	if (!rig_up())
		return;
	load_real(code_fault_run, sizeof(code_fault_run), 0x7c00);
	static const uint8_t handler[] = { 0x5f, 0xf4 };	/* pop di; hlt */
	memcpy(ram(0x7d00), handler, sizeof(handler));
	wr16(0, 0x7d00);				/* IVT 0: 0000:7d00 */
	wr16(2, 0);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(S()->gpr[R_EDI] & 0xffff, 0x7c08);	/* the DIV, not the run's start */
	CHECK_EQ(S()->gpr[R_EBX] & 0xffff, 7);		/* three passes and one INC */
	CHECK_EQ(S()->gpr[R_ECX] & 0xff, 0);
	/* 2 + 3 passes of 6 + 2 before the fault + POP and HLT */
	CHECK_EQ(R.v->stats[R.t->id].insns, 24);
	rig_down();
}

static void test_page_crossing(void)
{
	if (!rig_up())
		return;
	load_real(code_cross, sizeof(code_cross), 0x1fe0);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(S()->gpr[R_EAX], 0x12995678);	/* patched in its second page */
	CHECK_EQ(*ram(0x2fff), 0xef);		/* a word split over two pages */
	CHECK_EQ(*ram(0x3000), 0xbe);
	rig_down();
}

/* paging: identity map of 4 MiB but page 0x12000 not present */
static void paging_on(void)
{
	struct cpu_state *s = S();
	wr32(0x20000, 0x21000 | 3);
	for (unsigned p = 0; p < 1024; p++)
		wr32(0x21000 + 4 * p, p == 0x12 ? 0 : (p << 12) | 3);
	s->cr3 = 0x20000;
	s->cr0 |= CR0_PG;
}

static void test_page_fault_crossing(void)
{
	if (!rig_up())
		return;
	static const uint8_t code[] = {
		0xa3, 0xfe, 0x1f, 0x01, 0x00,	/* mov [0x11ffe], eax */
		0xf4,
	};
	load_pm(code, sizeof(code));
	paging_on();
	wr16(0x11ffe, 0x4242);
	S()->gpr[R_EAX] = 0x11223344;
	resume(0x10000);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(pm_vector(), EXC_PF);
	CHECK_EQ(S()->cr2, 0x12000);
	CHECK_EQ(rd32(0x8000 - 16), 2);			/* not present, write, supervisor */
	CHECK_EQ(rd32(0x8000 - 12), 0x10000);
	CHECK_EQ(rd16(0x11ffe), 0x4242);		/* nothing written */

	/* an instruction whose tail is on the missing page */
	static const uint8_t tail[] = { 0xb8, 0x78, 0x56 };	/* mov eax, imm32 (cut) */
	memcpy(ram(0x11ffd), tail, sizeof(tail));
	S()->gpr[R_ESP] = 0x8000;
	resume(0x11ffd);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(pm_vector(), EXC_PF);
	CHECK_EQ(S()->cr2, 0x12000);
	CHECK_EQ(rd32(0x8000 - 16) & (PFE_P | PFE_W | PFE_U), 0);
	CHECK_EQ(rd32(0x8000 - 12), 0x11ffd);
	rig_down();
}

/* PAE: a PDPT at `at` whose first entry points at a PD mapping 0-2 MiB
 * with one large page, plus `extra` or-ed into that entry */
static void pae_pdpt(uint32_t at, uint32_t extra)
{
	wr32(at, 0x21000 | 1 | extra);
	wr32(at + 4, 0);
	wr32(0x21000, 0x83);	/* P, RW, PS */
	wr32(0x21004, 0);
}

/* MOV to CR3 and to CR0 load the PDPTEs under PAE paging: a present one
 * with a reserved bit (bit 1 here) is #GP(0) and the register keeps its
 * old value */
static void test_pae_pdpte_load(void)
{
	if (!rig_up())
		return;
	static const uint8_t to_cr3[] = {
		0xb8, 0x00, 0x01, 0x02, 0x00,	/* mov eax, 0x20100 */
		0x0f, 0x22, 0xd8,		/* mov cr3, eax */
		0xf4,
	};
	load_pm(to_cr3, sizeof(to_cr3));
	pae_pdpt(0x20000, 0);
	pae_pdpt(0x20100, 2);
	S()->cr4 |= CR4_PAE;
	S()->cr3 = 0x20000;
	S()->cr0 |= CR0_PG;
	resume(0x10000);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(pm_vector(), EXC_GP);
	CHECK_EQ(rd32(0x8000 - 16), 0);
	CHECK_EQ(rd32(0x8000 - 12), 0x10005);
	CHECK_EQ(S()->cr3, 0x20000);

	/* a good table loads */
	pae_pdpt(0x20100, 0);
	S()->gpr[R_ESP] = 0x8000;
	resume(0x10000);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(S()->rip, 0x10009);
	CHECK_EQ(S()->cr3, 0x20100);

	/* turning paging on with PAE and a bad table */
	static const uint8_t to_cr0[] = {
		0x0f, 0x20, 0xc0,			/* mov eax, cr0 */
		0x0d, 0x00, 0x00, 0x00, 0x80,		/* or eax, 0x80000000 */
		0x0f, 0x22, 0xc0,			/* mov cr0, eax */
		0xf4,
	};
	load_pm(to_cr0, sizeof(to_cr0));
	pae_pdpt(0x20000, 2);
	S()->cr4 |= CR4_PAE;
	S()->cr3 = 0x20000;
	resume(0x10000);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(pm_vector(), EXC_GP);
	CHECK_EQ(rd32(0x8000 - 12), 0x10008);
	CHECK(!(S()->cr0 & CR0_PG));
	rig_down();
}

static void test_interrupt_shadow_and_delivery(void)
{
	if (!rig_up())
		return;
	load_real(code_irq, sizeof(code_irq), 0x7c00);
	/* the handler records AX and CX at the moment it was entered */
	static const uint8_t handler[] = {
		0x89, 0xc3,	/* mov bx, ax */
		0x89, 0xce,	/* mov si, cx */
		0xf4,		/* hlt */
	};
	memcpy(ram(0x7e00), handler, sizeof(handler));
	wr32(0x30 * 4, 0x7e00);
	pthread_mutex_lock(&R.lock);
	lapic_mmio_write(R.apic, 0xf0, 0x1ff);
	apic_bus_deliver(&R.ab, 0, 0, 0, 0x30, 0, 0, -1);
	pthread_mutex_unlock(&R.lock);
	CHECK_EQ(vcpu_irq_pending(R.v), 0x30);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(S()->rip, 0x7e05);			/* in the handler */
	CHECK_EQ(S()->gpr[R_EBX], 1);			/* STI's shadow let MOV AX run */
	CHECK_EQ(S()->gpr[R_ESI], 0);			/* but not the one after */
	CHECK_EQ(rd16(0x7000 - 6), 0x7c07);		/* return to MOV CX */
	CHECK_EQ(R.v->stats[R.t->id].irqs_injected, 1);
	CHECK(!(S()->rflags & FL_IF));
	rig_down();
}

static void test_hlt_then_interrupt(void)
{
	if (!rig_up())
		return;
	static const uint8_t code[] = {
		0xfb,			/* sti */
		0xf4,			/* hlt */
		0xeb, 0xfe,		/* jmp $ */
	};
	static const uint8_t handler[] = {
		0xc6, 0x06, 0x00, 0x06, 0x30,	/* mov byte [0x600], 0x30 */
		0xf4,				/* hlt */
	};
	load_real(code, sizeof(code), 0x7c00);
	memcpy(ram(0x7e00), handler, sizeof(handler));
	wr32(0x30 * 4, 0x7e00);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(S()->rip, 0x7c02);
	CHECK_EQ(S()->run_state, CPU_HALTED);
	CHECK(S()->rflags & FL_IF);
	pthread_mutex_lock(&R.lock);
	lapic_mmio_write(R.apic, 0xf0, 0x1ff);
	apic_bus_deliver(&R.ab, 0, 0, 0, 0x30, 0, 0, -1);
	pthread_mutex_unlock(&R.lock);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(*ram(0x600), 0x30);
	CHECK_EQ(rd16(0x7000 - 6), 0x7c02);		/* returns after the HLT */
	rig_down();
}

static void test_single_step(void)
{
	if (!rig_up())
		return;
	static const uint8_t code[] = {
		0xb8, 0x01, 0x00,	/* mov ax, 1 */
		0xbb, 0x02, 0x00,	/* mov bx, 2 */
		0xf4,			/* hlt */
	};
	load_real(code, sizeof(code), 0x7c00);
	real_handlers();
	S()->rflags |= FL_TF;
	resume(0x7c00);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	CHECK_EQ(real_vector(), EXC_DB);		/* trap after the first insn */
	CHECK_EQ(S()->gpr[R_EAX], 1);
	CHECK_EQ(S()->gpr[R_EBX], 0);
	CHECK_EQ(rd16(0x7000 - 6), 0x7c03);		/* returns to the next one */
	CHECK(rd16(0x7000 - 2) & FL_TF);		/* pushed FLAGS keep TF */
	CHECK(!(S()->rflags & FL_TF));			/* the handler runs without */
	CHECK(S()->dr[6] & (1u << 14));			/* DR6.BS */
	rig_down();
}

static void test_kick_stops(void)
{
	if (!rig_up())
		return;
	static const uint8_t code[] = { 0xeb, 0xfe };	/* jmp $ */
	load_real(code, sizeof(code), 0x7c00);
	vm_request_stop(&R.vm, VM_STOP_EXIT, 0);
	CHECK_EQ(run(), TIER_EXIT_KICK);
	atomic_store(&R.vm.stop, VM_RUNNING);
	rig_down();
}

/* not a check: how fast a two-instruction loop runs (-O1 with sanitizers
 * here; see the report for the -O2 build) */
static void test_speed(void)
{
	if (!rig_up())
		return;
	load_pm(code_bench, sizeof(code_bench));
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK_EQ(run(), TIER_EXIT_HLT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK_EQ(S()->gpr[R_ECX], 0);
	double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	uint64_t n = R.v->stats[R.t->id].insns;
	CHECK_EQ(n, 50000002);
	printf("  %llu instructions in %.3f s: %.1f MIPS\n", (unsigned long long)n, s,
	       (double)n / s / 1e6);
	rig_down();
}

int main(void)
{
	CHECK_SUITE("unit/interp");
	VMRIG_FOR_EACH_SOFT_TIER {
		RUN_TIER(test_probe_and_name);
		RUN_TIER(test_jumps);
		RUN_TIER(test_call_ret);
		RUN_TIER(test_loops);
		RUN_TIER(test_rep_strings);
		RUN_TIER(test_enter_leave_16);
		RUN_TIER(test_enter_leave_push_pop_32);
		RUN_TIER(test_push_pop_16);
		RUN_TIER(test_step_one);
		RUN_TIER(test_real_mode_limits);
		RUN_TIER(test_protected_limits);
		RUN_TIER(test_hlt_cpl3);
		RUN_TIER(test_hint_nops);
		RUN_TIER(test_self_modifying);
		RUN_TIER(test_self_modifying_run);
		RUN_TIER(test_fault_in_run);
		RUN_TIER(test_page_crossing);
		RUN_TIER(test_page_fault_crossing);
		RUN_TIER(test_pae_pdpte_load);
		RUN_TIER(test_interrupt_shadow_and_delivery);
		RUN_TIER(test_hlt_then_interrupt);
		RUN_TIER(test_single_step);
		RUN_TIER(test_kick_stops);
		RUN_TIER(test_speed);
	}
	return CHECK_EXIT();
}
