; A bootable floppy image that checks every sector of itself through the BIOS.
; SPDX-License-Identifier: MIT
;
; nasm -f bin -DCYLS=80 -DHEADS=2 -DSPT=18 -o floppy.img floppy.asm
;
; The whole image is this file: the boot sector (LBA 0), a payload of
; PAYLOAD sectors (LBA 1..PAYLOAD) and, in every other sector L, a pattern:
;   word L, word ~L, then 127 dwords x = x * 1664525 + 1013904223 (mod 2^32)
;   from x = L * 0x9e3779b1, so a sector read from the wrong place, a
;   shifted or partial transfer, or a stale buffer never passes.
; The BIOS loads the boot sector (int 19h, drive 0); it loads the payload
; with int 13h AH=02 and runs it. The payload reads the disk twice with
; int 13h AH=02 and checks each sector as it comes:
;   1. every track whole (CYLS*HEADS reads of SPT sectors, cylinder 0 up):
;      covers every sector, so the count reported is the image's size;
;   2. one sector at a time, from the last LBA down to 0: every sector of
;      the first and the last cylinder and every 7th LBA between (seeks
;      backwards, every sector number, both heads).
; The code sectors are checked against the copy in memory.
; Reports on COM1 (0x3f8, 115200 8N1), one of
;   FLOPPY-OK N sectors (T track reads, S sector reads, R retries)
;   FLOPPY-BAD lba=L ...why...
; then writes 0 (OK) or 1 (BAD) to port 0xf4: QEMU's isa-debug-exit turns
; that into exit status 1 or 3; without it the CPU halts.
; Error 06h (media changed) is retried, up to 3 times a read, and counted;
; any other error is BAD.

%ifndef CYLS
%define CYLS 80
%endif
%ifndef HEADS
%define HEADS 2
%endif
%ifndef SPT
%define SPT 18
%endif

NSECT		equ CYLS * HEADS * SPT
PAYLOAD		equ 4			; sectors after the boot sector
PATTERN_START	equ 1 + PAYLOAD		; first LBA holding the pattern
BUFSEG		equ 0x1000		; track buffer at 64 KiB: up to 36 sectors, no DMA boundary
COM1		equ 0x3f8
SAMPLE		equ 7

%if SPT > 63 || HEADS > 255 || CYLS > 1024 || SPT < 1 + PAYLOAD
%error "geometry out of range"
%endif

; variables, below the boot sector and above the BIOS data area
drive		equ 0x600	; byte: the boot drive from DL
head		equ 0x601	; byte
cyl		equ 0x602	; word
lba		equ 0x604	; dword: the sector being checked
retries		equ 0x608	; dword
track_reads	equ 0x60c	; dword
sector_reads	equ 0x610	; dword
rd_count	equ 0x614	; byte
rd_sector	equ 0x615	; byte
rd_tries	equ 0x616	; byte
rd_status	equ 0x617	; byte: AH of a failed read
bad_off		equ 0x618	; word: offset of a mismatch in the sector

	cpu 386
	bits 16
	org 0x7c00

; ---- LBA 0: the boot sector ----
%define BOOT_HELLO "floppy: boot sector running, loading the payload"
%define BOOT_FAIL "FLOPPY-BAD lba=1 cannot load the payload"
%include "testsuite/floppy/bootsector.inc"

; ---- LBA 1..PAYLOAD: the checker ----
payload:
	PRINT "floppy: payload running from drive 0x"
	mov al, [drive]
	call puthex8
	PRINT ", image of "
	mov eax, CYLS
	call putdec
	PRINT " cylinders, "
	mov eax, HEADS
	call putdec
	PRINT " heads, "
	mov eax, SPT
	call putdec
	PRINT " sectors per track", 13, 10

	; what the BIOS thinks of the drive: information only (it describes
	; the drive type in the CMOS, not the medium in it)
	mov ah, 0x08
	mov dl, [drive]
	xor di, di
	int 0x13
	jc .noinfo
	push cx
	push dx
	PRINT "floppy: int 13h AH=08: drive type "
	mov al, bl
	call puthex8
	PRINT ", "
	pop dx
	pop cx
	push cx
	push dx
	movzx eax, cl			; cylinders: CH plus CL bits 6-7
	shl ax, 2
	mov al, ch
	inc eax
	call putdec
	PRINT " cylinders, "
	pop dx
	movzx eax, dh
	inc eax
	call putdec
	PRINT " heads, "
	pop cx
	movzx eax, cl
	and al, 0x3f
	call putdec
	PRINT " sectors per track", 13, 10
	jmp .info_done
.noinfo:
	PRINT "floppy: int 13h AH=08 failed, AH=0x"
	mov al, ah
	call puthex8
	PRINT 13, 10
.info_done:
	xor ax, ax
	mov ds, ax
	mov ax, BUFSEG
	mov es, ax			; ES: the read buffer from here on
	xor eax, eax
	mov [retries], eax
	mov [track_reads], eax
	mov [sector_reads], eax

	; pass 1: every track, whole
	mov word [cyl], 0
.cyl:	mov byte [head], 0
.head:	movzx eax, word [cyl]
	imul eax, eax, HEADS
	movzx ecx, byte [head]
	add eax, ecx
	imul eax, eax, SPT
	mov [lba], eax
	mov al, SPT
	mov cl, 1
	call read_chs
	xor di, di
	mov cx, SPT
.sect:	call verify
	add di, 512
	inc dword [lba]
	loop .sect
	inc dword [track_reads]
	inc byte [head]
	cmp byte [head], HEADS
	jb .head
	inc word [cyl]
	cmp word [cyl], CYLS
	jb .cyl

	; pass 2: single sectors, last to first
	mov dword [lba], NSECT - 1
.one:	mov eax, [lba]
	cmp eax, HEADS * SPT
	jb .take			; cylinder 0
	cmp eax, NSECT - HEADS * SPT
	jae .take			; the last cylinder
	xor edx, edx
	mov ecx, SAMPLE
	div ecx
	test edx, edx
	jnz .skip
.take:	mov eax, [lba]
	xor edx, edx
	mov ecx, HEADS * SPT
	div ecx				; EAX cylinder, EDX head * SPT + sector - 1
	mov [cyl], ax
	mov eax, edx
	xor edx, edx
	mov ecx, SPT
	div ecx				; EAX head, EDX sector - 1
	mov [head], al
	mov cl, dl
	inc cl
	mov al, 1
	call read_chs
	xor di, di
	call verify
	inc dword [sector_reads]
.skip:	dec dword [lba]
	jns .one

	PRINT "FLOPPY-OK "
	mov eax, NSECT
	call putdec
	PRINT " sectors ("
	mov eax, [track_reads]
	call putdec
	PRINT " track reads, "
	mov eax, [sector_reads]
	call putdec
	PRINT " sector reads, "
	mov eax, [retries]
	call putdec
	PRINT " retries)", 13, 10
	mov al, 0
	jmp exit

; read_chs: AL sectors from sector CL of [cyl]/[head] into BUFSEG:0;
; [lba] is the first one's LBA (for the report). BAD on an error or a
; short count.
read_chs:
	mov [rd_count], al
	mov [rd_sector], cl
	mov byte [rd_tries], 0
.again:	xor bx, bx
	mov ax, [cyl]
	mov ch, al
	mov cl, ah
	shl cl, 6
	or cl, [rd_sector]
	mov dh, [head]
	mov dl, [drive]
	mov ah, 0x02
	mov al, [rd_count]
	int 0x13
	jc .err
	cmp al, [rd_count]
	jne .short
	ret
.err:	mov [rd_status], ah
	cmp ah, 0x06			; media changed: the next try reads
	jne .bad
	inc dword [retries]
	inc byte [rd_tries]
	cmp byte [rd_tries], 3
	jbe .again
.bad:	PRINT "FLOPPY-BAD lba="
	mov eax, [lba]
	call putdec
	PRINT " int 13h AH=02 error AH=0x"
	mov al, [rd_status]
	call puthex8
	jmp .where
.short:	push ax
	PRINT "FLOPPY-BAD lba="
	mov eax, [lba]
	call putdec
	PRINT " int 13h AH=02 read "
	pop ax
	movzx eax, al
	call putdec
	PRINT " sectors, not "
	movzx eax, byte [rd_count]
	call putdec
.where:	PRINT " (cylinder "
	movzx eax, word [cyl]
	call putdec
	PRINT " head "
	movzx eax, byte [head]
	call putdec
	PRINT " sector "
	movzx eax, byte [rd_sector]
	call putdec
	PRINT " count "
	movzx eax, byte [rd_count]
	call putdec
	PRINT ")", 13, 10
	mov al, 1
	jmp exit

; verify: the sector at ES:DI must be LBA [lba]
verify:
	pushad
	mov eax, [lba]
	cmp eax, PATTERN_START
	jae .pattern
	shl ax, 9			; code: the copy the BIOS and the boot
	add ax, 0x7c00			; sector loaded at 0:7C00
	mov si, ax
	mov bx, di
	mov cx, 512
	repe cmpsb
	jne .badcmp
	popad
	ret
.badcmp:
	lea ax, [di - 1]
	sub ax, bx
	mov [bad_off], ax
	mov di, bx
	jmp .bad
.pattern:
	mov word [bad_off], 0
	cmp [es:di], ax
	jne .bad
	mov word [bad_off], 2
	mov dx, ax
	not dx
	cmp [es:di + 2], dx
	jne .bad
	mov edx, 0x9e3779b1
	imul eax, edx
	mov cx, 127
	lea si, [di + 4]
.word:	imul eax, eax, 1664525
	add eax, 1013904223
	cmp [es:si], eax
	jne .badw
	add si, 4
	loop .word
	popad
	ret
.badw:	sub si, di
	mov [bad_off], si
.bad:	PRINT "FLOPPY-BAD lba="
	mov eax, [lba]
	call putdec
	PRINT " wrong data at byte "
	movzx eax, word [bad_off]
	call putdec
	PRINT " of the sector; it begins "
	mov eax, [es:di]
	call puthex32
	PRINT 13, 10
	mov al, 1
	jmp exit

; putdec: EAX in decimal
putdec:	pushad
	mov ebx, 10
	xor cx, cx
.div:	xor edx, edx
	div ebx
	push dx
	inc cx
	test eax, eax
	jnz .div
.out:	pop ax
	add al, '0'
	call putc
	loop .out
	popad
	ret

%include "testsuite/floppy/puthex.inc"

	times (1 + PAYLOAD) * 512 - ($ - $$) db 0

; ---- LBA PATTERN_START..NSECT-1: the pattern ----
%assign L PATTERN_START
%rep NSECT - PATTERN_START
	dw L, ~L & 0xffff
%assign x (L * 0x9e3779b1) & 0xffffffff
%rep 127
%assign x (x * 1664525 + 1013904223) & 0xffffffff
	dd x
%endrep
%assign L L + 1
%endrep
