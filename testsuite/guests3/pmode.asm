; Protected mode segmentation: 16- and 32-bit code segments, bases, limits,
; expand-down segments, type checks, and the faults with their error codes.
; SPDX-License-Identifier: MIT
;
; QEMU's TCG does not check segment limits, types on access, or null
; selectors on access; under qemu-lax those checks are skipped.
%include "lib.inc"

SEL_CODE16	equ 0x30	; 16-bit code, base LOAD_ADDR, limit 64K
SEL_BASED	equ 0x38	; data, base 0x200000, limit 0xfff (byte granular)
SEL_DOWN	equ 0x40	; data expand-down, limit 0xfff, B=1
SEL_RO		equ 0x48	; read-only data
SEL_XO		equ 0x50	; execute-only code
SEL_NPCODE	equ 0x58	; code, not present
SEL_NPDATA	equ 0x60	; data, not present
SEL_DOWN16	equ 0x68	; data expand-down, limit 0xfff, B=0 (upper bound 0xffff)
SEL_CODE16B	equ 0x70	; 16-bit code, base 0, for the far-call return check
SEL_DPL3DATA	equ 0x78	; data, DPL 3 (same as 0x23 but a fresh one)

main:
	SET_DESC SEL_CODE16, LOAD_ADDR, 0xffff, 0x9a, 0x0
	SET_DESC SEL_BASED, 0x200000, 0xfff, 0x92, 0x4
	SET_DESC SEL_DOWN, 0x300000, 0xfff, 0x96, 0x4
	SET_DESC SEL_RO, 0, 0xfffff, 0x90, 0xc
	SET_DESC SEL_XO, 0, 0xfffff, 0x98, 0xc
	SET_DESC SEL_NPCODE, 0, 0xfffff, 0x1a, 0xc
	SET_DESC SEL_NPDATA, 0, 0xfffff, 0x12, 0xc
	SET_DESC SEL_DOWN16, 0x300000, 0xfff, 0x96, 0x0
	SET_DESC SEL_DPL3DATA, 0, 0xfffff, 0xf2, 0xc

	; ---- a 16-bit code segment: far jump in, 16-bit operands, far jump out ----
	mov eax, 0x1234ffff
	jmp SEL_CODE16:(code16 - LOAD_ADDR)
back16:
	CHECK_EQ eax, 0x12340000, "16-bit code: INC AX keeps EAX[31:16]"
	CHECK_EQ ebx, 2, "16-bit code: PUSH AX moves ESP by 2"
	CHECK_EQ ecx, 0x30, "16-bit code: CS"
	; far call into 16-bit code that returns with a 32-bit RETF
	mov edx, 0
	call SEL_CODE16:(code16_proc - LOAD_ADDR)
	CHECK_EQ edx, 0x1616, "far call to 16-bit code, o32 RETF back"

	; ---- base arithmetic ----
	mov ax, SEL_BASED
	mov es, ax
	mov dword [es:0x10], 0xcafe0001
	CHECK_EQ [0x200010], 0xcafe0001, "segment base 0x200000"
	mov ax, SEL_DOWN
	mov fs, ax
	mov dword [fs:0x1000], 0xcafe0002
	CHECK_EQ [0x301000], 0xcafe0002, "expand-down: offset limit+1 is valid"
	mov dword [fs:0xffd00010], 0xcafe0003	; base + offset wraps to 0x10
	CHECK_EQ [0x10], 0xcafe0003, "expand-down: high offset wraps the 4 GiB space"
	mov dword [0x10], 0
	mov ax, SEL_RO
	mov gs, ax
	CHECK_EQ [gs:0x200010], 0xcafe0001, "read through a read-only segment"

	; ---- type checks on segment loads (#GP with the selector) ----
	TRY
	mov ax, SEL_RO
	mov ss, ax
	CATCH 13, SEL_RO, "SS := read-only data"
	TRY
	mov ax, SEL_XO
	mov ds, ax
	CATCH 13, SEL_XO, "DS := execute-only code"
	TRY
	mov ax, 0
	mov ss, ax
	CATCH 13, 0, "SS := null"
	TRY
	jmp SEL_DATA:0
	CATCH 13, SEL_DATA, "JMP FAR to a data segment"
	TRY
	mov ax, SEL_DATA | 3		; RPL 3 > DPL 0
	mov ds, ax
	CATCH 13, SEL_DATA, "DS := DPL-0 data with RPL 3"
	TRY
	mov ax, SEL_DPL3DATA
	mov ss, ax			; SS DPL must equal CPL
	CATCH 13, SEL_DPL3DATA, "SS := DPL-3 data at CPL 0"
	TRY
	mov ax, 0x20 | 4		; TI=1: the LDT is null
	mov ds, ax
	CATCH 13, 0x24, "DS := selector in a null LDT"
	TRY
	mov ax, SEL_TSS
	mov es, ax
	CATCH 13, SEL_TSS, "ES := a TSS"
	; not present: #NP, or #SS for SS
	TRY
	jmp SEL_NPCODE:0
	CATCH 11, SEL_NPCODE, "JMP FAR to a not-present code segment"
	TRY
	mov ax, SEL_NPDATA
	mov gs, ax
	CATCH 11, SEL_NPDATA, "GS := not present"
	TRY
	mov ax, SEL_NPDATA
	mov ss, ax
	CATCH 12, SEL_NPDATA, "SS := not present"
	; loading a null selector into DS is fine
	xor ax, ax
	mov ds, ax
	mov ax, SEL_DATA
	mov ds, ax

	; ---- checks on access (limit, type, null) ----
	LAX_SKIP access_done, "limit, type and null checks on access (QEMU TCG does not make them)"
	mov ax, SEL_BASED
	mov es, ax
	mov al, [es:0xfff]		; last byte: fine
	TRY
	mov eax, [es:0xffd]		; 0xffd..0x1000
	CATCH 13, 0, "dword straddling the limit"
	TRY
	mov ax, SEL_BASED		; (the handler left ES flat)
	mov es, ax
	mov al, [es:0x1000]
	CATCH 13, 0, "byte past the limit"
	mov ax, SEL_DOWN
	mov es, ax
	TRY
	mov al, [es:0xfff]
	CATCH 13, 0, "expand-down: offset at the limit"
	mov ax, SEL_DOWN16
	mov es, ax
	mov al, [es:0xffff]		; B=0: upper bound 0xffff
	TRY
	mov ax, [es:0xffff]
	CATCH 13, 0, "expand-down, B=0: word past 0xffff"
	; an SS access below an expand-down SS limit: #SS(0); ESP stays valid
	; so the exception frame can be pushed, and the handler goes back to
	; the flat stack TRY saw
	TRY
	mov ax, SEL_DOWN
	mov ss, ax
	mov esp, 0x8000
	mov eax, [ss:0x1000]		; fine
	mov eax, [ss:0xffc]
	CATCH 12, 0, "SS access below an expand-down limit"
	; writes to read-only data and to code
	mov ax, SEL_RO
	mov es, ax
	TRY
	mov byte [es:0x200010], 1
	CATCH 13, 0, "write through a read-only segment"
	TRY
	mov byte [cs:ok], 1
	CATCH 13, 0, "write through CS"
	; a null selector in DS faults on use, not on load
	xor ax, ax
	mov es, ax
	TRY
	mov al, [es:0x200010]
	CATCH 13, 0, "access through a null ES"
access_done:
	; a far jump past the target's limit: #GP(0)
	TRY
	jmp SEL_CODE16:0x10000
	CATCH 13, 0, "JMP FAR past the CS limit"

	mov esi, ok
	jmp pass_with

bits 16
code16:
	inc ax
	mov ebx, esp
	push ax
	sub ebx, esp
	pop ax
	mov cx, cs
	movzx ecx, cx
	jmp dword SEL_CODE:back16
code16_proc:
	mov dx, 0x1616
	o32 retf
bits 32

ok:	db "pmode ok", 0

GUEST_END
