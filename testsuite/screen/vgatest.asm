; A bootable 1.44M floppy that draws known pictures in three VGA modes
; through the VGA BIOS (int 10h), for testsuite/boot/graphics.sh.
; SPDX-License-Identifier: MIT
;
; nasm -f bin -o vgatest.img vgatest.asm
;
; The BIOS loads the boot sector, which loads the payload (int 13h) and runs
; it. Each picture is announced on COM1 (0x3f8, 115200 8N1) once it is
; complete; the payload then waits for a key (int 16h AH=00h, so the key
; goes through the i8042 and the BIOS's IRQ 1 handler) before the next:
;   1. mode 13h (320x200, 256 colours): the DAC set through int 10h
;      AX=1012h to DAC[i] = (i & 63, i >> 2, (i * 7 ^ 0x2a) & 63), pixel
;      (x, y) = ((x ^ 3y) + (x >> 3)) & 255.                 "MODE13-READY"
;   2. mode 12h (640x480, 16 colours, planar): the attribute palette set to
;      the identity with int 10h AX=1002h, DAC[i] for i < 16 written through
;      ports 0x3c8/0x3c9 as ((4i + 3) & 63, (63 - 4i) & 63, 21i & 63);
;      colour (x, y) = (x + 3y + (x >> 4)) & 15, rows 0-239 drawn a pixel
;      at a time with write mode 2 (bit mask, latches), rows 240-479 a byte
;      at a time with write mode 0, one plane after the other (map mask).
;                                                            "MODE12-READY"
;   3. a VBE mode: the mode list of int 10h AX=4F00h searched (AX=4F01h)
;      for 640x480, 32 bits a pixel, direct colour, with a linear frame
;      buffer; set with AX=4F02h and bit 14; the dword at the LFB address
;      of the mode info block + y * BytesPerScanLine + 4x is
;      (x * 0x010305 + y * 0x070b0d) ^ (x * y), written in unreal mode
;      (its top byte is not shown: the colour is its low 24 bits, 0xRRGGBB).
;                                                            "VBE-READY mode=0x..."
; then "VGATEST-DONE" and 0 to port 0xf4 (isa-debug-exit: exit status 1).
; On a failure: "VGATEST-BAD why" and 1 to port 0xf4 (exit status 3).
; testsuite/screen/gfxcheck.py computes the same pictures.

PAYLOAD		equ 8			; sectors after the boot sector
COM1		equ 0x3f8

drive		equ 0x600		; byte
y3		equ 0x602		; word: 3 * y in mode 12h
lfb		equ 0x604		; dword: the LFB address
pitch		equ 0x608		; dword: bytes per scan line
vmode		equ 0x60c		; word: the VBE mode
row		equ 0x60e		; word
dactab		equ 0x1000		; 768 bytes: the mode 13h DAC
vbeinfo		equ 0x2000		; 512 bytes: VbeInfoBlock
modeinfo	equ 0x2200		; 256 bytes: ModeInfoBlock

	cpu 386
	bits 16
	org 0x7c00

; ---- the boot sector ----
%define BOOT_HELLO "vgatest: boot sector running"
%define BOOT_FAIL "VGATEST-BAD cannot load the payload"
%include "testsuite/floppy/bootsector.inc"

; ---- the payload ----
payload:
	PRINT "vgatest: payload running", 13, 10

	; ---- 1. mode 13h ----
	mov ax, 0x0013
	int 0x10
	xor ax, ax
	mov es, ax
	mov di, dactab
	xor cx, cx
.dac:	mov al, cl
	and al, 63
	stosb
	mov al, cl
	shr al, 2
	stosb
	mov al, cl
	mov ah, 7
	mul ah
	xor al, 0x2a
	and al, 63
	stosb
	inc cx
	cmp cx, 256
	jb .dac
	mov ax, 0x1012			; set a block of DAC registers
	xor bx, bx
	mov cx, 256
	mov dx, dactab
	int 0x10
	push word 0xa000
	pop es
	xor di, di
	xor dx, dx			; y
.y13:	mov bx, dx
	imul bx, bx, 3
	xor cx, cx			; x
.x13:	mov ax, cx
	xor ax, bx
	mov si, cx
	shr si, 3
	add ax, si
	stosb
	inc cx
	cmp cx, 320
	jb .x13
	inc dx
	cmp dx, 200
	jb .y13
	PRINT "MODE13-READY", 13, 10
	call waitkey

	; ---- 2. mode 12h ----
	mov ax, 0x0012
	int 0x10
	xor ax, ax
	mov es, ax
	mov ax, 0x1002			; all palette registers and the overscan
	mov dx, paltab
	int 0x10
	mov dx, 0x3c8
	xor al, al
	out dx, al
	inc dx
	xor cx, cx
.dac12:	mov al, cl
	shl al, 2
	add al, 3
	and al, 63
	out dx, al
	mov al, cl
	shl al, 2
	neg al
	add al, 63
	and al, 63
	out dx, al
	mov al, cl
	mov ah, 21
	mul ah
	and al, 63
	out dx, al
	inc cx
	cmp cx, 16
	jb .dac12
	push word 0xa000
	pop es
	mov dx, 0x3c4
	mov ax, 0x0f02			; map mask: all planes
	out dx, ax
	mov dx, 0x3ce
	mov ax, 0x0001			; no set/reset
	out dx, ax
	mov ax, 0x0003			; no rotation, replace
	out dx, ax
	mov ax, 0x0205			; write mode 2
	out dx, ax
	xor bp, bp			; y
.y12a:	mov ax, bp
	imul ax, ax, 3
	mov [y3], ax
	xor cx, cx			; x
.x12a:	mov bx, cx
	and bx, 7
	mov ah, [bitmask + bx]
	mov al, 8
	mov dx, 0x3ce
	out dx, ax			; bit mask: this pixel
	imul di, bp, 80
	mov bx, cx
	shr bx, 3
	add di, bx
	mov al, [es:di]			; load the latches
	call colour12
	mov [es:di], al
	inc cx
	cmp cx, 640
	jb .x12a
	inc bp
	cmp bp, 240
	jb .y12a
	mov dx, 0x3ce
	mov ax, 0x0005			; write mode 0
	out dx, ax
	mov ax, 0xff08			; bit mask: all
	out dx, ax
.y12b:	mov ax, bp
	imul ax, ax, 3
	mov [y3], ax
	imul di, bp, 80
	xor si, si			; byte column
.c12b:	mov ah, 1			; plane bit
.p12b:	push ax
	mov al, 2
	mov dx, 0x3c4
	out dx, ax			; map mask: this plane
	pop ax
	xor bl, bl			; the byte
	mov cx, si
	shl cx, 3			; x of its first pixel
.b12b:	call colour12
	and al, ah
	cmp al, 1			; CF = 1 when the bit is clear
	cmc
	rcl bl, 1
	inc cx
	test cx, 7
	jnz .b12b
	push di
	add di, si
	mov [es:di], bl
	pop di
	shl ah, 1
	cmp ah, 16
	jb .p12b
	inc si
	cmp si, 80
	jb .c12b
	inc bp
	cmp bp, 480
	jb .y12b
	mov dx, 0x3c4
	mov ax, 0x0f02
	out dx, ax
	PRINT "MODE12-READY", 13, 10
	call waitkey

	; ---- 3. VBE 640x480x32 with a linear frame buffer ----
	xor ax, ax
	mov es, ax
	mov dword [vbeinfo], 'VBE2'
	mov ax, 0x4f00
	mov di, vbeinfo
	int 0x10
	cmp ax, 0x004f
	je .vbeok
	PRINT "VGATEST-BAD int 10h AX=4F00h failed", 13, 10
	jmp fail
.vbeok:	mov si, [vbeinfo + 14]		; the mode list: a far pointer
.mode:	mov ax, [vbeinfo + 16]		; (int 10h need not keep FS)
	mov fs, ax
	mov cx, [fs:si]
	cmp cx, 0xffff
	jne .try
	PRINT "VGATEST-BAD no 640x480x32 mode with a linear frame buffer", 13, 10
	jmp fail
.try:	add si, 2
	mov [vmode], cx
	mov ax, 0x4f01
	mov di, modeinfo
	int 0x10
	cmp ax, 0x004f
	jne .mode
	test byte [modeinfo], 0x80	; a linear frame buffer
	jz .mode
	cmp word [modeinfo + 0x12], 640
	jne .mode
	cmp word [modeinfo + 0x14], 480
	jne .mode
	cmp byte [modeinfo + 0x19], 32
	jne .mode
	cmp byte [modeinfo + 0x1b], 6	; direct colour
	jne .mode
	mov eax, [modeinfo + 0x28]
	mov [lfb], eax
	movzx eax, word [modeinfo + 0x10]
	mov [pitch], eax
	mov ax, 0x4f02
	mov bx, [vmode]
	or bx, 0x4000
	int 0x10
	cmp ax, 0x004f
	je .set
	PRINT "VGATEST-BAD int 10h AX=4F02h failed", 13, 10
	jmp fail
.set:	; unreal mode: FS with a 4 GiB limit, interrupts off while it is used
	cli
	lgdt [gdtr]
	mov eax, cr0
	or al, 1
	mov cr0, eax
	mov bx, 8
	mov fs, bx
	and al, 0xfe
	mov cr0, eax
	xor ax, ax
	mov fs, ax
	xor ebp, ebp			; y
.yv:	mov edi, ebp
	imul edi, [pitch]
	add edi, [lfb]
	mov ebx, ebp
	imul ebx, ebx, 0x070b0d
	xor ecx, ecx			; x
.xv:	mov eax, ecx
	imul eax, eax, 0x010305
	add eax, ebx
	mov edx, ecx
	imul edx, ebp
	xor eax, edx
	mov [fs:edi], eax
	add edi, 4
	inc ecx
	cmp ecx, 640
	jb .xv
	inc ebp
	cmp ebp, 480
	jb .yv
	sti
	PRINT "VBE-READY mode=0x"
	mov ax, [vmode]
	call puthex16
	PRINT " lfb=0x"
	mov eax, [lfb]
	call puthex32
	PRINT " pitch="
	mov ax, [pitch]
	call puthex16
	PRINT 13, 10
	call waitkey
	PRINT "VGATEST-DONE", 13, 10
	mov al, 0
	jmp exit

fail:	mov al, 1
	jmp exit

; the colour of mode 12h pixel (CX, BP) into AL: (x + 3y + (x >> 4)) & 15
; (AH and everything else kept)
colour12:
	push dx
	mov dx, cx
	shr dx, 4
	add dx, cx
	add dx, [y3]
	and dl, 15
	mov al, dl
	pop dx
	ret

; wait for a key (int 16h) and say which
waitkey:
	xor ah, ah
	int 0x16
	push ax
	PRINT "vgatest: key 0x"
	pop ax
	call puthex16
	PRINT 13, 10
	ret

%include "testsuite/floppy/puthex.inc"

bitmask:
	db 0x80, 0x40, 0x20, 0x10, 0x08, 0x04, 0x02, 0x01
paltab:					; 16 palette registers, the overscan
	db 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0
	align 8
gdt:	dq 0
	dw 0xffff, 0			; 0x08: data, base 0, limit 4 GiB
	db 0, 0x92, 0xcf, 0
gdtr:	dw gdtr - gdt - 1
	dd gdt

%if $ - payload > PAYLOAD * 512
%error "the payload is larger than PAYLOAD sectors"
%endif
	times 1474560 - ($ - $$) db 0
