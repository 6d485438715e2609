; From RESET straight into 64-bit mode: a 64 KiB -bios image that goes from
; real mode to IA-32e mode in one MOV to CR0 (PE and PG together, with
; CR4.PAE, EFER.LME and a 4-level table already set), then checks in 64-bit
; code what it got: EFER.LMA, CS.L, 64-bit arithmetic, RIP-relative
; addressing of the ROM, and a #GP on a non-canonical load delivered
; through a 64-bit IDT. The SDM (vol. 3A 9.8.5) allows PE and PG in one
; write; what IA-32e mode needs is that PG comes with PE.
; SPDX-License-Identifier: MIT
%include "lib16.inc"

ROM	equ 0xf0000		; where the ROM's offsets sit in the linear space
PML4	equ 0x10000		; tables in RAM, identity map of the first 2 MiB
PDPT	equ 0x11000
PD	equ 0x12000
IDT	equ 0x13000
STACK	equ 0x20000
GOT_GP	equ 0x14000		; #GP count (RAM)

reset_entry:
	xor ax, ax
	mov ss, ax
	mov sp, 0x7c00
	mov ax, PML4 >> 4
	mov es, ax
	; zero 0x10000-0x13fff, then the three entries
	xor edi, edi
	xor eax, eax
	mov ecx, 0x1000
	cld
	a32 rep stosd
	mov dword [es:0x0000], PDPT | 3
	mov dword [es:0x1000], PD | 3
	mov dword [es:0x2000], 0x83		; 2 MiB page at 0, writable, PS
	; IDT entry 13: a 64-bit interrupt gate to gp_handler
	mov dword [es:0x3000 + 13 * 16], (0x08 << 16) | ((ROM + (gp_handler - $$)) & 0xffff)
	mov dword [es:0x3000 + 13 * 16 + 4], ((ROM + (gp_handler - $$)) & 0xffff0000) | 0x8e00
	mov dword [es:0x3000 + 13 * 16 + 8], 0

	lgdt [cs:gdtr]
	mov eax, cr4
	or eax, 1 << 5			; PAE
	mov cr4, eax
	mov eax, PML4
	mov cr3, eax
	mov ecx, 0xc0000080
	rdmsr
	or eax, 1 << 8			; LME
	wrmsr
	mov eax, cr0
	or eax, 0x80000001		; PG and PE at once
	mov cr0, eax
	jmp dword 0x08:(ROM + (long64 - $$))

bits 64
long64:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov rsp, STACK
	lidt [rel idtr]

	mov ecx, 0xc0000080
	rdmsr
	test eax, 1 << 10
	jz fail_lma
	mov rax, 0x123456789
	shr rax, 32
	cmp rax, 1
	jne fail_arith
	lea rax, [rel long64]
	mov rbx, ROM + (long64 - $$)
	cmp rax, rbx
	jne fail_rip
	mov r15, 0x1122334455667788
	mov rbx, 0x0000800000000000
	mov qword [GOT_GP], 0
	mov rax, [rbx]				; #GP(0): gp_handler skips it
	cmp qword [GOT_GP], 1
	jne fail_gp
	mov rax, 0x1122334455667788
	cmp r15, rax
	jne fail_arith

	lea rsi, [rel msg_ok]
	call puts64
	xor eax, eax
	out 0xf4, al
	jmp halt

; #GP from the non-canonical load: error code 0, then step over the
; three-byte MOV
gp_handler:
	cmp qword [rsp], 0
	jne fail_gp
	inc qword [GOT_GP]
	add qword [rsp + 8], 3
	add rsp, 8
	iretq

fail_lma:
	lea rsi, [rel msg_lma]
	jmp fail64
fail_arith:
	lea rsi, [rel msg_arith]
	jmp fail64
fail_rip:
	lea rsi, [rel msg_rip]
	jmp fail64
fail_gp:
	lea rsi, [rel msg_gp]
fail64:
	call puts64
	mov al, 1
	out 0xf4, al
halt:	hlt
	jmp halt

; rsi: a NUL-terminated string, to COM1
puts64:
	mov dx, COM1 + 5
.w:	in al, dx
	test al, 0x20
	jz .w
	lodsb
	test al, al
	jz .done
	mov dx, COM1
	out dx, al
	jmp puts64
.done:	ret

msg_ok:		db "realtolong ok", 13, 10, 0
msg_lma:	db "FAIL: EFER.LMA clear in 64-bit code", 13, 10, 0
msg_arith:	db "FAIL: 64-bit arithmetic", 13, 10, 0
msg_rip:	db "FAIL: RIP-relative address", 13, 10, 0
msg_gp:		db "FAIL: #GP on a non-canonical load", 13, 10, 0

	align 8
idtr:		dw 256 * 16 - 1
		dq IDT
	align 8
gdt:
	dq 0
	dq 0x00af9a000000ffff		; 0x08: 64-bit code
	dq 0x00cf92000000ffff		; 0x10: data
gdt_end:
gdtr:	dw gdt_end - gdt - 1
	dd ROM + (gdt - $$)

bits 16
	ROM_END
