; The nanobenchmarks of Adams and Agesen ("A comparison of software and
; hardware techniques for x86 virtualization", ASPLOS 2006): the cost of one
; privileged or virtualization-sensitive operation, each in a loop timed by
; RDTSC, in ns after the empty loop's cost is taken off.
; SPDX-License-Identifier: MIT
;
; A multiboot (a.out kludge) kernel like the others of guests3, with the small
; 64-bit runtime of lib64.inc (as longmode.asm): it starts in 32-bit protected
; mode, enters long mode (identity map of the first GiB) and measures, each in
; a loop of N iterations (N: what fills 200 ms at the rate of a probe of 1000, so
; a slow interpreter and hardware alike spend about 2 s in all):
;   syscall   SYSCALL from ring 3 to a handler that counts it and does SYSRET
;   in        IN AL, 0x61 (system control port B: the PIT's port, no side
;             effect on a read; served by trivisor, QEMU and KVM's PIT)
;   cr8wr     MOV CR8, RAX with RAX = 0 (the TPR, kept at 0)
;   call/ret  a near CALL to a RET
;   pgfault   a ring-0 read of a not-present page: the #PF handler sets P,
;             INVLPG, IRETQ; the loop clears P again (PTE write + INVLPG)
;             before each read, so that is part of each iteration
;   divzero   DIV by zero: the #DE handler steps over the 2-byte DIV, IRETQ
;   ptemod    toggle bit 9 (available to software) of a mapped page's PTE,
;             then INVLPG
;   cpuid     CPUID leaf 0
; The TSC is calibrated first against the PIT (channel 2 gated through port
; 0x61, mode 0, 50 ms: the classic method), so the numbers need no guess of
; its frequency. Output on COM1, one line each, machine-parsable:
;   NANO-TSC <kHz> kHz
;   NANO-EMPTY <ns> ns (N <n>)  one iteration of the empty loop
;   NANO <op> <ns> ns (N <n>)   per operation, the empty loop taken off
;   nanobench ok
; The checks (each handler ran exactly N times, the state each loop leaves)
; print "FAIL: ..." and the guest exits with 1 to port 0xf4 (status 3) at the
; end; all passed: 0 (status 1). An unexpected exception fails at once.

%include "lib64.inc"

; the two test pages (in the 4 KiB-mapped first 2 MiB, above the image)
PFPAGE		equ 0x1f0000
PTEPAGE		equ 0x1f1000
PF_PTE		equ pt + (PFPAGE >> 12) * 8
PTE_PTE		equ pt + (PTEPAGE >> 12) * 8
MAGIC		equ 0x5a

; PIT channel 2 for 50 ms: 1193182 Hz * 0.05
PIT_HZ		equ 1193182
PIT_LATCH	equ 59659

; the operations, their loop counts
OP_EMPTY	equ 0
OP_SYSCALL	equ 1
OP_IN		equ 2
OP_CR8		equ 3
OP_CALL		equ 4
OP_PGFAULT	equ 5
OP_DIVZERO	equ 6
OP_PTEMOD	equ 7
OP_CPUID	equ 8
NOPS		equ 9

; the iterations of each: a probe of PROBE, then enough for TARGET_MS
; (by the probe's rate) but at least PROBE and at most NMAX
PROBE		equ 1000
TARGET_MS	equ 200
NMAX		equ 100000000

start:
	cli
	cld
	mov esp, stack_top
	LM_CPU_INIT
	test edx, 1 << 11
	jnz .sc
	FAIL32 "CPUID says no SYSCALL"
.sc:	mov eax, 1
	cpuid
	test edx, 1 << 4
	jnz .tsc
	FAIL32 "CPUID says no TSC"
.tsc:	cmp dword [bss_end_ptr], PFPAGE
	jbe .fits
	FAIL32 "the image reaches the test pages"
.fits:
	; identity map the first GiB: 4 KiB pages below 2 MiB, 2 MiB pages above
	LM_IDENTITY_MAP 512

	LM_ENABLE
	jmp K64:long64

; ---- 64-bit runtime ----
bits 64

; CHECK actual, expected, "what": on a difference print a FAIL line with
; both and go on (r12 and r13 are scratch); the guest fails at the end
%macro CHECK 3
	mov r12, %1
	mov r13, %2
	cmp r12, r13
	je %%ok
	lea rsi, [rel %%m]
	call fail_eq
	jmp %%ok
%%m:	db %3, 0
%%ok:
%endmacro

; TSC reg: the 64-bit TSC into reg (clobbers rax, rdx)
%macro TSC 1
	rdtsc
	shl rdx, 32
	or rax, rdx
	mov %1, rax
%endmacro

; LOOP_BEGIN ... LOOP_END: the code between, [iters] times (r15 the
; counter, r14 the start TSC: the code must keep them), its TSC cycles
; into rax
%macro LOOP_BEGIN 0
%push loop
	mov r15, [iters]
	TSC r14
	align 16
%$l:
%endmacro

%macro LOOP_END 0
	dec r15
	jnz %$l
	TSC rax
	sub rax, r14
%pop
%endmacro

; rsi: NUL-terminated string to COM1
puts64:
	push rax
	push rcx
	push rdx
.c:	mov al, [rsi]
	inc rsi
	test al, al
	jz .d
	mov ah, al
	mov ecx, 100000
	mov dx, COM1 + 5
.w:	in al, dx
	test al, 0x20
	loopz .w
	mov al, ah
	mov dx, COM1
	out dx, al
	jmp .c
.d:	pop rdx
	pop rcx
	pop rax
	ret

; rax: unsigned, in decimal
putdec:
	push rax
	push rcx
	push rdx
	push rsi
	lea rsi, [rel decbuf + 23]
	mov byte [rsi], 0
	mov ecx, 10
.l:	xor edx, edx
	div rcx
	add dl, '0'
	dec rsi
	mov [rsi], dl
	test rax, rax
	jnz .l
	call puts64
	pop rsi
	pop rdx
	pop rcx
	pop rax
	ret

puthex64:
	push rax
	push rcx
	push rdx
	push rsi
	lea rsi, [rel decbuf + 16]
	mov byte [rsi], 0
	mov ecx, 16
.l:	mov edx, eax
	and edx, 15
	lea r8, [rel hexdigits]
	mov dl, [r8 + rdx]
	dec rsi
	mov [rsi], dl
	shr rax, 4
	loop .l
	call puts64
	pop rsi
	pop rdx
	pop rcx
	pop rax
	ret

; rax: signed tenths, as [-]I.F
putx10:
	push rax
	push rdx
	push rcx
	test rax, rax
	jns .pos
	lea rsi, [rel msg_minus]
	call puts64
	neg rax
.pos:	xor edx, edx
	mov ecx, 10
	div rcx
	call putdec
	lea rsi, [rel msg_dot]
	call puts64
	mov rax, rdx
	call putdec
	pop rcx
	pop rdx
	pop rax
	ret

; rsi: what; r12: got; r13: want. A FAIL line; the guest fails at the end.
; Keeps rax (an operation's cycles).
fail_eq:
	push rax
	call put_fail_eq
	mov byte [failed], 1
	pop rax
	ret

; any exception the benchmark did not ask for: report and fail
isr_common:
	lea rsi, [rel msg_unexp]
	call puts64
	mov rax, [rsp]
	call puthex64
	lea rsi, [rel msg_errc]
	call puts64
	mov rax, [rsp + 8]
	call puthex64
	lea rsi, [rel msg_at]
	call puts64
	mov rax, [rsp + 16]
	call puthex64
	lea rsi, [rel msg_cr2]
	call puts64
	mov rax, cr2
	call puthex64
	lea rsi, [rel msg_nl]
	call puts64
	jmp fail_exit64

; #PF: only at PFPAGE, from the pgfault loop: map it and return to the read
pf_handler:
	push rax
	mov rax, cr2
	cmp rax, PFPAGE
	jne .other
	or byte [PF_PTE], 1		; P
	invlpg [rax]
	inc qword [pf_count]
	pop rax
	add rsp, 8			; the error code
	iretq
.other:	pop rax
	jmp isr_stubs + 14 * 16

; #DE: only at de_insn: step over the 2-byte DIV
de_handler:
	push rax
	lea rax, [rel de_insn]
	cmp [rsp + 8], rax
	jne .other
	add qword [rsp + 8], 2
	inc qword [de_count]
	pop rax
	iretq
.other:	pop rax
	jmp isr_stubs

; SYSCALL from ring 3: count it and SYSRET, on the user's stack (it takes
; none); the one at user_exit_ret's return address goes back to the kernel
syscall_entry:
	cmp rcx, user_exit_ret
	je .exit
	inc qword [sys_count]
	o64 sysret
.exit:	mov ax, KDATA
	mov ds, ax
	mov es, ax
	mov rsp, [kernel_rsp]
	jmp after_user

nullfn:
	ret

long64:
	LM_SEGS64

	; IDT: every vector to the stubs (the rest share the last), #DE and #PF
	; to the benchmark's handlers
	call idt_fill
	lea rax, [rel de_handler]
	lea rbx, [rel idt + 0 * 16]
	call set_gate
	lea rax, [rel pf_handler]
	lea rbx, [rel idt + 14 * 16]
	call set_gate
	lidt [idtr]

	; the 64-bit TSS: RSP0 for an exception in ring 3
	call tss_init

	; SYSCALL: STAR, LSTAR, FMASK (TF, IF, DF, NT); EFER.SCE is set
	LM_SYSCALL_MSRS 0x4700

	; -- the TSC against PIT channel 2: gate on, speaker off, mode 0 --
	in al, 0x61
	and al, ~0x02
	or al, 0x01
	out 0x61, al
	mov al, 0xb0			; channel 2, LSB then MSB, mode 0, binary
	out 0x43, al
	mov al, PIT_LATCH & 0xff
	out 0x42, al
	mov al, PIT_LATCH >> 8
	out 0x42, al
	TSC r14
	mov ecx, 200000000
.pit:	in al, 0x61
	test al, 0x20			; OUT2: high at terminal count
	jnz .pitdone
	dec ecx
	jnz .pit
	lea rsi, [rel msg_pitstuck]
	jmp fail64
.pitdone:
	TSC rax
	sub rax, r14
	in al, 0x61			; gate off again
	and al, ~0x03
	out 0x61, al
	; kHz = cycles * PIT_HZ / (PIT_LATCH * 1000)
	mov rcx, PIT_HZ
	mul rcx
	mov rcx, PIT_LATCH * 1000
	div rcx
	mov [tsc_khz], rax
	lea rsi, [rel msg_tsc]
	call puts64
	call putdec
	lea rsi, [rel msg_khz]
	call puts64
	cmp rax, 50000			; 50 MHz to 50 GHz, or the calibration failed
	jb .badtsc
	cmp rax, 50000000
	jbe .oktsc
.badtsc:
	lea rsi, [rel msg_badtsc]
	jmp fail64
.oktsc:

	; -- each operation: a warm-up and a probe of PROBE iterations, then as many as
	; fill TARGET_MS by the probe's rate (within PROBE and NMAX) --
	mov rax, [tsc_khz]
	mov rcx, TARGET_MS
	mul rcx
	mov [target], rax
	xor ebx, ebx
.op:	push rbx
	mov qword [iters], PROBE
	call [funcs + rbx * 8]		; a first run: translators translate
	mov rbx, [rsp]
	mov qword [iters], PROBE
	call [funcs + rbx * 8]		; the probe
	pop rbx
	cmp rax, 1
	adc rax, 0			; at least 1 cycle
	mov rcx, rax
	mov rax, [target]
	mov rdx, PROBE
	mul rdx
	div rcx				; iterations for TARGET_MS
	cmp rax, PROBE
	jae .notlow
	mov eax, PROBE
.notlow:
	mov rcx, NMAX
	cmp rax, rcx
	jbe .nothigh
	mov rax, rcx
.nothigh:
	mov [iters], rax
	mov [counts + rbx * 8], rax
	push rbx
	call [funcs + rbx * 8]
	pop rbx
	mov [cycles + rbx * 8], rax
	inc ebx
	cmp ebx, NOPS
	jb .op

	; -- the report: ns per operation, the empty loop's cost taken off --
	; x1000 cycles per iteration of the empty loop
	mov rax, [cycles + OP_EMPTY * 8]
	mov rcx, 1000
	mul rcx
	div qword [counts + OP_EMPTY * 8]
	mov [base_x1000], rax
	lea rsi, [rel msg_empty]
	call puts64
	call x1000_to_ns10
	call putx10
	lea rsi, [rel msg_ns]
	call puts64
	lea rsi, [rel msg_n]
	call puts64
	mov rax, [counts + OP_EMPTY * 8]
	call putdec
	lea rsi, [rel msg_close]
	call puts64
	mov ebx, 1
.rep:	mov rax, [cycles + rbx * 8]
	test rax, rax
	jnz .nonzero
	lea rsi, [rel msg_notsc]
	call puts64
	mov byte [failed], 1
.nonzero:
	mov rcx, 1000
	mul rcx
	div qword [counts + rbx * 8]
	sub rax, [base_x1000]
	call x1000_to_ns10
	lea rsi, [rel msg_nano]
	call puts64
	mov rsi, [names + rbx * 8]
	call puts64
	lea rsi, [rel msg_sp]
	call puts64
	call putx10
	lea rsi, [rel msg_ns]
	call puts64
	lea rsi, [rel msg_n]
	call puts64
	mov rax, [counts + rbx * 8]
	call putdec
	lea rsi, [rel msg_close]
	call puts64
	inc ebx
	cmp ebx, NOPS
	jb .rep

	cmp byte [failed], 0
	jne fail_exit64
	lea rsi, [rel msg_ok]
	call puts64
	xor eax, eax
	out 0xf4, al
	hlt
	jmp fail_exit64

; ---- the operations: [iters] times each, the TSC cycles in rax; they
; may clobber any register but rsp, and check what they left ----

op_empty:
	LOOP_BEGIN
	LOOP_END
	ret

op_in:
	LOOP_BEGIN
	in al, 0x61
	LOOP_END
	CHECK r15, 0, "in: loop count"
	ret

op_cr8:
	xor ebx, ebx
	mov cr8, rbx
	LOOP_BEGIN
	mov cr8, rbx			; rbx = 0 (rax is the TSC's)
	LOOP_END
	mov rbp, rax
	mov rax, cr8
	CHECK rax, 0, "cr8wr: CR8 after the loop"
	mov rax, rbp
	ret

op_call:
	mov rbx, rsp
	LOOP_BEGIN
	call nullfn
	LOOP_END
	CHECK rsp, rbx, "call/ret: RSP after the loop"
	ret

op_pgfault:
	mov byte [PFPAGE], MAGIC
	mov qword [pf_count], 0
	xor ebx, ebx
	LOOP_BEGIN
	and byte [PF_PTE], ~1		; not present
	invlpg [PFPAGE]
	mov bl, [PFPAGE]		; #PF; the handler maps it; again
	LOOP_END
	CHECK [pf_count], [iters], "pgfault: #PF handler runs"
	CHECK rbx, MAGIC, "pgfault: the byte read"
	ret

op_divzero:
	mov qword [de_count], 0
	xor ecx, ecx
	LOOP_BEGIN
de_insn:
	div ecx				; F7 F1: 2 bytes
	LOOP_END
	CHECK [de_count], [iters], "divzero: #DE handler runs"
	ret

op_ptemod:
	mov byte [PTEPAGE], MAGIC
	mov rbx, [PTE_PTE]
	LOOP_BEGIN
	xor byte [PTE_PTE + 1], 0x02	; bit 9
	invlpg [PTEPAGE]
	LOOP_END
	mov rbp, rax
	mov rax, [iters]
	and eax, 1
	shl eax, 9
	xor rbx, rax
	CHECK [PTE_PTE], rbx, "ptemod: the PTE after the loop"
	and byte [PTE_PTE + 1], ~0x02
	movzx eax, byte [PTEPAGE]
	CHECK rax, MAGIC, "ptemod: the page after the loop"
	mov rax, rbp
	ret

op_cpuid:
	LOOP_BEGIN
	xor eax, eax
	cpuid
	LOOP_END
	mov rbp, rax
	CHECK r15, 0, "cpuid: loop count"
	xor eax, eax
	cpuid
	cmp eax, 1
	jae .leaf1
	lea rsi, [rel msg_cpuid0]
	call puts64
	mov byte [failed], 1
.leaf1:	mov rax, rbp
	ret

; syscall, from ring 3 (the loop runs there, RDTSC included)
op_syscall:
	mov qword [sys_count], 0
	mov [kernel_rsp], rsp
	push UDATA
	lea rax, [rel ustack_top]
	push rax
	push 0x2
	push U64
	lea rax, [rel user_bench]
	push rax
	iretq

user_bench:
	LOOP_BEGIN
	syscall
	LOOP_END
	mov rbp, rax
	syscall				; back to the kernel, at after_user
user_exit_ret:
	ud2

after_user:
	CHECK [sys_count], [iters], "syscall: handler runs"
	mov ax, cs
	movzx eax, ax
	CHECK rax, K64, "syscall: back in ring 0"
	mov rax, rbp
	ret

; rax: signed x1000 TSC cycles -> rax: signed tenths of ns, rounded
x1000_to_ns10:
	push rcx
	push rdx
	mov rcx, 10000
	imul rax, rcx			; cycles * 1e7, in ns * 10 * kHz
	mov rcx, [tsc_khz]
	mov rdx, rcx
	shr rdx, 1
	test rax, rax
	jns .r
	neg rdx
.r:	add rax, rdx
	cqo
	idiv rcx
	pop rdx
	pop rcx
	ret

msg_fail:	db "FAIL: ", 0
msg_got:	db ": got ", 0
msg_want:	db ", want ", 0
msg_unexp:	db "FAIL: unexpected exception ", 0
msg_errc:	db " error ", 0
msg_at:		db " at ", 0
msg_cr2:	db " cr2 ", 0
msg_nl:		db 13, 10, 0
msg_minus:	db "-", 0
msg_dot:	db ".", 0
msg_sp:		db " ", 0
msg_tsc:	db "NANO-TSC ", 0
msg_khz:	db " kHz", 13, 10, 0
msg_empty:	db "NANO-EMPTY ", 0
msg_nano:	db "NANO ", 0
msg_ns:		db " ns", 0
msg_n:		db " (N ", 0
msg_close:	db ")", 13, 10, 0
msg_ok:		db "nanobench ok", 13, 10, 0
msg_pitstuck:	db "PIT channel 2 OUT never rose (port 0x61 bit 5)", 0
msg_badtsc:	db "TSC calibration: frequency out of 50 MHz - 50 GHz", 0
msg_notsc:	db "FAIL: a loop took no TSC cycles", 13, 10, 0
msg_cpuid0:	db "FAIL: cpuid: leaf 0 says no leaf 1", 13, 10, 0
hexdigits:	db "0123456789abcdef"

name_syscall:	db "syscall", 0
name_in:	db "in", 0
name_cr8:	db "cr8wr", 0
name_call:	db "call/ret", 0
name_pgfault:	db "pgfault", 0
name_divzero:	db "divzero", 0
name_ptemod:	db "ptemod", 0
name_cpuid:	db "cpuid", 0

	align 8
names:		dq 0, name_syscall, name_in, name_cr8, name_call
		dq name_pgfault, name_divzero, name_ptemod, name_cpuid
funcs:		dq op_empty, op_syscall, op_in, op_cr8, op_call
		dq op_pgfault, op_divzero, op_ptemod, op_cpuid
bss_end_ptr:	dd bss_end

	LM_GDT
	LM_GDT_END

load_end:

	absolute load_end
	alignb 16
cycles:		resq NOPS
counts:		resq NOPS
iters:		resq 1
target:		resq 1
tsc_khz:	resq 1
base_x1000:	resq 1
pf_count:	resq 1
de_count:	resq 1
sys_count:	resq 1
kernel_rsp:	resq 1
decbuf:		resb 24
failed:		resb 1
	alignb 16
	LM_TABLES
		resb 8192
stack_top:
		resb 4096
kstack_top:
		resb 4096
ustack_top:
bss_end:
