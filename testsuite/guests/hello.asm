; The smallest test guest: no C, no IDT; prints a line on COM1 and exits pass.
; SPDX-License-Identifier: MIT
;
; Built twice: as a multiboot ELF (hello.elf) and, with AOUT_KLUDGE defined,
; as a flat binary whose multiboot header carries the load addresses (hello_aout.bin).

MB_MAGIC	equ 0x1BADB002
COM1		equ 0x3f8

%ifdef AOUT_KLUDGE
MB_FLAGS	equ 0x00010000		; bit 16: addresses in the header
LOAD_ADDR	equ 0x100000
	org LOAD_ADDR
bits 32
mbheader:
	dd MB_MAGIC
	dd MB_FLAGS
	dd -(MB_MAGIC + MB_FLAGS)
	dd mbheader			; header_addr
	dd LOAD_ADDR			; load_addr
	dd load_end			; load_end_addr
	dd bss_end			; bss_end_addr
	dd start			; entry_addr
%else
MB_FLAGS	equ 0
section .multiboot progbits alloc noexec nowrite align=4
	dd MB_MAGIC
	dd MB_FLAGS
	dd -(MB_MAGIC + MB_FLAGS)
section .text
bits 32
global _start
_start:
%endif

start:
	cli
	mov esp, stack_top		; multiboot leaves ESP undefined
	cmp eax, 0x2BADB002		; the loader must say it is multiboot
	jne bad_magic
	mov esi, msg
	call puts
	; the same greeting on the debug consoles: Bochs's port 0xe9 and
	; SeaBIOS's 0x402 (unclaimed ports drop it, as on a PC)
	mov dx, 0xe9
	mov esi, msg_dbg
	call dputs
	mov dx, 0x402
	mov esi, msg_dbg
	call dputs
	xor eax, eax			; 0: pass
	jmp exit

bad_magic:
	mov esi, msg_magic
	call puts
	mov al, 3
exit:
	out 0xf4, al
	mov esi, msg_noexit
	call puts
.hang:
	hlt
	jmp .hang

; esi: NUL-terminated string. Waits for THRE, boundedly.
puts:
	lodsb
	test al, al
	jz .done
	mov ah, al
	mov ecx, 1000000
	mov dx, COM1 + 5
.wait:
	in al, dx
	test al, 0x20
	loopz .wait
	mov al, ah
	mov dx, COM1
	out dx, al
	jmp puts
.done:
	ret

; bytes at esi to port dx until a NUL
dputs:
	lodsb
	test al, al
	jz .done
	out dx, al
	jmp dputs
.done:
	ret

msg:		db "hello from guest", 13, 10, 0
msg_dbg:	db "hello debugcon", 10, 0
msg_magic:	db "FAIL: multiboot magic in EAX is wrong", 13, 10, 0
msg_noexit:	db "guest: port 0xf4 did not exit; halting", 13, 10, 0

align 4
	times 256 db 0			; in the image so the a.out variant needs no bss
stack_top:

%ifdef AOUT_KLUDGE
load_end:
bss_end:
%endif
