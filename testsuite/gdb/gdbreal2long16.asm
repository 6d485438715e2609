; The real-mode part of gdbreal2long (see gdbreal2long.asm): linked to run
; from its copy at 0x1000 with CS=0. A file of its own so that each DWARF
; compilation unit covers one address range (nasm gives a unit one
; low_pc/high_pc span, and gdb warns on pcs outside it).
; SPDX-License-Identifier: MIT

PML4	equ 0x10000

global rm_entry
extern pm_entry

section .low progbits alloc exec write
bits 16
rm_entry:
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7c00
	; zero 0x10000-0x12fff, then the three entries
	mov ax, PML4 >> 4
	mov es, ax
	xor di, di
	xor eax, eax
	mov cx, 0x3000 / 4
	rep stosd
	mov dword [es:0x0000], (PML4 + 0x1000) | 3
	mov dword [es:0x1000], (PML4 + 0x2000) | 3
	mov dword [es:0x2000], 0x83		; 2 MiB page at 0, writable, PS
	lgdt [gdtr]
	mov eax, cr0
	or eax, 1			; PE
	mov cr0, eax
	jmp dword 0x08:pm_entry

	align 8
gdt:
	dq 0
	dq 0x00cf9a000000ffff		; 0x08: 32-bit code, flat
	dq 0x00cf92000000ffff		; 0x10: data, flat
	dq 0x00af9a000000ffff		; 0x18: 64-bit code
gdt_end:
gdtr:	dw gdt_end - gdt - 1
	dd gdt
	align 4

