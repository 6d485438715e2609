; Long mode: entering and leaving IA-32e mode, 64-bit code, 4-level paging with 4 KiB,
; 2 MiB and 1 GiB pages, the 64-bit IDT with IST, IRETQ, SYSCALL/SYSRET, SWAPGS, the
; FS/GS base MSRs, a 64-bit call gate, RDTSCP, CMPXCHG16B, BSF/BSR and compatibility mode.
; SPDX-License-Identifier: MIT
;
; A multiboot (a.out kludge) kernel like the others of guests3, with the small
; runtime of lib64.inc (lib.inc is 32-bit). It starts in 32-bit protected
; mode, enters long mode, runs the checks in ring 0 and ring 3, goes to
; compatibility mode, turns paging off (which leaves long mode) and says
; "longmode ok". Exits: 0 to port 0xf4 when all passed (status 1), 1 on the
; first failure (status 3), with "FAIL: ..." on COM1.

%include "lib64.inc"

SEL_GATE	equ 0x4b		; 64-bit call gate, DPL 3, 16 bytes
SEL_NP		equ 0x58		; a data segment that is not present

MSR_FS_BASE	equ 0xc0000100
MSR_GS_BASE	equ 0xc0000101
MSR_KGS_BASE	equ 0xc0000102
MSR_TSC_AUX	equ 0xc0000103

HOLE		equ 0x1ff000		; the one 4 KiB page left unmapped
ALIAS		equ 0x40000000		; a 1 GiB page onto physical 0

; ---- 32-bit checks (before long mode and in compatibility mode) ----

%macro CHECK32 3
	cmp %1, %2
	je %%ok
	FAIL32 %3
%%ok:
%endmacro

start:
	cli
	cld
	mov esp, stack_top
	; "qemu-lax" on the command line: skip what QEMU's TCG does not model
	cmp eax, 0x2BADB002
	jne .nolax
	test byte [ebx], 4
	jz .nolax
	mov esi, [ebx + 16]
.scan:	cmp byte [esi], 0
	je .nolax
	mov edi, lax_word
	mov ecx, lax_word_len
	push esi
	repe cmpsb
	pop esi
	je .lax
	inc esi
	jmp .scan
.lax:	mov byte [lax], 1
.nolax:
	LM_CPU_INIT
	test edx, 1 << 26
	jnz .gb
	FAIL32 "CPUID says no 1 GiB pages"
.gb:	mov eax, 1
	cpuid
	test ecx, 1 << 13
	jnz .cx16
	FAIL32 "CPUID says no CMPXCHG16B"
.cx16:
	; identity map the first 64 MiB: 4 KiB pages below 2 MiB (but HOLE),
	; 2 MiB pages above; PDPT[1] a 1 GiB page at ALIAS onto physical 0
	LM_IDENTITY_MAP 32
	mov dword [pdpt + 8], 0x87
	mov dword [pt + (HOLE >> 12) * 8], 0

	LM_ENABLE
	mov ecx, MSR_EFER
	rdmsr
	test eax, 1 << 10
	jnz .lma
	FAIL32 "EFER.LMA not set by CR0.PG with LME"
.lma:	jmp K64:long64

; ---- 64-bit runtime ----
bits 64

%macro FAIL 1
	lea rsi, [rel %%m]
	jmp fail64
%%m:	db %1, 0
%endmacro

%macro FAIL_NZ 1			; fail when ZF is clear
	jz %%ok
	FAIL %1
%%ok:
%endmacro

%macro FAIL_Z 1				; fail when ZF is set
	jnz %%ok
	FAIL %1
%%ok:
%endmacro

; CHECKQ actual, expected, "what": 64-bit compare (r12 and r13 are scratch)
%macro CHECKQ 3
	mov r12, %1
	mov r13, %2
	cmp r12, r13
	je %%ok
	lea rsi, [rel %%m]
	jmp fail_eq64
%%m:	db %3, 0
%%ok:
%endmacro

; TRY ... CATCH vector, error (-1: any), "what": the code between must fault;
; the handler resumes at CATCH with the RSP, CS and SS that TRY saw
%macro TRY 0
%push try
	lea rax, [rel %$caught]
	mov [recover], rax
	mov [recover_rsp], rsp
	mov ax, cs
	movzx rax, ax
	mov [recover_cs], rax
	mov ax, ss
	movzx rax, ax
	mov [recover_ss], rax
%endmacro

%macro CATCH 3
	mov qword [recover], 0
	FAIL {%3, ": no exception"}
%$caught:
	CHECKQ rsp, [recover_rsp], {%3, ": RSP after IRETQ"}
	CHECKQ [got_vec], %1, {%3, ": vector"}
%if %2 != -1
	CHECKQ [got_err], %2, {%3, ": error code"}
%endif
%pop
%endmacro

fail_eq64:
	call put_fail_eq
	jmp fail_exit64

puts64:
	push rax
	push rdx
.c:	mov al, [rsi]
	inc rsi
	test al, al
	jz .d
	mov dx, COM1
	out dx, al
	jmp .c
.d:	pop rdx
	pop rax
	ret

puthex64:
	push rcx
	push rdx
	push rbx
	mov ecx, 16
.l:	rol rax, 4
	mov ebx, eax
	and ebx, 15
	lea rdx, [rel hexdigits]
	mov bl, [rdx + rbx]
	push rax
	mov al, bl
	mov dx, COM1
	out dx, al
	pop rax
	loop .l
	pop rbx
	pop rdx
	pop rcx
	ret

; frame on entry (after push rax): rax, vector, error, RIP, CS, RFLAGS, RSP, SS
isr_common:
	push rax
	mov rax, [rsp + 8]
	mov [got_vec], rax
	mov rax, [rsp + 16]
	mov [got_err], rax
	mov rax, [rsp + 24]
	mov [got_rip], rax
	mov rax, [rsp + 32]
	mov [got_cs], rax
	mov rax, [rsp + 48]
	mov [got_rsp], rax
	mov rax, [rsp + 56]
	mov [got_ss], rax
	mov [got_hrsp], rsp
	mov rax, cr2
	mov [got_cr2], rax
	mov rax, [recover]
	test rax, rax
	jz .unexpected
	mov qword [recover], 0
	mov [rsp + 24], rax
	mov rax, [recover_cs]
	mov [rsp + 32], rax
	mov rax, [recover_rsp]
	mov [rsp + 48], rax
	mov rax, [recover_ss]
	mov [rsp + 56], rax
	pop rax
	add rsp, 16
	iretq
.unexpected:
	lea rsi, [rel msg_unexp]
	call puts64
	mov rax, [got_vec]
	call puthex64
	lea rsi, [rel msg_at]
	call puts64
	mov rax, [got_rip]
	call puthex64
	lea rsi, [rel msg_nl]
	call puts64
	jmp fail_exit64

; INT 0x80 from ring 3: check the frame the stack switch built
int80:
	mov [int80_rsp], rsp
	inc qword [int80_count]
	iretq

; SYSCALL from ring 3: kernel stack by SWAPGS as an OS does
syscall_entry:
	swapgs
	mov [gs:16], rsp		; the user RSP
	mov rsp, [gs:24]		; the kernel stack
	push rcx
	push r11
	pushfq
	pop rcx
	mov [sys_rflags], rcx
	mov ax, cs
	mov [sys_cs], ax
	mov ax, ss
	mov [sys_ss], ax
	pop r11
	pop rcx
	mov [sys_rcx], rcx
	mov [sys_r11], r11
	mov rsp, [gs:16]
	swapgs
	mov eax, 0x777
	o64 sysret

; the 64-bit call gate's target: CPL 0 with a null SS
gate_entry:
	mov ax, ss
	mov [gate_ss], ax
	mov [gate_rsp], rsp
	mov ax, KDATA
	mov ss, ax
	mov rsp, stack_top
	jmp kernel_after_user

; ---- the checks ----
long64:
	LM_SEGS64

	; IDT: 64-bit interrupt gates to the stubs; #UD on IST1; 0x80 DPL 3
	call idt_fill
	mov byte [idt + 6 * 16 + 4], 1	; #UD: IST1
	mov byte [idt + 12 * 16 + 4], 1	; #SS: IST1 (the stack may be what faulted)
	lea rax, [rel int80]
	lea rbx, [rel idt + 0x80 * 16]
	call set_gate
	mov byte [idt + 0x80 * 16 + 5], 0xee
	lidt [idtr]

	; the 64-bit TSS: RSP0, IST1 (read at each interrupt, so after LTR is as good)
	call tss_init
	lea rax, [rel ist1_top]
	mov [tss + 0x24], rax

	; the call gate: to gate_entry in K64
	lea rax, [rel gate_entry]
	mov [gdt + (SEL_GATE & ~7)], ax
	mov word [gdt + (SEL_GATE & ~7) + 2], K64
	mov word [gdt + (SEL_GATE & ~7) + 4], 0xec00
	shr rax, 16
	mov [gdt + (SEL_GATE & ~7) + 6], ax
	shr rax, 16
	mov [gdt + (SEL_GATE & ~7) + 8], eax
	mov dword [gdt + (SEL_GATE & ~7) + 12], 0

	; -- 64-bit integer code --
	mov rax, 0x123456789abcdef0
	mov rbx, 0x0fedcba987654321
	add rax, rbx
	CHECKQ rax, 0x2222222222222211, "add r64"
	mov r9, -1
	add r9, 1
	pushfq
	pop rax
	and eax, 0x41
	CHECKQ rax, 0x41, "add r64 to zero: ZF CF"
	CHECKQ r9, 0, "add r64 to zero"
	mov ecx, 0x80000000
	movsxd rdx, ecx
	CHECKQ rdx, 0xffffffff80000000, "movsxd"
	mov rax, -1
	mov eax, 1
	CHECKQ rax, 1, "32-bit write zero-extends"
	mov rax, -1
	mov ax, 2
	CHECKQ rax, 0xffffffffffff0002, "16-bit write merges"
	mov rax, 1
	shl rax, 63
	CHECKQ rax, 0x8000000000000000, "shl r64, 63"
	mov rax, 0x100000001
	mov rcx, 3
	mul rcx
	CHECKQ rax, 0x300000003, "mul r64 low"
	CHECKQ rdx, 0, "mul r64 high"
	mov rdx, 1
	xor eax, eax
	mov rcx, 2
	div rcx
	CHECKQ rax, 0x8000000000000000, "div r128/r64"
	mov rax, -5
	cqo
	CHECKQ rdx, -1, "cqo"
	mov sil, 0x5a
	movzx eax, sil
	CHECKQ rax, 0x5a, "sil"
	mov r15, 0x1111111111111111
	mov r15b, 0x22
	CHECKQ r15, 0x1111111111111122, "r15b"
	mov rax, 0x0102030405060708
	bswap rax
	CHECKQ rax, 0x0807060504030201, "bswap r64"
	lea rax, [rel here]
here:	mov rbx, here
	CHECKQ rax, rbx, "RIP-relative lea"
	mov rax, [rel qval]
	CHECKQ rax, 0xfeedfacecafebeef, "RIP-relative load"
	mov rcx, rsp
	mov rax, 0x1122334455667788
	push rax
	sub rcx, rsp
	pop rbx
	CHECKQ rcx, 8, "push r64 size"
	CHECKQ rbx, 0x1122334455667788, "push/pop r64"
	lea rsi, [rel qval]
	lea rdi, [rel qbuf]
	mov ecx, 2
	rep movsq
	CHECKQ [qbuf + 8], 0x0123456789abcdef, "rep movsq"

	; CMPXCHG16B: equal, different, misaligned
	mov qword [cx16buf], 1
	mov qword [cx16buf + 8], 2
	mov eax, 1
	mov edx, 2
	mov ebx, 3
	mov ecx, 4
	lock cmpxchg16b [cx16buf]
	FAIL_NZ "cmpxchg16b equal: ZF"
	CHECKQ [cx16buf + 8], 4, "cmpxchg16b equal: stored"
	xor eax, eax
	xor edx, edx
	cmpxchg16b [cx16buf]
	FAIL_Z "cmpxchg16b different: ZF"
	CHECKQ rax, 3, "cmpxchg16b different: rax"
	TRY
	cmpxchg16b [cx16buf + 8]
	CATCH 13, 0, "cmpxchg16b misaligned"

	; BSF, BSR and TZCNT (BSF without BMI1 in CPUID): a zero source
	; sets ZF and keeps the destination
	mov rax, 0x0010000000000100
	bsf rcx, rax
	FAIL_Z "bsf: ZF"
	bsr rdx, rax
	tzcnt rbx, rax
	CHECKQ rcx, 8, "bsf"
	CHECKQ rdx, 52, "bsr"
	CHECKQ rbx, 8, "tzcnt without BMI1"
	mov qword [qbuf], 0x40008000
	bsf rdx, [qbuf]
	CHECKQ rdx, 15, "bsf of memory"
	mov rbx, 0x5555
	xor eax, eax
	bsf rbx, rax
	FAIL_NZ "bsf of 0: ZF"
	CHECKQ rbx, 0x5555, "bsf of 0 keeps the destination"

	; -- paging --
	mov qword [0x300000], 0x55aa
	mov rax, [ALIAS + 0x300000]
	CHECKQ rax, 0x55aa, "1 GiB page"
	mov qword [ALIAS + 0x300008], 0x66bb
	CHECKQ [0x300008], 0x66bb, "write through a 1 GiB page"
	and qword [pd + 2 * 8], ~0x60
	invlpg [0x400000]
	mov qword [0x400000], 1
	mov rax, [pd + 2 * 8]
	and eax, 0x60
	CHECKQ rax, 0x60, "2 MiB page: A and D set"
	TRY
	mov rax, [HOLE]
	CATCH 14, 0, "#PF read"
	CHECKQ [got_cr2], HOLE, "#PF: CR2"
	TRY
	mov qword [HOLE + 8], 1
	CATCH 14, 2, "#PF write"
	mov rbx, 0x0000800000000000
	TRY
	mov rax, [rbx]
	CATCH 13, 0, "non-canonical load"
	TRY
	mov rax, [qword 0x0000800000000000]	; A1 with a 64-bit offset
	CATCH 13, 0, "moffs64: the whole offset (non-canonical)"
	cmp byte [lax], 0		; QEMU's TCG gives #GP here
	jne .lax_ss
	mov rbx, 0x8000000000001000
	TRY
	mov rsp, rbx
	push rax
	CATCH 12, 0, "non-canonical stack"
.lax_ss:
	TRY
	ud2
	CATCH 6, -1, "ud2"
	lea rax, [rel ist1_top - 64]
	CHECKQ [got_hrsp], rax, "#UD on IST1"
	cmp byte [lax], 0		; QEMU's TCG leaves long mode here, changes LME
	jne .lax_pg
	TRY
	mov rax, cr0
	btr rax, 31
	mov cr0, rax
	CATCH 13, 0, "paging off in 64-bit mode"
	TRY
	mov ecx, MSR_EFER
	rdmsr
	btr eax, 8
	wrmsr
	CATCH 13, 0, "EFER.LME with paging on"
.lax_pg:

	; -- MSRs: FS/GS bases, SWAPGS, TSC_AUX --
	lea rax, [rel fsdata]
	mov rdx, rax
	shr rdx, 32
	mov ecx, MSR_FS_BASE
	wrmsr
	CHECKQ [fs:8], 0x4653, "FS base"
	lea rax, [rel gsdata_user]
	mov rdx, rax
	shr rdx, 32
	mov ecx, MSR_GS_BASE
	wrmsr
	lea rax, [rel gsdata_kernel]
	mov rdx, rax
	shr rdx, 32
	mov ecx, MSR_KGS_BASE
	wrmsr
	CHECKQ [gs:0], 0x7573, "GS base"
	swapgs
	CHECKQ [gs:0], 0x6b6e, "GS base after swapgs"
	swapgs
	; off one register on both sides of a SWAPGS (a translator checking
	; the two accesses as one must not)
	xor ebx, ebx
	mov rax, [gs:rbx]
	swapgs
	mov rdx, [gs:rbx]
	swapgs
	CHECKQ rax, 0x7573, "GS base before swapgs, off a register"
	CHECKQ rdx, 0x6b6e, "GS base after swapgs, off a register"
	cmp byte [lax], 0		; QEMU's TCG takes any GS base
	jne .lax_gs
	TRY
	mov ecx, MSR_GS_BASE
	xor eax, eax
	mov edx, 0x8000
	wrmsr
	CATCH 13, 0, "non-canonical GS base"
.lax_gs:
	; the MTRRs: kept as written; a reserved type or bit is #GP
	mov ecx, 0xfe			; MTRRCAP
	rdmsr
	and eax, 0x1ff
	CHECKQ rax, 0x108, "MTRRCAP: 8 variable ranges, fixed ranges"
	mov ecx, 0x2ff			; MTRR_DEF_TYPE: enabled, fixed, WB
	mov eax, 0xc06
	xor edx, edx
	wrmsr
	rdmsr
	CHECKQ rax, 0xc06, "MTRR_DEF_TYPE"
	mov ecx, 0x201			; PHYSMASK0: valid, 4 GiB
	mov eax, 0x00000800
	mov edx, 0xff
	wrmsr
	rdmsr
	shl rdx, 32
	or rax, rdx
	CHECKQ rax, 0xff00000800, "MTRR_PHYSMASK0"
	cmp byte [lax], 0		; QEMU's TCG takes any MTRR value
	jne .lax_mtrr
	TRY
	mov ecx, 0x2ff
	mov eax, 0xc02			; type 2 is reserved
	xor edx, edx
	wrmsr
	CATCH 13, 0, "MTRR_DEF_TYPE type 2"
	TRY
	mov ecx, 0x201
	mov eax, 0x801			; bits 0-10 of a mask are reserved
	xor edx, edx
	wrmsr
	CATCH 13, 0, "MTRR_PHYSMASK0 reserved bit"
.lax_mtrr:
	mov ecx, MSR_TSC_AUX
	mov eax, 0x1234
	xor edx, edx
	wrmsr
	rdtscp
	CHECKQ rcx, 0x1234, "rdtscp: TSC_AUX"

	; -- XSAVE for the x87 and SSE components (QEMU's qemu64 has none) --
	mov eax, 1
	cpuid
	bt ecx, 26
	jc .xsave
	cmp byte [rel lax], 0
	jne .lax_xsave
	FAIL "CPUID says no XSAVE"
.xsave:
	mov eax, 0xd
	xor ecx, ecx
	cpuid
	CHECKQ rax, 3, "CPUID.(0DH,0):EAX x87 and SSE"
	CHECKQ rcx, 576, "CPUID.(0DH,0):ECX the area's size"
	mov rax, cr4
	bts rax, 18			; OSXSAVE
	bts rax, 9			; OSFXSR
	mov cr4, rax
	mov eax, 1
	cpuid
	shr ecx, 27
	and ecx, 1
	CHECKQ rcx, 1, "CPUID.1:ECX.OSXSAVE follows CR4"
	TRY
	xor ecx, ecx
	mov eax, 7
	xor edx, edx
	xsetbv
	CATCH 13, 0, "xsetbv with the AVX bit"
	TRY
	xor ecx, ecx
	mov eax, 2
	xor edx, edx
	xsetbv
	CATCH 13, 0, "xsetbv without x87"
	xor ecx, ecx
	mov eax, 3
	xor edx, edx
	xsetbv
	xor ecx, ecx
	xgetbv
	CHECKQ rax, 3, "xgetbv: XCR0"
	lea rdi, [rel xsave_area]
	mov qword [rdi + 512], 0
	movq xmm3, [rel qval]
	mov eax, 3
	xor edx, edx
	xsave [rdi]
	CHECKQ [rdi + 512], 3, "xsave: XSTATE_BV"
	CHECKQ [rdi + 160 + 3 * 16], [rel qval], "xsave: XMM3"
	; XSTATE_BV without SSE: XRSTOR puts XMM into its initial state
	mov qword [rdi + 512], 1
	mov qword [rdi + 520], 0
	mov qword [rdi + 528], 0
	mov eax, 3
	xor edx, edx
	xrstor [rdi]
	movq rax, xmm3
	CHECKQ rax, 0, "xrstor: SSE component initialised"
	mov qword [rdi + 528], 1
	TRY
	mov eax, 3
	xor edx, edx
	lea rdi, [rel xsave_area]
	xrstor [rdi]
	CATCH 13, 0, "xrstor with a reserved header bit"
	TRY
	lea rdi, [rel xsave_area]
	xsave [rdi + 16]
	CATCH 13, 0, "xsave misaligned"
.lax_xsave:

	; -- the other exceptions of 64-bit mode, each with its error code --
	TRY
	mov eax, 1
	xor edx, edx
	xor ecx, ecx
	div ecx
	CATCH 0, 0, "#DE"
	cmp byte [lax], 0		; QEMU's TCG gives #UD for ICEBP here
	jne .lax_icebp
	TRY
	db 0xf1				; ICEBP
	CATCH 1, 0, "#DB from ICEBP"
.lax_icebp:
	TRY
	db 0xce				; INTO: not in 64-bit mode
	CATCH 6, 0, "INTO in 64-bit mode"
	TRY
	db 0x62, 0xc0			; BOUND: not in 64-bit mode (no EVEX here)
	CATCH 6, 0, "BOUND in 64-bit mode"
	mov rax, cr0
	bts rax, 5			; NE: x87 errors as #MF
	bts rax, 18			; AM: #AC in ring 3 below
	bts rax, 3			; TS
	mov cr0, rax
	TRY
	fld1
	CATCH 7, 0, "#NM with CR0.TS"
	clts
	fninit
	mov word [qbuf], 0x037b		; ZE unmasked
	fldcw [qbuf]
	fldz
	fld1
	fdiv st0, st1			; 1/0: pending
	TRY
	fwait
	CATCH 16, 0, "#MF at the next waiting instruction"
	fninit
	mov rax, cr4
	bts rax, 10			; OSXMMEXCPT
	bts rax, 9			; OSFXSR
	mov cr4, rax
	mov dword [qbuf], 0x1d80	; ZE unmasked
	ldmxcsr [qbuf]
	mov eax, 1
	cvtsi2ss xmm0, eax
	xorps xmm1, xmm1
	cmp byte [lax], 0		; QEMU's TCG raises no SIMD exceptions
	jne .lax_xm
	TRY
	divss xmm0, xmm1
	CATCH 19, 0, "#XM"
.lax_xm:
	mov dword [qbuf], 0x1f80
	ldmxcsr [qbuf]
	TRY
	mov ax, SEL_NP
	mov ds, ax
	CATCH 11, SEL_NP, "#NP: the selector"
	TRY
	mov ax, 0x100
	mov ds, ax
	CATCH 13, 0x100, "#GP: a selector past the GDT"
	mov ax, KDATA
	mov ds, ax
	; MOV from a segment register: the selector zero-extended into a
	; 32- or 64-bit register, merged into a 16-bit one
	mov rax, -1
	mov rbx, -1
	mov rcx, -1
	mov eax, ds
	mov bx, ds
	mov rcx, ds
	CHECKQ rax, KDATA, "mov eax, ds"
	mov rdx, 0xffffffffffff0000 | KDATA
	CHECKQ rbx, rdx, "mov bx, ds"
	CHECKQ rcx, KDATA, "mov rcx, ds"
	; MOV from control registers, CR8 (the TPR) back as written
	mov rax, cr3
	lea rdx, [rel pml4]
	CHECKQ rax, rdx, "mov rax, cr3"
	mov rbx, cr0
	mov rcx, cr4
	shr rbx, 31
	and ecx, 1 << 5
	CHECKQ rbx, 1, "mov rbx, cr0: PG"
	CHECKQ rcx, 1 << 5, "mov rcx, cr4: PAE"
	mov eax, 5
	mov cr8, rax
	mov rdx, -1
	mov rdx, cr8
	CHECKQ rdx, 5, "mov rdx, cr8"
	xor eax, eax
	mov cr8, rax
	; #GP delivered through a not-present gate: #NP on top of #GP is #DF
	mov byte [idt + 13 * 16 + 5], 0x0e
	mov rbx, 0x0000800000000000
	TRY
	mov rax, [rbx]
	CATCH 8, 0, "#DF: #NP while delivering #GP"
	mov byte [idt + 13 * 16 + 5], 0x8e

	; -- ring 3: SYSCALL/SYSRET, INT 0x80, a call gate --
	LM_SYSCALL_MSRS 0x400		; FMASK: DF
	lea rax, [rel kstack_top]
	mov [gsdata_kernel + 24], rax
	; a null FS with its base from the MSR, as x86-64 Linux leaves it
	; for user mode: the return to ring 3 must keep that base
	xor eax, eax
	mov fs, ax
	lea rax, [rel fsdata]
	mov rdx, rax
	shr rdx, 32
	mov ecx, MSR_FS_BASE
	wrmsr
	; RDTSC in a block (the translator calls the interpreter for it
	; there): the registers around it stay, the TSC does not go back
	mov rbx, 0x1122334455667788
	mov esi, 7
	rdtsc
	shl rdx, 32
	or rax, rdx
	mov rdi, rax
	add rsi, rbx
	rdtsc
	shl rdx, 32
	or rax, rdx
	sub rax, rdi
	shr rax, 40			; 0 unless the second read came first
	CHECKQ rax, 0, "rdtsc: the second read not before the first"
	CHECKQ rsi, 0x112233445566778f, "rdtsc: the registers around it"
	; ring 3 with CR4.TSD: RDTSC is a #GP there (cleared at the call gate)
	mov rax, cr4
	or eax, 1 << 2
	mov cr4, rax
	push UDATA
	lea rax, [rel ustack_top]
	push rax
	push 0x2
	push U64
	lea rax, [rel user64]
	push rax
	iretq

user64:
	mov ax, cs
	movzx rax, ax
	CHECKQ rax, U64, "ring 3 CS"
	CHECKQ [fs:8], 0x4653, "IRETQ to ring 3 keeps a null FS's base"
	std
	syscall
after_syscall:
	cld
	CHECKQ rax, 0x777, "sysret: rax"
	lea rax, [rel after_syscall]
	CHECKQ [sys_rcx], rax, "syscall: RCX"
	mov rax, [sys_r11]
	and eax, 0x400
	CHECKQ rax, 0x400, "syscall: R11 holds RFLAGS"
	mov rax, [sys_rflags]
	and eax, 0x400
	CHECKQ rax, 0, "syscall: FMASK cleared DF"
	movzx rax, word [sys_cs]
	CHECKQ rax, K64, "syscall: CS"
	movzx rax, word [sys_ss]
	CHECKQ rax, KDATA, "syscall: SS"
	mov ax, ss
	movzx rax, ax
	CHECKQ rax, UDATA, "sysret: SS"
	mov rbx, rsp
	int 0x80
	CHECKQ rsp, rbx, "int 0x80: RSP after IRETQ"
	cmp byte [lax], 0		; QEMU's TCG does not check alignment
	jne .lax_ac
	pushfq
	bts qword [rsp], 18		; AC (CR0.AM was set in ring 0)
	popfq
	TRY
	mov eax, [rsp + 1]
	CATCH 17, 0, "#AC in ring 3"
	pushfq
	btr qword [rsp], 18
	popfq
.lax_ac:
	CHECKQ [int80_count], 1, "int 0x80 from ring 3"
	lea rax, [rel kstack_top - 40]
	CHECKQ [int80_rsp], rax, "int 0x80: the stack of TSS.RSP0"
	CHECKQ [kstack_top - 8], UDATA, "int 0x80: pushed SS"
	CHECKQ [kstack_top - 16], rbx, "int 0x80: pushed RSP"
	CHECKQ [kstack_top - 32], U64, "int 0x80: pushed CS"
	TRY
	mov ebx, 5
	rdtsc
	CATCH 13, 0, "rdtsc at CPL 3 with CR4.TSD"
	CHECKQ rbx, 5, "rdtsc's #GP: RBX"
	TRY
	swapgs
	CATCH 13, 0, "swapgs at CPL 3"
	TRY
	mov ecx, MSR_EFER
	rdmsr
	CATCH 13, 0, "rdmsr at CPL 3"
	mov [gate_user_rsp], rsp
	call far dword [rel gate_ptr]
	FAIL "call gate returned"

kernel_after_user:
	mov rax, cr4
	and eax, ~(1 << 2)
	mov cr4, rax
	movzx rax, word [gate_ss]
	CHECKQ rax, 0, "call gate: null SS"
	mov rbx, [gate_rsp]
	lea rax, [rel kstack_top - 32]
	CHECKQ rbx, rax, "call gate: the stack of TSS.RSP0"
	CHECKQ [rbx + 8], U64, "call gate: pushed CS"
	mov rax, [gate_user_rsp]
	CHECKQ [rbx + 16], rax, "call gate: pushed RSP"
	CHECKQ [rbx + 24], UDATA, "call gate: pushed SS"

	; -- compatibility mode, then out of long mode --
	jmp far dword [rel compat_ptr]

bits 32
compat32:
	; the return to ring 3 loaded null DS and ES (their DPL was below the
	; new CPL): harmless in 64-bit mode, a #GP in compatibility mode
	mov ax, KDATA
	mov ss, ax
	mov ds, ax
	mov es, ax
	mov esp, stack_top
	mov ecx, MSR_EFER
	rdmsr
	test eax, 1 << 10
	jnz .lma
	FAIL32 "compatibility mode: EFER.LMA"
.lma:	mov eax, 0x12345678
	push eax
	pop ebx
	CHECK32 ebx, 0x12345678, "compatibility mode: push/pop"
	; paging off from compatibility mode leaves long mode
	mov eax, cr0
	and eax, ~(1 << 31)
	mov cr0, eax
	mov ecx, MSR_EFER
	rdmsr
	test eax, 1 << 10
	jz .left
	FAIL32 "paging off: EFER.LMA still set"
.left:	test eax, 1 << 8
	jnz .lme
	FAIL32 "paging off: EFER.LME lost"
.lme:	mov esi, msg_ok
	call puts32
	xor eax, eax
	out 0xf4, al
	hlt

bits 64
msg_fail:	db "FAIL: ", 0
msg_got:	db ": got ", 0
msg_want:	db ", want ", 0
msg_unexp:	db "FAIL: unexpected exception ", 0
msg_at:		db " at ", 0
msg_nl:		db 13, 10, 0
msg_ok:		db "longmode ok", 13, 10, 0
hexdigits:	db "0123456789abcdef"
lax_word:	db "qemu-lax"
lax_word_len	equ $ - lax_word
lax:		db 0

	align 8
qval:		dq 0xfeedfacecafebeef, 0x0123456789abcdef
fsdata:		dq 0, 0x4653
gsdata_user:	dq 0x7573, 0, 0, 0
gsdata_kernel:	dq 0x6b6e, 0, 0, 0		; +16 the user RSP, +24 the kernel stack
gate_ptr:	dd 0
		dw SEL_GATE
compat_ptr:	dd compat32
		dw K32

	LM_GDT
	dq 0, 0				; the call gate (16 bytes)
	dq 0x00cf12000000ffff		; SEL_NP: data, P = 0
	LM_GDT_END

load_end:

	absolute load_end
	alignb 16
recover:	resq 1
recover_rsp:	resq 1
recover_cs:	resq 1
recover_ss:	resq 1
got_vec:	resq 1
got_err:	resq 1
got_rip:	resq 1
got_cs:		resq 1
got_rsp:	resq 1
got_ss:		resq 1
got_hrsp:	resq 1
got_cr2:	resq 1
int80_rsp:	resq 1
int80_count:	resq 1
sys_rcx:	resq 1
sys_r11:	resq 1
sys_rflags:	resq 1
sys_cs:		resw 1
sys_ss:		resw 1
gate_ss:	resw 1
		resw 1
gate_rsp:	resq 1
gate_user_rsp:	resq 1
qbuf:		resq 2
	alignb 64
xsave_area:	resb 576
	alignb 16
cx16buf:		resq 4
	LM_TABLES
		resb 4096
stack_top:
		resb 4096
kstack_top:
		resb 4096
ist1_top:
		resb 4096
ustack_top:
bss_end:
