; Hardware task switches: JMP and CALL to a TSS, a task gate in the IDT
; (INT n, and #GP with its error code on the new task's stack), NT and IRET
; back, the busy bits, and #GP for a busy target.
; SPDX-License-Identifier: MIT
%include "lib.inc"

SEL_TSSB	equ 0x30
SEL_TSSC	equ 0x38
SEL_TSSGATE	equ 0x40	; a task gate in the GDT pointing at B

; TSS field offsets
T_LINK	equ 0x00
T_CR3	equ 0x1c
T_EIP	equ 0x20
T_EFL	equ 0x24
T_EAX	equ 0x28
T_ESP	equ 0x38
T_ESI	equ 0x40
T_ES	equ 0x48
T_CS	equ 0x4c
T_SS	equ 0x50
T_DS	equ 0x54
T_FS	equ 0x58
T_GS	equ 0x5c
T_IOMAP	equ 0x66

; a TSS descriptor: selector, base label
%macro SET_TSS_DESC 2
	mov eax, %2
	mov word [gdt + %1], 103
	mov [gdt + %1 + 2], ax
	shr eax, 16
	mov [gdt + %1 + 4], al
	mov byte [gdt + %1 + 5], 0x89
	mov byte [gdt + %1 + 6], 0
	mov [gdt + %1 + 7], ah
%endmacro

; a fresh task: TSS label, entry, stack top, EAX
%macro INIT_TSS 4
	mov edi, %1
	mov ecx, 104 / 4
	xor eax, eax
	rep stosd
	mov eax, cr3
	mov [%1 + T_CR3], eax
	mov dword [%1 + T_EIP], %2
	mov dword [%1 + T_EFL], 0x2
	mov dword [%1 + T_EAX], %4
	mov dword [%1 + T_ESP], %3
	mov dword [%1 + T_CS], SEL_CODE
	mov dword [%1 + T_SS], SEL_DATA
	mov dword [%1 + T_DS], SEL_DATA
	mov dword [%1 + T_ES], SEL_DATA
	mov dword [%1 + T_FS], SEL_DATA
	mov dword [%1 + T_GS], SEL_DATA
	mov word [%1 + T_IOMAP], 104
%endmacro

%macro TYPE_OF 1	; eax = the descriptor type of selector %1
	movzx eax, byte [gdt + %1 + 5]
	and eax, 0xf
%endmacro

main:
	SET_TSS_DESC SEL_TSSB, tssb
	SET_TSS_DESC SEL_TSSC, tssc
	mov dword [gdt + SEL_TSSGATE], 0
	mov word [gdt + SEL_TSSGATE + 2], SEL_TSSB
	mov byte [gdt + SEL_TSSGATE + 5], 0x85
	INIT_TSS tssb, task_b, stack_b, 0xb0b0b0b0
	INIT_TSS tssc, task_c, stack_c, 0

	; ---- JMP to a TSS: no link, NT clear, the old task not busy ----
	mov esi, 0x5151
	jmp SEL_TSSB:0
after_jmp:
	CHECK_EQ esi, 0x5151, "JMP back: ESI restored from the TSS"
	CHECK_EQ [b_tr], SEL_TSSB, "task B (JMP): TR"
	CHECK_EQ [b_eax], 0xb0b0b0b0, "task B (JMP): EAX from its TSS"
	mov eax, [b_eflags]
	and eax, 0x4000
	CHECK_EQ eax, 0, "task B (JMP): NT clear"
	CHECK_EQ [b_typeA], 0x9, "task B (JMP): A not busy"
	CHECK_EQ [b_typeB], 0xb, "task B (JMP): B busy"
	CHECK_EQ [b_eipA], after_jmp, "task B (JMP): A's EIP saved in its TSS"
	TYPE_OF SEL_TSSB
	CHECK_EQ eax, 0x9, "back in A after JMP: B not busy"
	TYPE_OF SEL_TSS
	CHECK_EQ eax, 0xb, "back in A after JMP: A busy"
	str ax
	movzx eax, ax
	CHECK_EQ eax, SEL_TSS, "back in A: TR"

	; ---- CALL to a TSS: link, NT, both busy; IRET returns ----
	call SEL_TSSB:0
	CHECK_EQ [b_link], SEL_TSS, "task B (CALL): back link"
	mov eax, [b_eflags]
	and eax, 0x4000
	CHECK_EQ eax, 0x4000, "task B (CALL): NT set"
	CHECK_EQ [b_typeA], 0xb, "task B (CALL): A still busy"
	CHECK_EQ [b_typeB], 0xb, "task B (CALL): B busy"
	TYPE_OF SEL_TSSB
	CHECK_EQ eax, 0x9, "after IRET from B: B not busy"
	pushfd
	pop eax
	and eax, 0x4000
	CHECK_EQ eax, 0, "after IRET from B: NT clear in A"

	; ---- through a task gate in the GDT (JMP) ----
	jmp SEL_TSSGATE:0
	CHECK_EQ [b_tr], SEL_TSSB, "JMP through a task gate: TR in B"
	CHECK_EQ [b_count], 3, "task B entries"

	; ---- a busy TSS cannot be entered ----
	TRY
	call SEL_TSS:0
	CATCH 13, SEL_TSS, "CALL to the busy current TSS"
	TRY
	jmp SEL_TSS:0
	CATCH 13, SEL_TSS, "JMP to the busy current TSS"

	; ---- a task gate in the IDT: INT 0x40 ----
	mov dword [idt + 0x40 * 8], 0
	mov word [idt + 0x40 * 8 + 2], SEL_TSSB
	mov byte [idt + 0x40 * 8 + 5], 0x85
	int 0x40
	CHECK_EQ [b_count], 4, "INT 0x40 through a task gate ran B"
	CHECK_EQ [b_link], SEL_TSS, "task gate: back link"
	mov eax, [b_eflags]
	and eax, 0x4000
	CHECK_EQ eax, 0x4000, "task gate: NT set in B"

	; ---- #GP through a task gate: the error code on C's stack ----
	mov dword [idt + 13 * 8], 0
	mov word [idt + 13 * 8 + 2], SEL_TSSC
	mov byte [idt + 13 * 8 + 5], 0x85
	mov ax, 0x1000
gp_insn:
	mov ds, ax			; #GP(0x1000) -> task C, which skips this
	CHECK_EQ [c_err], 0x1000, "#GP through a task gate: error code"
	CHECK_EQ [c_eipA], gp_insn, "#GP through a task gate: A's saved EIP"
	CHECK_EQ [c_link], SEL_TSS, "#GP through a task gate: back link"

	mov esi, ok
	jmp pass_with

; ---- task B: each entry resumes after its last switch away ----
task_b:
	call b_record
	mov esi, 0xdead
	jmp SEL_TSS:0			; entry 1 (JMP) ends
	call b_record
	iretd				; entry 2 (CALL) ends
	call b_record
	jmp SEL_TSS:0			; entry 3 (JMP via the gate) ends
	call b_record
	iretd				; entry 4 (INT through the gate) ends
	mov esi, b_too_many
	jmp fail

b_record:
	inc dword [b_count]
	mov [b_eax], eax
	str ax
	movzx eax, ax
	mov [b_tr], eax
	pushfd
	pop eax
	mov [b_eflags], eax
	movzx eax, word [tssb + T_LINK]
	mov [b_link], eax
	TYPE_OF SEL_TSS
	mov [b_typeA], eax
	TYPE_OF SEL_TSSB
	mov [b_typeB], eax
	mov eax, [tss + T_EIP]
	mov [b_eipA], eax
	ret

; ---- task C: the #GP handler ----
task_c:
	pop eax
	mov [c_err], eax
	movzx eax, word [tssc + T_LINK]
	mov [c_link], eax
	mov eax, [tss + T_EIP]
	mov [c_eipA], eax
	mov ax, SEL_DATA		; A's DS in its TSS is fine; skip the MOV
	add dword [tss + T_EIP], 2
	iretd
	mov esi, b_too_many
	jmp fail

	align 4
b_count:	dd 0
b_eax:		dd 0
b_tr:		dd 0
b_eflags:	dd 0
b_link:		dd 0
b_typeA:	dd 0
b_typeB:	dd 0
b_eipA:		dd 0
c_err:		dd 0
c_link:		dd 0
c_eipA:		dd 0
b_too_many:	db "a task ran more often than switched to", 0
ok:		db "tasks ok", 0
	align 16
tssb:		times 104 db 0
tssc:		times 104 db 0
		times 1024 db 0
stack_b:
		times 1024 db 0
stack_c:

GUEST_END
