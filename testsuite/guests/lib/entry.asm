; Multiboot v1 entry, flat GDT and interrupt stubs shared by the C test guests.
; SPDX-License-Identifier: MIT
;
; The loader leaves us in 32-bit protected mode with flat segments but an
; undefined GDTR (multiboot spec 3.2), so we load our own GDT before any
; segment register is reloaded (an interrupt return would do that).

MB_MAGIC	equ 0x1BADB002
MB_FLAGS	equ 0x00000003		; page-align modules, want memory info

section .multiboot progbits alloc noexec nowrite align=4
	dd MB_MAGIC
	dd MB_FLAGS
	dd -(MB_MAGIC + MB_FLAGS)

section .text
bits 32
global _start
extern guest_start
extern isr_dispatch

_start:
	cli
	mov esp, stack_top
	lgdt [gdt_desc]
	jmp 0x08:.reload
.reload:
	mov ecx, 0x10
	mov ds, ecx
	mov es, ecx
	mov fs, ecx
	mov gs, ecx
	mov ss, ecx
	push 0				; eflags: IF=0, DF=0, known state
	popfd
	push ebx			; multiboot info
	push eax			; multiboot magic
	call guest_start		; never returns (it exits through port 0xf4)
.hang:
	cli
	hlt
	jmp .hang

; One stub per vector. Vectors with a CPU error code (8, 10-14, 17, 21, 29, 30)
; get it from the CPU; the others push a zero so the frame has one shape.
%macro ISR 1
isr_%1:
%if %1 = 8 || (%1 >= 10 && %1 <= 14) || %1 = 17 || %1 = 21 || %1 = 29 || %1 = 30
%else
	push 0
%endif
	push %1
	jmp isr_common
%endmacro

%assign v 0
%rep 256
ISR v
%assign v v+1
%endrep

isr_common:
	pushad
	push ds
	push es
	mov eax, 0x10
	mov ds, eax
	mov es, eax
	cld
	push esp			; struct frame *
	call isr_dispatch
	add esp, 4
	pop es
	pop ds
	popad
	add esp, 8			; vector and error code
	iretd

section .rodata
global isr_stubs
isr_stubs:
%assign v 0
%rep 256
	dd isr_ %+ v
%assign v v+1
%endrep

section .data
align 8
global gdt
gdt:
	dq 0
	dq 0x00CF9A000000FFFF		; 0x08: code, base 0, 4 GiB, 32-bit
	dq 0x00CF92000000FFFF		; 0x10: data, base 0, 4 GiB
gdt_end:
gdt_desc:
	dw gdt_end - gdt - 1
	dd gdt

section .bss
align 16
	resb 16384
global stack_top
stack_top:
