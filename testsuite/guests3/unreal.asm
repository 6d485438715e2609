; Unreal mode: from RESET enter protected mode, load 4 GiB data segments,
; return to real mode, and use 32-bit offsets above 1 MiB. A 64 KiB -bios.
; SPDX-License-Identifier: MIT
;
; Checks the quirk that a real-mode segment load changes only selector and
; base (the limit stays 4 GiB), and that an ordinary real-mode segment
; (64 KiB limit) faults past its limit: #GP (INT 13) for DS, #SS (INT 12)
; for SS. QEMU's TCG does not check segment limits, so the faulting checks
; are skipped when QEMU's fw_cfg answers (trivisor must pass them).
%include "lib16.inc"

reset_entry:
	xor ax, ax
	mov ss, ax
	mov sp, 0x7c00
	mov ds, ax
	mov es, ax
	in al, 0x92			; fast A20 on (addresses below avoid bit 20 anyway)
	or al, 2
	and al, ~1
	out 0x92, al

	; ---- into protected mode, 4 GiB data in DS, ES and FS, and back ----
	lgdt [cs:gdtr]
	mov eax, cr0
	or al, 1
	mov cr0, eax
	jmp 0x08:.pm			; 16-bit code, base 0xf0000
.pm:	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov eax, cr0
	and al, ~1
	mov cr0, eax
	jmp 0xf000:.rm
.rm:	xor ax, ax
	mov ds, ax			; real-mode load: base 0, limit stays 4 GiB
	mov es, ax
	mov ax, 0x1000
	mov fs, ax			; base 0x10000, limit 4 GiB

	; ---- 32-bit offsets above 1 MiB ----
	mov esi, 0x200000
	mov dword [esi], 0x12345678
	mov dword [esi + 0x200000], 0x9abcdef0	; 0x400000
	CHECK32 {dword [es:esi]}, 0x12345678, "read back at 2 MiB through ES"
	mov edi, 0x400000
	CHECK32 {dword [edi]}, 0x9abcdef0, "read back at 4 MiB"
	CHECK32 {dword [fs:dword 0x400000 - 0x10000]}, 0x9abcdef0, "FS base 0x10000 + 32-bit offset"
	; string instructions with 32-bit addresses
	mov esi, 0x200000
	mov edi, 0x600000
	mov ecx, 1
	a32 rep movsd
	CHECK32 {dword [dword 0x600000]}, 0x12345678, "a32 REP MOVSD above 1 MiB"
	CHECK32 esi, 0x200004, "a32 MOVSD: ESI"
	; below 1 MiB nothing was written (no wrap at 1 MiB)
	CHECK32 {dword [0]}, 0, "no write wrapped to address 0" ; IVT[0] never set
	CHECK32 {dword [dword 0x10000]}, 0, "no write wrapped to 64 KiB"

	; ---- an ordinary real-mode segment still faults past 64 KiB ----
	call is_qemu
	jne .strict
	PRINT16 "note: QEMU (fw_cfg): skipped the segment-limit faults (TCG does not check limits)"
	jmp unreal_done
.strict:
	mov word [13 * 4], gp_handler
	mov word [13 * 4 + 2], cs
	mov word [12 * 4], ss_handler
	mov word [12 * 4 + 2], cs
	lgdt [cs:gdtr]			; GS gets a 64 KiB limit from protected mode
	mov eax, cr0
	or al, 1
	mov cr0, eax
	jmp 0x08:.pm2
.pm2:	mov ax, 0x18			; 64 KiB data
	mov gs, ax
	mov eax, cr0
	and al, ~1
	mov cr0, eax
	jmp 0xf000:.rm2
.rm2:	xor ax, ax
	mov gs, ax
	mov byte [0x500], 0
	mov ebx, 0x10000
gp_insn:
	mov al, [gs:ebx]		; offset 0x10000 > limit 0xffff
	CHECK16 {word [0x500]}, 13, "real mode, offset past the 64 KiB limit: INT 13"
	mov byte [0x500], 0
	mov ebx, 0xfffe
gp_insn2:
	mov eax, [gs:ebx]		; a dword straddling the limit
	CHECK16 {word [0x500]}, 13, "real mode, dword straddling the limit: INT 13"
	mov byte [0x500], 0
	mov ebp, 0x10000
ss_insn:
	mov al, [ebp]			; SS (real-mode limit 64 KiB)
	CHECK16 {word [0x500]}, 12, "real mode, SS offset past the limit: INT 12"
unreal_done:
	mov si, ok
	jmp pass16

; the handlers skip the faulting MOV (all are 4 bytes: 67 64/65 8a ...)
gp_handler:
	mov word [0x500], 13
	jmp skip_insn
ss_handler:
	mov word [0x500], 12
skip_insn:
	push bp
	mov bp, sp
	mov ax, [bp + 2]
	cmp ax, gp_insn
	je .4
	cmp ax, gp_insn2
	je .5
	add word [bp + 2], 4		; ss_insn: 67 8a 45 00
	jmp .out
.4:	add word [bp + 2], 4		; 65 67 8a 03
	jmp .out
.5:	add word [bp + 2], 5		; 66 65 67 8b 03
.out:	pop bp
	iret

	align 8
gdt:	dq 0
	dq 0x000f9a0f0000ffff		; 0x08: 16-bit code, base 0xf0000, 64 KiB
	dq 0x00cf92000000ffff		; 0x10: data, 4 GiB
	dq 0x000092000000ffff		; 0x18: data, 64 KiB
gdtr:	dw gdtr - gdt - 1
	dd 0xf0000 + gdt

ok:	db "unreal ok", 0

ROM_END
