; Virtual-8086 mode: entry by IRET with VM=1, segment arithmetic, IOPL 3
; versus IOPL 0 for CLI/STI/PUSHF/POPF/INT n/IRET (#GP(0) to the monitor),
; and the I/O permission bitmap allowing one port and denying others.
; SPDX-License-Identifier: MIT
%include "lib.inc"

V86_SEG		equ 0x0800	; v86 code runs at 0800:xxxx (linear 0x8000)
V86_DATA	equ 0x0600	; results, DS=0 in v86

; IRET into v86 at label %1 with EFLAGS %2 (VM added); v86 ends with INT 0x31
; (IOPL 3) or faults
%macro TO_V86 2
	push dword 0			; GS
	push dword 0			; FS
	push dword 0			; DS
	push dword 0			; ES
	push dword 0			; SS
	push dword 0x7000		; ESP
	push dword (%2) | 0x20000
	push dword V86_SEG
	push dword (%1) - v86_code
	iret
%endmacro

; a v86 instruction that must raise #GP(0) with EFLAGS.VM in the frame
%macro V86_GP 3	; label, eflags, "what"
	TRY
	TO_V86 %1, %2
	CATCH 13, 0, %3
	CHECK_EQ [got_eip], (%1) - v86_code, {%3, ": EIP"}
	CHECK_EQ [got_cs], V86_SEG, {%3, ": CS"}
	mov eax, [got_eflags]
	and eax, 0x20000
	CHECK_EQ eax, 0x20000, {%3, ": VM in the pushed EFLAGS"}
%endmacro

main:
	mov esi, v86_code
	mov edi, V86_SEG * 16
	mov ecx, v86_end - v86_code
	rep movsb
	; the I/O bitmap: port 0x80 allowed, 0x81 and everything else denied
	and byte [tss_iomap + 0x80 / 8], ~1

	; ---- IOPL 3: CLI/STI/PUSHF/INT n run ----
	mov dword [V86_DATA], 0
	mov dword [V86_DATA + 4], 0
	mov dword [V86_DATA + 8], 0
	TRY
	TO_V86 v86_iopl3, 0x3002
	CATCH 0x31, -1, "v86 IOPL 3: INT 0x31 to the monitor"
	CHECK_EQ [got_cs], V86_SEG, "v86 INT 0x31: pushed CS"
	movzx eax, word [V86_DATA]
	and eax, 0x3200
	CHECK_EQ eax, 0x3000, "v86 IOPL 3: PUSHF after CLI (IOPL 3, IF 0)"
	movzx eax, word [V86_DATA + 2]
	and eax, 0x3200
	CHECK_EQ eax, 0x3200, "v86 IOPL 3: PUSHF after STI (IF 1)"
	movzx eax, word [0x1010]
	CHECK_EQ eax, 0x5678, "v86: DS 0x100 + 0x10 is linear 0x1010"
	movzx eax, word [V86_DATA + 8]
	CHECK_EQ eax, 0x1234, "v86: OUT to an allowed port, then on"
	CHECK_EQ [got_eip], v86_iopl3_end - v86_code, "v86 INT 0x31: pushed IP"

	; ---- IOPL 0: each IOPL-sensitive instruction faults ----
	V86_GP v86_cli, 0x0002, "v86 IOPL 0: CLI"
	V86_GP v86_sti, 0x0002, "v86 IOPL 0: STI"
	V86_GP v86_pushf, 0x0002, "v86 IOPL 0: PUSHF"
	V86_GP v86_popf, 0x0002, "v86 IOPL 0: POPF"
	V86_GP v86_int, 0x0002, "v86 IOPL 0: INT n"
	V86_GP v86_iret, 0x0002, "v86 IOPL 0: IRET"
	; ---- the I/O bitmap applies whatever the IOPL ----
	V86_GP v86_in_denied, 0x3002, "v86 IOPL 3: IN from a denied port"
	V86_GP v86_out_word, 0x3002, "v86 IOPL 3: OUT word 0x80-0x81 (0x81 denied)"
	V86_GP v86_out_denied, 0x0002, "v86 IOPL 0: OUT to a denied port"
	TRY
	TO_V86 v86_out_allowed, 0x0002
	CATCH 13, 0, "v86 IOPL 0: OUT 0x80 allowed, then CLI faults"
	CHECK_EQ [got_eip], v86_out_allowed_cli - v86_code, "v86: the allowed OUT ran"
	; the monitor got the v86 segment registers on its stack: checked by
	; the handler clearing them (DS reloaded above); INT 0x31 saw CS 0x800

	mov esi, ok
	jmp pass_with

bits 16
v86_code:
v86_iopl3:
	cli
	pushf
	pop ax
	mov [V86_DATA], ax
	sti
	pushf
	pop ax
	mov [V86_DATA + 2], ax
	cli
	mov ax, 0x100
	mov ds, ax
	mov word [0x10], 0x5678
	xor ax, ax
	mov ds, ax
	mov al, 0
	out 0x80, al
	mov word [V86_DATA + 8], 0x1234
	int 0x31
v86_iopl3_end:
v86_cli:
	cli
v86_sti:
	sti
v86_pushf:
	pushf
v86_popf:
	popf
v86_int:
	int 0x31
v86_iret:
	iret
v86_in_denied:
	in al, 0x61
v86_out_word:
	out 0x80, ax
v86_out_denied:
	out 0x70, al
v86_out_allowed:
	out 0x80, al
v86_out_allowed_cli:
	cli
v86_end:
bits 32

ok:	db "v86 ok", 0

GUEST_END
