; External interrupts against STI: an interrupt waiting while IF=0 is
; taken after the instruction that follows STI (the STI shadow), so STI;
; HLT wakes from HLT and does not sleep past it; one that arrives with IF
; on is taken at once. The interrupts are the LAPIC's self-IPIs. In the
; translator STI runs inside a block at CPL 0 when no interrupt waits,
; and leaves for the careful step when one does.
; SPDX-License-Identifier: MIT

%include "lib.inc"

APIC		equ 0xfee00000
APIC_EOI	equ APIC + 0xb0
APIC_SVR	equ APIC + 0xf0
APIC_ICR_LO	equ APIC + 0x300
VEC		equ 0x40
ICR_SELF	equ (1 << 18) | VEC	; fixed, edge, destination shorthand self

; SELF_IPI: the LAPIC makes vector VEC pending for this CPU
%macro SELF_IPI 0
	mov dword [APIC_ICR_LO], ICR_SELF
%endmacro

main:
	SET_GATE VEC, irq_handler, SEL_CODE, 0x8e
	mov dword [APIC_SVR], 0x1ff		; software enable, spurious vector 0xff

	; waiting while IF=0: taken after the instruction after STI
	SELF_IPI
	mov dword [count], 0
	sti
	inc dword [marker]
after_inc:
	nop
	cli
	CHECK_EQ [count], 1, "pending at STI: taken"
	CHECK_EQ [where], after_inc, "pending at STI: taken after one instruction"

	; the flags the interrupt's frame shows are those before STI, even
	; where the code after sets them before it reads them
	SELF_IPI
	mov eax, 0x7f
	add al, 1			; OF SF AF
	sti
	nop
after_nop:
	xor edx, edx			; sets them all, reads none
	cli
	CHECK_EQ [count], 2, "flags: taken"
	CHECK_EQ [where], after_nop, "flags: taken after one instruction"
	mov eax, [flags_at]
	and eax, 0x8d5
	CHECK_EQ eax, 0x890, "flags: OF SF AF in the frame"

	; STI; HLT with one waiting: HLT ends at it, not before it
	SELF_IPI
	sti
	hlt
after_hlt:
	cli
	CHECK_EQ [count], 3, "STI; HLT: taken"
	CHECK_EQ [where], after_hlt, "STI; HLT: taken at HLT, which it ends"

	; none waiting at STI (the translator's STI in the block), then one
	; sent with IF on: taken within a few instructions
	sti
	mov ecx, 3
.spin:	dec ecx
	jnz .spin
	SELF_IPI
	mov ecx, 1000000
.wait:	cmp dword [count], 4
	je .taken
	dec ecx
	jnz .wait
	mov esi, msg_late
	jmp fail
.taken:
	cli
	; and CLI holds one back until the next STI
	SELF_IPI
	mov ecx, 1000
.held:	dec ecx
	jnz .held
	CHECK_EQ [count], 4, "CLI holds it back"
	sti
	nop
	cli
	CHECK_EQ [count], 5, "taken at the next STI"

	mov esi, ok
	jmp pass_with

irq_handler:
	push eax
	mov eax, [esp + 4]			; the interrupted EIP
	mov [where], eax
	mov eax, [esp + 12]			; its EFLAGS
	mov [flags_at], eax
	inc dword [count]
	mov dword [APIC_EOI], 0
	pop eax
	iret

ok:		db "irq ok", 0
msg_late:	db "an interrupt sent with IF on was not taken", 0
count:		dd 0
where:		dd 0
flags_at:	dd 0
marker:		dd 0

	GUEST_END
