; Real mode from the reset vector: the RESET register values, segment
; arithmetic, every 16-bit addressing form, far jumps and calls, interrupts
; and an exception through the IVT. A 64 KiB -bios image.
; SPDX-License-Identifier: MIT
;
; EDX after RESET holds the CPU signature (family/model/stepping). The
; family must be 6 (a P6-class CPU; trivisor gives 0x600); model and
; stepping differ between CPUs and emulators (QEMU's qemu32 gives 0x663), so
; they are not checked.
%include "lib16.inc"

DATA	equ 0x0500

reset_entry:
	; save what RESET left, before touching anything
	mov ebp, esp
	pushfd				; SS:SP = 0:0 after RESET: wraps to 0:FFFC
	pop esi
	; now nothing else from reset is needed but EDX, EAX, EBX, ECX, EDI, CR0
	xor sp, sp
	mov ss, sp
	mov sp, 0x7c00
	push edx
	push eax
	push ebx
	push ecx
	push edi
	push esi
	push ebp
	mov eax, cr0
	push eax
	mov si, hello
	call puts16

	pop eax
	CHECK32 eax, 0x60000010, "CR0 after RESET"
	pop ebp
	pop esi
	pop eax
	CHECK32 eax, 0, "EDI after RESET"
	pop eax
	CHECK32 eax, 0, "ECX after RESET"
	pop eax
	CHECK32 eax, 0, "EBX after RESET"
	pop eax
	CHECK32 eax, 0, "EAX after RESET (BIST result)"
	pop eax
	mov ebx, eax
	and ebx, 0xfffff000
	CHECK32 ebx, 0, "EDX after RESET: reserved bits"
	mov ebx, eax
	shr ebx, 8
	and ebx, 0xf
	CHECK32 ebx, 6, "EDX after RESET: family"
	CHECK32 ebp, 0, "ESP after RESET"
	CHECK32 esi, 0x00000002, "EFLAGS after RESET"
	mov ax, cs
	CHECK16 ax, 0xf000, "CS after RESET"
	mov ax, ds
	CHECK16 ax, 0, "DS after RESET"
	mov ax, es
	CHECK16 ax, 0, "ES after RESET"

	; ---- segment arithmetic: 1000:0010 and 1001:0000 are one byte ----
	mov ax, 0x1000
	mov ds, ax
	mov byte [0x0010], 0x5a
	mov ax, 0x1001
	mov es, ax
	CHECK16 {word [es:0]}, 0x005a, "segment arithmetic 1000:0010 = 1001:0000"
	; the offset wraps at 64 KiB within the segment (no prefix)
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov word [DATA], 0x1234
	mov bx, 0xffff
	mov si, DATA + 1		; bx + si wraps to DATA
	CHECK16 {word [bx + si]}, 0x1234, "[bx+si] wraps at 64 KiB"

	; ---- 16-bit addressing forms and their default segments ----
	; DS = 0, SS = 0x40: a BP form reads from SS
	mov word [DATA + 0x10], 0x1111	; DS:DATA+0x10
	mov ax, 0x40
	mov ss, ax			; SS base 0x400: SS:DATA+0x10-0x400... see below
	mov sp, 0x7c00 - 0x400		; same linear stack
	mov word [ss:DATA + 0x10], 0x2222	; linear DATA + 0x410
	mov bx, DATA
	mov si, 0x10
	mov di, 0x10
	mov bp, DATA
	CHECK16 {word [bx + si]}, 0x1111, "[bx+si]"
	CHECK16 {word [bx + di]}, 0x1111, "[bx+di]"
	CHECK16 {word [bp + si]}, 0x2222, "[bp+si] uses SS"
	CHECK16 {word [bp + di]}, 0x2222, "[bp+di] uses SS"
	CHECK16 {word [bp + 0x10]}, 0x2222, "[bp+disp8] uses SS"
	CHECK16 {word [word bp + 0x10]}, 0x2222, "[bp+disp16] uses SS"
	CHECK16 {word [ds:bp + 0x10]}, 0x1111, "DS:[bp+disp8] override"
	mov si, DATA + 0x10
	mov di, DATA + 0x10
	CHECK16 {word [si]}, 0x1111, "[si]"
	CHECK16 {word [di]}, 0x1111, "[di]"
	mov bx, DATA + 0x10
	CHECK16 {word [bx]}, 0x1111, "[bx]"
	CHECK16 {word [bx - 0x10 + 0x10]}, 0x1111, "[bx+0]"
	CHECK16 {word [DATA + 0x10]}, 0x1111, "[disp16]"
	mov bx, DATA
	CHECK16 {word [bx + 0x10]}, 0x1111, "[bx+disp8]"
	mov bx, DATA + 0x20
	CHECK16 {word [bx - 0x10]}, 0x1111, "[bx+negative disp8]"
	; 32-bit address size in real mode (offset within 64 KiB)
	mov esi, DATA + 0x10
	CHECK16 {word [esi]}, 0x1111, "[esi] (address-size prefix)"
	mov ecx, 4
	CHECK16 {word [esi + ecx * 4 - 16]}, 0x1111, "[esi+ecx*4-16]"
	; LEA computes the 16-bit wrapped offset
	mov bx, 0xfff0
	mov si, 0x20
	lea ax, [bx + si]
	CHECK16 ax, 0x0010, "LEA [bx+si] wraps"
	xor ax, ax
	mov ss, ax
	mov sp, 0x7c00

	; ---- far jump to another segment alias of the ROM, far call, RETF ----
	jmp 0xf100:(far_target - 0x1000)
far_back:
	CHECK16 ax, 0xf100, "CS after a far jump"
	call 0xf000:far_proc
	CHECK16 ax, 0x4321, "far call / RETF"
	mov ax, cs
	CHECK16 ax, 0xf000, "CS after RETF"

	; ---- INT n through the IVT ----
	mov word [0x40 * 4], int40
	mov word [0x40 * 4 + 2], cs
	mov bx, 0
	sti
	pushf
	pop dx				; flags before: IF set
	int 0x40
int40_ret:
	cli
	CHECK16 bx, 0x7777, "INT 0x40 handler ran"
	CHECK16 cx, int40_ret, "INT 0x40: pushed IP"
	CHECK16 di, 0xf000, "INT 0x40: pushed CS"
	mov ax, [DATA + 0x40]
	and ax, 0x0200
	CHECK16 ax, 0, "INT 0x40: IF clear in the handler"
	mov ax, [DATA + 0x42]
	CHECK16 ax, dx, "INT 0x40: pushed FLAGS"

	; ---- an exception through the IVT: #DE pushes the DIV's IP ----
	mov word [0], int00
	mov word [2], cs
	mov ax, 1
	xor cl, cl
de_insn:
	div cl
de_resume:
	CHECK16 [DATA + 0x50], de_insn, "#DE in real mode: pushed IP"

	; ---- 32-bit operand size in real mode ----
	mov eax, 0x89abcdef
	push eax
	pop ebx
	CHECK32 ebx, 0x89abcdef, "PUSH/POP EAX in real mode"
	mov si, ok
	jmp pass16

	times 0x2000 - ($ - $$) db 0xff	; F100 must reach it
far_target:				; runs as F100:(far_target - 0x1000)
	mov ax, cs
	jmp 0xf000:far_back

far_proc:
	mov ax, 0x4321
	retf

int40:
	mov bx, 0x7777
	mov bp, sp
	mov cx, [bp]			; IP
	mov di, [bp + 2]		; CS
	mov ax, [bp + 4]		; FLAGS
	mov [DATA + 0x42], ax
	pushf
	pop ax
	mov [DATA + 0x40], ax
	iret

int00:
	mov bp, sp
	mov ax, [bp]
	mov [DATA + 0x50], ax
	mov word [bp], de_resume	; skip the DIV
	iret

hello:	db "realmode: started at the reset vector", 13, 10, 0
ok:	db "realmode ok", 0

ROM_END
