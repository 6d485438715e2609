; Test ROM for the gdbstub (testsuite/boot/gdb.sh): RESET to real mode at CS
; base 0, to 32-bit protected mode, to 64-bit long mode, each entered at a
; global symbol gdb can break on. Assembled as ELF64 and linked with
; gdbreal2long16.asm (the real-mode part) by gdbreal2long.ld at the run
; addresses; objcopy makes the 64 KiB -bios image and the .elf keeps the
; symbols and line numbers for gdb.
;   reset_start  F000:0000 (linear f0000), from the reset vector: copies the
;                real-mode part to 0x1000 and jumps to 0000:rm_entry, so
;                that in real mode IP equals the linear address of a symbol
;   rm_entry     16-bit, CS=0: stack, page tables (identity map of the
;                first 2 MiB), GDT, CR0.PE, far jump to pm_entry
;   pm_entry     32-bit protected mode in the ROM (flat, linear f....):
;                CR4.PAE, CR3, EFER.LME, CR0.PG, far jump to lm_entry
;   lm_entry     64-bit code in the ROM
;   lm_loop      adds 1 to the qword lm_counter (RAM, 0x8000) LM_COUNT
;                times, then "gdbreal2long ok" on COM1 and 0 to port 0xf4
; SPDX-License-Identifier: MIT

COM1	equ 0x3f8
PML4	equ 0x10000
STACK	equ 0x20000
LM_COUNT equ 100

global reset_start, pm_entry, lm_entry, lm_loop, lm_done, lm_counter
extern low_lma_off, low_start, low_dwords, rm_entry

section .reset16 progbits alloc exec nowrite
bits 16
reset_start:
	cli
	cld
	mov ax, 0xf000
	mov ds, ax
	xor ax, ax
	mov es, ax
	mov si, low_lma_off		; the real-mode part's place in the ROM
	mov di, low_start
	mov cx, low_dwords
	rep movsd
	jmp 0x0000:rm_entry


section .text32 progbits alloc exec nowrite
bits 32
pm_entry:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov esp, STACK
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
	or eax, 0x80000000		; PG
	mov cr0, eax
	jmp 0x18:lm_entry

section .text64 progbits alloc exec nowrite
bits 64
lm_entry:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov rsp, STACK
	mov rax, 0x1122334455667788	; a value only 64-bit registers hold
	mov qword [lm_counter], 0
	mov ecx, LM_COUNT
lm_loop:
	inc qword [lm_counter]
	dec ecx
	jnz lm_loop
lm_done:
	cmp qword [lm_counter], LM_COUNT
	jne .bad
	mov rsi, msg_ok
	call puts64
	xor eax, eax
	out 0xf4, al
.bad:
	mov rsi, msg_bad
	call puts64
	mov al, 1
	out 0xf4, al
.h:	hlt
	jmp .h

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

msg_ok:		db "gdbreal2long ok", 13, 10, 0
msg_bad:	db "FAIL: lm_counter is not LM_COUNT", 13, 10, 0

section .reset progbits alloc exec nowrite
bits 16
	jmp 0xf000:0x0000		; F000:FFF0, the reset vector: reset_start

section .bss nobits alloc noexec write
	alignb 8
lm_counter:	resq 1
