; Gates and privilege: 32- and 16-bit call gates from ring 3 to ring 0 with
; parameter copy, interrupt versus trap gates (IF), IRET to ring 3 (and the
; data segments it nulls), conforming code, and the #GP of each check.
; SPDX-License-Identifier: MIT
%include "lib.inc"

SEL_GATE32	equ 0x30 | 3	; 32-bit call gate, DPL 3, 2 dword params
SEL_GATE16	equ 0x38 | 3	; 16-bit call gate, DPL 3, 2 word params
SEL_GATE0	equ 0x40 | 3	; 32-bit call gate, DPL 0
SEL_CODE16	equ 0x48	; 16-bit code, base LOAD_ADDR, DPL 0
SEL_CONF	equ 0x50	; conforming code, DPL 0
SEL_UCODE16	equ 0x58 | 3	; 16-bit code, base LOAD_ADDR, DPL 3
LOW_STACK	equ 0x9000	; ring-3 stack below 64 KiB for the 16-bit gate

; a call gate: selector, offset, count, type (0xc 32-bit, 0x4 16-bit), DPL
%macro SET_CALLGATE 6
	mov eax, %2
	mov word [gdt + (%1 & ~7)], ax
	mov word [gdt + (%1 & ~7) + 2], %3
	mov byte [gdt + (%1 & ~7) + 4], %4
	mov byte [gdt + (%1 & ~7) + 5], 0x80 | ((%6) << 5) | (%5)
	shr eax, 16
	mov word [gdt + (%1 & ~7) + 6], ax
%endmacro

main:
	SET_CALLGATE SEL_GATE32, gate32_handler, SEL_CODE, 2, 0xc, 3
	SET_CALLGATE SEL_GATE16, gate16_handler - LOAD_ADDR, SEL_CODE16, 2, 0x4, 3
	SET_CALLGATE SEL_GATE0, gate32_handler, SEL_CODE, 2, 0xc, 0
	SET_DESC SEL_CODE16, LOAD_ADDR, 0xffff, 0x9a, 0x0
	SET_DESC SEL_CONF, 0, 0xfffff, 0x9e, 0xc
	SET_DESC SEL_UCODE16, LOAD_ADDR, 0xffff, 0xfa, 0x0

	; ---- 32-bit call gate, ring 3 -> 0, two parameters ----
	TRY
	mov ax, SEL_DATA
	mov fs, ax			; IRET to ring 3 must null FS (DPL 0)
	mov ax, SEL_UDATA
	mov gs, ax			; ... and keep GS (DPL 3)
	TO_RING3 r3_gate32, 0x002
	CATCH 0x31, -1, "ring 3 after the 32-bit call gate"
	CHECK_EQ [r3_fs], 0, "IRET to ring 3 nulls FS (DPL 0)"
	CHECK_EQ [r3_gs], SEL_UDATA, "IRET to ring 3 keeps GS (DPL 3)"
	CHECK_EQ [r3_cs], SEL_UCODE, "CS in ring 3"
	CHECK_EQ [g_cs], SEL_CODE, "gate32: handler CS (CPL 0)"
	CHECK_EQ [g_ret_cs], SEL_UCODE, "gate32: pushed CS"
	CHECK_EQ [g_ret_eip], r3_gate32_ret, "gate32: pushed EIP"
	CHECK_EQ [g_p0], 0x22222222, "gate32: parameter 1 (pushed last)"
	CHECK_EQ [g_p1], 0x11111111, "gate32: parameter 0 (pushed first)"
	CHECK_EQ [g_ss], SEL_UDATA, "gate32: pushed SS"
	CHECK_EQ [g_esp], user_stack_top - 8, "gate32: pushed ESP"
	CHECK_EQ [g_esp0], kstack_top - 24, "gate32: handler ESP (from the TSS)"
	CHECK_EQ [r3_esp_after], user_stack_top, "gate32: ESP after RETF 8"

	; ---- 16-bit call gate to a 16-bit segment, ring 3 -> 0 ----
	TRY
	mov ax, SEL_UDATA		; (a DPL-0 DS would be nulled by the IRET)
	mov ds, ax
	mov es, ax
	push dword SEL_UDATA
	push dword LOW_STACK
	push dword 0x002
	push dword SEL_UCODE16
	push dword r3_gate16 - LOAD_ADDR
	iret
	CATCH 0x31, -1, "ring 3 after the 16-bit call gate"
	CHECK_EQ [g_ret_eip], r3_gate16_ret - LOAD_ADDR, "gate16: pushed IP"
	CHECK_EQ [g_ret_cs], SEL_UCODE16, "gate16: pushed CS"
	CHECK_EQ [g_p0], 0x2222, "gate16: parameter 1"
	CHECK_EQ [g_p1], 0x1111, "gate16: parameter 0"
	CHECK_EQ [g_esp], LOW_STACK - 4, "gate16: pushed SP"
	CHECK_EQ [g_ss], SEL_UDATA, "gate16: pushed SS"
	CHECK_EQ [g_cs], SEL_CODE16, "gate16: handler CS"
	CHECK_EQ [g_esp0], kstack_top - 12, "gate16: handler ESP"
	movzx eax, word [r3_esp_after]	; (ESP[31:16] after a 16-bit RETF to
	CHECK_EQ eax, LOW_STACK, "gate16: SP after RETF 4"	; a 32-bit SS differs by CPU)

	; ---- privilege checks: #GP with the selector or IDT vector ----
	TRY
	TO_RING3 r3_gate0, 0x002
	CATCH 13, SEL_GATE0 & ~3, "ring 3 CALL through a DPL-0 call gate"
	TRY
	TO_RING3 r3_int20, 0x002
	CATCH 13, 0x20 * 8 + 2, "ring 3 INT 0x20 (DPL-0 gate)"
	TRY
	TO_RING3 r3_jmp0, 0x002
	CATCH 13, SEL_CODE, "ring 3 JMP FAR to DPL-0 nonconforming code"
	TRY
	TO_RING3 r3_cli, 0x002
	CATCH 13, 0, "ring 3 CLI with IOPL 0"
	TRY
	TO_RING3 r3_cli, 0x3002
	CATCH 0x31, -1, "ring 3 CLI with IOPL 3 runs"

	; ---- conforming code: runs at the caller's CPL ----
	TRY
	TO_RING3 r3_conf, 0x002
	CATCH 0x31, -1, "ring 3 after calling conforming code"
	CHECK_EQ [conf_cs], SEL_CONF | 3, "conforming code keeps CPL 3 (CS.RPL)"
	CHECK_EQ [conf_back], 1, "returned from conforming code"

	; ---- interrupt gate clears IF, trap gate keeps it ----
	SET_GATE 0x40, flags_handler, SEL_CODE, 0x8e
	SET_GATE 0x41, flags_handler, SEL_CODE, 0x8f
	sti
	int 0x40
	cli
	mov eax, [handler_flags]
	and eax, 0x200
	CHECK_EQ eax, 0, "interrupt gate clears IF"
	sti
	int 0x41
	cli
	mov eax, [handler_flags]
	and eax, 0x200
	CHECK_EQ eax, 0x200, "trap gate keeps IF"
	; both clear TF, NT, RF and VM: TF is checked here
	mov dword [hook], skip_db	; the #DB after the return clears TF
	pushfd
	or dword [esp], 0x100
	popfd
	int 0x41
	nop
	nop
	mov dword [hook], 0
	mov eax, [handler_flags]
	and eax, 0x100
	CHECK_EQ eax, 0, "trap gate clears TF"

	mov esi, ok
	jmp pass_with

; ---- ring-0 targets ----
gate32_handler:
	mov [g_esp0], esp
	mov ax, cs
	movzx eax, ax
	mov [g_cs], eax
	mov eax, [esp]
	mov [g_ret_eip], eax
	mov eax, [esp + 4]
	mov [g_ret_cs], eax
	mov eax, [esp + 8]
	mov [g_p0], eax
	mov eax, [esp + 12]
	mov [g_p1], eax
	mov eax, [esp + 16]
	mov [g_esp], eax
	mov eax, [esp + 20]
	mov [g_ss], eax
	retf 8

bits 16
gate16_handler:				; in SEL_CODE16 (base LOAD_ADDR); SS flat
	mov [dword g_esp0], esp
	mov ax, cs
	movzx eax, ax
	mov [dword g_cs], eax
	movzx eax, word [esp]
	mov [dword g_ret_eip], eax
	movzx eax, word [esp + 2]
	mov [dword g_ret_cs], eax
	movzx eax, word [esp + 4]
	mov [dword g_p0], eax
	movzx eax, word [esp + 6]
	mov [dword g_p1], eax
	movzx eax, word [esp + 8]
	mov [dword g_esp], eax
	movzx eax, word [esp + 10]
	mov [dword g_ss], eax
	retf 4
bits 32

flags_handler:
	push eax
	pushfd
	pop eax
	mov [handler_flags], eax
	pop eax
	iretd

skip_db:				; the single-step #DB after INT 0x41's return
	cmp dword [edx], 1
	jne .no
	and dword [edx + 16], ~0x100	; clear TF in the frame
	mov eax, 1
	ret
.no:	xor eax, eax
	ret

; ---- ring-3 code ----
r3_gate32:
	mov ax, fs
	movzx eax, ax
	mov [r3_fs], eax
	mov ax, gs
	movzx eax, ax
	mov [r3_gs], eax
	mov ax, cs
	movzx eax, ax
	mov [r3_cs], eax
	push dword 0x11111111
	push dword 0x22222222
	call SEL_GATE32:0xdead		; the gate's offset is used, not this
r3_gate32_ret:
	mov [r3_esp_after], esp
	int 0x31

bits 16
r3_gate16:				; in SEL_UCODE16 (base LOAD_ADDR)
	push word 0x1111
	push word 0x2222
	call SEL_GATE16:0xbeef
r3_gate16_ret:
	mov [dword r3_esp_after], esp
	int 0x31
bits 32

r3_gate0:
	call SEL_GATE0:0
	int 0x31
r3_int20:
	int 0x20
	int 0x31
r3_jmp0:
	jmp SEL_CODE:r3_gate0
r3_cli:
	cli
	int 0x31
r3_conf:
	call SEL_CONF:conf_proc
	mov dword [conf_back], 1
	int 0x31
conf_proc:
	mov ax, cs
	movzx eax, ax
	mov [conf_cs], eax
	retf

	align 4
g_esp0:		dd 0
g_cs:		dd 0
g_ret_eip:	dd 0
g_ret_cs:	dd 0
g_p0:		dd 0
g_p1:		dd 0
g_esp:		dd 0
g_ss:		dd 0
r3_fs:		dd 0
r3_gs:		dd 0
r3_cs:		dd 0
r3_esp_after:	dd 0
conf_cs:	dd 0
conf_back:	dd 0
handler_flags:	dd 0
ok:		db "gates ok", 0

GUEST_END
