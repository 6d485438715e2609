; Every exception the CPU raises, with its vector, error code and faulting EIP.
; SPDX-License-Identifier: MIT
%include "lib.inc"

SEL_NP_DATA	equ 0x30	; data segment, not present
SEL_NP_STACK	equ 0x38	; writable data, not present (for SS)

main:
	SET_DESC SEL_NP_DATA, 0, 0xfffff, 0x12, 0xc	; P=0
	SET_DESC SEL_NP_STACK, 0, 0xfffff, 0x12, 0xc

	; #DE: fault, EIP of the DIV
	TRY
	xor edx, edx
	mov eax, 1
	xor ecx, ecx
de_insn:
	div ecx
	CATCH 0, -1, "#DE"
	CHECK_EQ [got_eip], de_insn, "#DE: EIP"
	; #DE also on quotient overflow
	TRY
	mov edx, 2
	xor eax, eax
	mov ecx, 1
	div ecx
	CATCH 0, -1, "#DE overflow"

	; #DB single step: traps after each instruction run with TF set
	mov dword [hook], db_hook
	mov dword [db_count], 0
	mov dword [db_first], 0
	pushfd
	or dword [esp], 0x100
	popfd
db_first_insn:
	nop
db_after_first:
	nop
	nop
	pushfd
	and dword [esp], ~0x100
	popfd
	mov dword [hook], 0
	; traps after nop, nop, nop, pushfd, and, popfd (TF was set when it began)
	CHECK_EQ [db_count], 6, "#DB single-step count"
	CHECK_EQ [db_first], db_after_first, "#DB: first trap EIP"
	mov eax, dr6
	test eax, 0x4000
	FAIL_IF z, "#DB: DR6.BS not set"

	; INT1 (ICEBP, 0xF1): #DB as a trap
	LAX_SKIP icebp_done, "ICEBP (QEMU TCG raises #UD)"
	TRY
	db 0xf1
icebp_after:
	CATCH 1, -1, "ICEBP"
	CHECK_EQ [got_eip], icebp_after, "ICEBP: EIP"
icebp_done:

	; #BP: INT3 is a trap
	TRY
	int3
bp_after:
	CATCH 3, -1, "#BP"
	CHECK_EQ [got_eip], bp_after, "#BP: EIP"

	; #OF: INTO with OF=1 traps; with OF=0 it does nothing
	xor eax, eax
	into
	TRY
	mov al, 0x7f
	add al, 1
	into
of_after:
	CATCH 4, -1, "#OF"
	CHECK_EQ [got_eip], of_after, "#OF: EIP"

	; #BR: BOUND outside [lo, hi] faults; inside does not
	mov eax, 10
	bound eax, [bounds]
	mov eax, 20
	bound eax, [bounds]
	TRY
	mov eax, 21
br_insn:
	bound eax, [bounds]
	CATCH 5, -1, "#BR"
	CHECK_EQ [got_eip], br_insn, "#BR: EIP"

	; #UD
	TRY
ud_insn:
	ud2
	CATCH 6, -1, "#UD"
	CHECK_EQ [got_eip], ud_insn, "#UD: EIP"
	TRY
	db 0xf0, 0x90			; LOCK NOP
	CATCH 6, -1, "#UD (LOCK NOP)"

	; #NM: WAIT with CR0.MP and TS; no fault with MP clear
	mov eax, cr0
	and eax, ~(1 << 2)		; EM off
	or eax, (1 << 3)		; TS
	and eax, ~(1 << 1)		; MP off
	mov cr0, eax
	wait
	or eax, (1 << 1)
	mov cr0, eax
	TRY
nm_insn:
	wait
	CATCH 7, -1, "#NM (WAIT, MP+TS)"
	CHECK_EQ [got_eip], nm_insn, "#NM: EIP"
	clts
	wait

	; #DF: #GP while its gate is not present -> #NP on delivery -> #DF(0)
	and byte [idt + 13 * 8 + 5], 0x7f
	TRY
	mov ax, 0x1000
	mov ds, ax
	CATCH 8, 0, "#DF"
	or byte [idt + 13 * 8 + 5], 0x80

	; #TS: IRET with NT=1 and a back link that is not a TSS
	mov word [tss], SEL_DATA
	TRY
	pushfd
	or dword [esp], 0x4000
	popfd
	iretd
	CATCH 10, SEL_DATA, "#TS (IRET to a non-TSS back link)"
	mov word [tss], 0

	; #NP: a data segment not present
	TRY
	mov ax, SEL_NP_DATA
	mov es, ax
	CATCH 11, SEL_NP_DATA, "#NP"

	; #SS: SS loaded with a not-present segment
	TRY
	mov ax, SEL_NP_STACK
	mov ss, ax
	CATCH 12, SEL_NP_STACK, "#SS"

	; #GP: selector beyond the GDT limit; then a privileged insn in ring 3
	TRY
	mov ax, 0x1000
	mov fs, ax
	CATCH 13, 0x1000, "#GP (selector beyond GDT limit)"
	TRY
	TO_RING3 ring3_hlt, 0x002
	CATCH 13, 0, "#GP (HLT in ring 3)"
	CHECK_EQ [got_eip], ring3_hlt, "#GP (HLT in ring 3): EIP"
	CHECK_EQ [got_cs], SEL_UCODE, "#GP (HLT in ring 3): CS"

	; #PF: 4 MiB identity page for 0-4M, write to an unmapped address
	mov edi, 0x400000		; page directory at 4M (the image is below)
	mov ecx, 1024
	xor eax, eax
	rep stosd
	mov dword [0x400000], 0x83	; 4M page, present, writable
	mov dword [0x400004], 0x400083	; 4M-8M too (the directory itself)
	mov eax, cr4
	or eax, 0x10			; PSE
	mov cr4, eax
	mov eax, 0x400000
	mov cr3, eax
	mov eax, cr0
	or eax, 0x80000000
	mov cr0, eax
	TRY
pf_insn:
	mov dword [0x812344], 1
	CATCH 14, 2, "#PF (write, not present)"
	CHECK_EQ [got_cr2], 0x812344, "#PF: CR2"
	CHECK_EQ [got_eip], pf_insn, "#PF: EIP"
	mov eax, cr0
	and eax, 0x7fffffff
	mov cr0, eax

	; #AC: CR0.AM, EFLAGS.AC, CPL 3, misaligned load
	LAX_SKIP ac_done, "#AC (QEMU TCG does not check alignment)"
	mov eax, cr0
	or eax, 1 << 18
	mov cr0, eax
	TRY
	TO_RING3 ring3_ac, 0x40002
	CATCH 17, 0, "#AC"
	CHECK_EQ [got_eip], ring3_ac_insn, "#AC: EIP"
ac_done:

	mov esi, ok
	jmp pass_with

; #DB hook: count traps, remember the first EIP, resume (TF stays set)
db_hook:
	cmp dword [edx], 1
	jne .no
	inc dword [db_count]
	cmp dword [db_first], 0
	jne .yes
	mov eax, [edx + 8]
	mov [db_first], eax
.yes:	mov eax, 1
	ret
.no:	xor eax, eax
	ret

ring3_hlt:
	hlt
	int 0x31

ring3_ac:
	mov eax, user_stack_top - 16
	mov eax, [eax]			; aligned: fine
	mov eax, user_stack_top - 15
ring3_ac_insn:
	mov eax, [eax]
	int 0x31

bounds:		dd 10, 20
db_count:	dd 0
db_first:	dd 0
ok:		db "exceptions ok", 0

GUEST_END
