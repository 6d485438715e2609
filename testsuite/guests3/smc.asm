; Self-modifying code: the cases a binary translator gets wrong. Each case
; runs its code many times (so a translator has translated it) and checks
; that every write to code takes effect on the very next execution.
; SPDX-License-Identifier: MIT
;   a  patch the next instruction, one further ahead in the same block, a
;      jump's displacement and a Jcc's opcode just before they execute
;   b  a snippet whose immediate is rewritten between runs (and by itself)
;   c  code across a 4 KiB page boundary: an instruction straddling it, a
;      block continuing onto the next page; a store on one page changing the
;      code on the other page that runs right after it
;   d  JIT-like: code generated into a buffer, called, regenerated with
;      another shape at the same address; two buffers swapped by copies
;   e  paging: the same physical page through two linear addresses (write
;      through one, run through the other, or a loop's load alternating
;      between them); a code page remapped
;   f  REP MOVSB / REP STOSB overwriting the code that runs next
;   g  returns (a translator's return-address stack): the callee patches the
;      code its RET lands on, on the caller's page and, for a CALL that ends
;      a page, on the next one after writing the caller's; remaps the page
;      it returns to; sets CR0.TS before returning to SSE code; a RET to
;      somewhere else than its CALL pushed; recursion deeper than the stack
;   h  writes beside translated code: a block's last byte, a store from below
;      reaching its first bytes, data right after it written between its runs
%include "lib.inc"

JITBUF		equ 0x200000	; generated code (identity mapped, below 4 MiB)
BUF_A		equ 0x201000
BUF_B		equ 0x202000
ALIASBUF	equ 0x203000	; code page also seen at ALIAS + ALIASBUF
REMAP_PA1	equ 0x204000
REMAP_PA2	equ 0x205000
TMPBUF		equ 0x206000
ALIAS		equ 0xc00000	; 12-16 MiB: a second mapping of 0-4 MiB
REMAP_VA	equ 0x800000	; 4 KiB page switched between REMAP_PA1/2
G3_PA1		equ 0x207000	; the page G3_VA is switched between
G3_PA2		equ 0x208000
G3_VA		equ REMAP_VA + 0x1000
PD		equ 0x400000
PT		equ 0x401000
N		equ 1000

; FOR reg, count: loop reg from 0 to count-1 (body until NEXT)
%macro FOR 2
%push for
	mov dword [%$ctr], 0
%$top:
	mov %1, [%$ctr]
%endmacro
%macro NEXT 1
	inc dword [%$ctr]
	cmp dword [%$ctr], %1
	jb %$top
	jmp %$end
	align 4
%$ctr:	dd 0
%$end:
%pop
%endmacro

main:
	; ================= a: patch right before executing =================
	; a0: the literal case, once
	mov byte [a0_next + 1], 5
a0_next:
	mov eax, strict dword 0
	CHECK_EQ eax, 5, "a0: mov eax,imm patched by the instruction before it"

	; a1: the next instruction's immediate, a new value every iteration
	FOR ecx, N
	lea edx, [ecx * 3 + 5]
	mov [a1_next + 1], edx
a1_next:
	mov eax, strict dword 0
	CHECK_EQ eax, edx, "a1: imm of the next instruction (hot loop)"
	NEXT N

	; a2: an instruction five instructions further in the same block
	FOR ecx, N
	lea edx, [ecx + 0x1000]
	mov [a2_tgt + 1], edx
	mov ebx, ecx
	add ebx, 7
	xor esi, esi
	lea edi, [ebx + esi * 2]
	shl ebx, 1
a2_tgt:
	mov eax, strict dword 0
	CHECK_EQ eax, edx, "a2: imm patched further ahead in the same block"
	lea esi, [ecx * 2 + 14]
	CHECK_EQ ebx, esi, "a2: ebx (instructions around the patch)"
	NEXT N

	; a3: a short JMP's displacement, alternating between two targets
	FOR ecx, N
	mov ebx, ecx
	and ebx, 1
	mov al, [a3_disp + ebx]
	mov [a3_jmp + 1], al
a3_jmp:
	jmp short a3_t0
a3_t0:	xor eax, eax
	jmp a3_join
a3_t1:	mov eax, 1
a3_join:
	CHECK_EQ eax, ebx, "a3: JMP short displacement patched (target 0/1)"
	NEXT N

	; a4: a near JMP's rel32
	FOR ecx, N
	mov ebx, ecx
	and ebx, 1
	mov edx, [a4_disp + ebx * 4]
	mov [a4_jmp + 1], edx
a4_jmp:
	jmp strict near a4_t0
a4_t1:	mov eax, 1
	jmp a4_join
a4_t0:	xor eax, eax
a4_join:
	CHECK_EQ eax, ebx, "a4: JMP rel32 patched (target 0/1)"
	NEXT N

	; a5: a Jcc's opcode flipped between JE and JNE (ZF=1: JE taken)
	FOR ecx, N
	mov ebx, ecx
	and ebx, 1
	mov al, 0x74			; even: JE (taken)
	add al, bl			; odd: JNE (falls through)
	mov [a5_jcc], al
	xor eax, eax
	cmp eax, eax
a5_jcc:
	je a5_taken
	mov eax, 1
a5_taken:
	CHECK_EQ eax, ebx, "a5: Jcc opcode flipped JE/JNE (0 taken, 1 not)"
	NEXT N

	; ================= b: a snippet rewritten between runs =================
	FOR ecx, N
	imul edx, ecx, 3
	add edx, 7
	mov [b_snip + 1], edx
	mov ebx, ecx
	call b_snip
	lea edx, [ecx * 4 + 7]
	CHECK_EQ eax, edx, "b1: snippet after its immediate was rewritten"
	NEXT N

	; b2: the snippet increments its own immediate
	mov dword [b2_snip + 1], 0
	FOR ecx, N
	call b2_snip
	CHECK_EQ eax, ecx, "b2: snippet that rewrites its own immediate"
	NEXT N

	; b3: the snippet patches an instruction later in its own block
	FOR ecx, N
	lea ebx, [ecx + 0x5000]
	call b3_snip
	CHECK_EQ eax, ebx, "b3: snippet patching ahead in its own block"
	NEXT N

	; ================= c: across a page boundary =================
	mov eax, c_straddle + 3
	and eax, 0xfff
	CHECK_EQ eax, 0, "c: layout: c_straddle+3 not page aligned"
	mov eax, c4_tgt
	and eax, 0xfff
	CHECK_EQ eax, 0, "c: layout: c4_tgt not page aligned"
	; warm up unpatched
	FOR ecx, 100
	call c_straddle
	CHECK_EQ eax, 0x12111111, "c0: straddling mov + add (unpatched)"
	CHECK_EQ ebx, 0x22222222, "c0: mov ebx on page 2 (unpatched)"
	NEXT 100

	; c1: a byte of the straddling instruction that lies on the 2nd page
	FOR ecx, N
	mov [c_straddle + 3], cl
	movzx edx, cl
	shl edx, 16
	add edx, 0x12001111
	call c_straddle
	CHECK_EQ eax, edx, "c1: straddling insn, byte on 2nd page patched"
	NEXT N
	mov byte [c_straddle + 3], 0x11
	; c2: an instruction on the 2nd page of a block begun on the 1st
	FOR ecx, N
	imul edx, ecx, 5
	mov [c_page2_mov + 1], edx
	call c_straddle
	CHECK_EQ ebx, edx, "c2: block crossing pages, insn on 2nd page patched"
	CHECK_EQ eax, 0x12111111, "c2: eax"
	NEXT N
	mov dword [c_page2_mov + 1], 0x22222222
	; c3: a byte of the straddling instruction that lies on the 1st page
	FOR ecx, N
	mov [c_straddle + 1], cl
	movzx edx, cl
	add edx, 0x12111100
	call c_straddle
	CHECK_EQ eax, edx, "c3: straddling insn, byte on 1st page patched"
	NEXT N
	mov byte [c_straddle + 1], 0x11
	; c4: a store at the end of one page patching the first instruction of
	; the next page, which runs right after it
	FOR ecx, N
	imul ecx, ecx, 11
	call c4_entry
	CHECK_EQ eax, ecx, "c4: store on page 1 patching code at page 2 start"
	NEXT N
	; c5: a store on the 2nd page patching code on the 1st run right after
	FOR ecx, N
	imul ecx, ecx, 13
	call c5_entry
	CHECK_EQ eax, ecx, "c5: store patching code on another page, run next"
	NEXT N

	; ================= d: JIT-like generated code =================
	; even: mov eax, i*7; add eax, ebx; ret       -> 8i + 3
	; odd:  mov ecx, n; xor eax,eax; L: add eax, ebx; loop L; ret -> n*(i+3)
	FOR ebp, N
	lea ebx, [ebp + 3]
	test ebp, 1
	jnz .odd
	imul edx, ebp, 7
	mov byte [JITBUF], 0xb8
	mov [JITBUF + 1], edx
	mov word [JITBUF + 5], 0xd801
	mov byte [JITBUF + 7], 0xc3
	call JITBUF
	lea edx, [ebp * 8 + 3]
	CHECK_EQ eax, edx, "d1: generated mov/add/ret"
	jmp .next
.odd:	mov edx, ebp
	and edx, 15
	inc edx
	mov byte [JITBUF], 0xb9
	mov [JITBUF + 1], edx
	mov word [JITBUF + 5], 0xc031
	mov word [JITBUF + 7], 0xd801
	mov word [JITBUF + 9], 0xfce2
	mov byte [JITBUF + 11], 0xc3
	call JITBUF
	imul edx, ebx
	CHECK_EQ eax, edx, "d2: generated counted loop at the same address"
.next:
	NEXT N

	; d3: two buffers, their code swapped by copies every iteration
	FOR ebp, N
	mov ebx, ebp
	mov esi, tmpl_f1
	mov edi, BUF_A
	test ebp, 1
	jz .a1
	mov esi, tmpl_f2
.a1:	mov ecx, 16
	rep movsb
	mov esi, tmpl_f2
	mov edi, BUF_B
	test ebp, 1
	jz .b1
	mov esi, tmpl_f1
.b1:	mov ecx, 16
	rep movsb
	call BUF_A
	mov edi, eax
	call BUF_B
	; even: A = 2i, B = 3i; odd: A = 3i, B = 2i
	lea edx, [ebp * 2]
	lea ecx, [ebp * 2 + ebp]
	test ebp, 1
	jz .chk
	xchg edx, ecx
.chk:	CHECK_EQ edi, edx, "d3: buffer A after the copy"
	CHECK_EQ eax, ecx, "d3: buffer B after the copy"
	NEXT N

	; ================= e: aliases through paging =================
	mov edi, PD
	mov ecx, 2048			; PD and PT
	xor eax, eax
	rep stosd
	mov dword [PD + 0 * 4], 0x000000 | 0x83		; 0-4M, 4 MiB page
	mov dword [PD + 1 * 4], 0x400000 | 0x83		; 4-8M
	mov dword [PD + 2 * 4], PT | 3			; 8-12M, 4 KiB pages
	mov dword [PD + 3 * 4], 0x000000 | 0x83		; 12-16M: alias of 0-4M
	mov dword [PT], REMAP_PA1 | 3
	; the two pages REMAP_VA is switched between: mov eax, 1/2; ret
	mov byte [REMAP_PA1], 0xb8
	mov dword [REMAP_PA1 + 1], 1
	mov byte [REMAP_PA1 + 5], 0xc3
	mov byte [REMAP_PA2], 0xb8
	mov dword [REMAP_PA2 + 1], 2
	mov byte [REMAP_PA2 + 5], 0xc3
	PAGING_ON PD

	; e1: written through the alias, run through the identity mapping, and
	; e2: the other way round; both addresses run every iteration
	mov byte [ALIASBUF], 0xb8
	mov dword [ALIASBUF + 1], 0
	mov byte [ALIASBUF + 5], 0xc3
	FOR ebp, N
	imul edx, ebp, 0x10001
	test ebp, 1
	jnz .viaid
	mov [ALIAS + ALIASBUF + 1], edx
	jmp .run
.viaid:	mov [ALIASBUF + 1], edx
.run:	call ALIASBUF
	CHECK_EQ eax, edx, "e1: code run at its identity address"
	call ALIAS + ALIASBUF
	CHECK_EQ eax, edx, "e2: code run at its alias address"
	NEXT N

	; e3: the image's own snippet patched through the alias, run directly
	FOR ebp, N
	lea edx, [ebp + 0x777]
	mov [ALIAS + b_snip + 1], edx
	xor ebx, ebx
	call b_snip
	CHECK_EQ eax, edx, "e3: b_snip patched through the alias"
	NEXT N

	; e4: the same linear page remapped to another physical page + INVLPG
	FOR ebp, N
	mov eax, ebp
	and eax, 1
	shl eax, 12
	add eax, REMAP_PA1 | 3
	mov [PT], eax
	invlpg [REMAP_VA]
	call REMAP_VA
	mov edx, ebp
	and edx, 1
	inc edx
	CHECK_EQ eax, edx, "e4: remapped code page (1: PA1, 2: PA2)"
	NEXT N

	; e5: one load in a loop, its address alternating between a page's
	; two linear addresses (the host address of each is another offset
	; from it: a translator that guesses it from the last run guesses
	; wrong every other time)
	mov dword [ALIASBUF + 0x100], 0x5a5a5a5b
	xor ebx, ebx
	mov ecx, N
.e5:	mov esi, ALIASBUF + 0x100
	test ecx, 1
	jz .e5a
	add esi, ALIAS
.e5a:	add ebx, [esi]
	dec ecx
	jnz .e5
	CHECK_EQ ebx, (0x5a5a5a5b * N) & 0xffffffff, "e5: a load alternating between a page's two addresses"
	; paging stays on: 0-8M is identity mapped

	; ================= f: string instructions overwriting code =================
	; f1: REP MOVSB writes the instruction right after it
	FOR ecx, N
	mov byte [TMPBUF], 0xb8
	mov [TMPBUF + 1], ecx
	mov ebx, ecx
	mov esi, TMPBUF
	mov edi, f1_dst
	mov ecx, 5
	rep movsb
f1_dst:
	mov eax, strict dword 0xdeadbeef
	CHECK_EQ eax, ebx, "f1: REP MOVSB over the next instruction"
	NEXT N

	; f2: REP STOSB turns the next JMP into NOPs on odd iterations
	mov ax, [f2_dst]
	mov [f2_orig], ax
	FOR ebx, N
	mov ax, [f2_orig]
	mov [f2_dst], ax
	and ebx, 1
	mov ecx, ebx
	add ecx, ecx			; 0 or 2 bytes
	mov edi, f2_dst
	mov al, 0x90
	rep stosb
f2_dst:
	jmp short f2_jumped
	mov eax, 1
	jmp f2_join
f2_jumped:
	xor eax, eax
f2_join:
	CHECK_EQ eax, ebx, "f2: REP STOSB NOPing out the next JMP (1: NOPed)"
	NEXT N
	mov ax, [f2_orig]
	mov [f2_dst], ax

	; f3: REP MOVSD replaces a whole run of instructions after it
	FOR ebp, N
	mov esi, tmpl_f3a
	test ebp, 1
	jz .f3s
	mov esi, tmpl_f3b
.f3s:	mov edi, f3_dst
	mov ecx, 4
	mov ebx, ebp
	rep movsd
f3_dst:
	times 16 db 0x90
	; a: eax = ebx + 1, ecx = 0 ; b: eax = 2 * ebx, ecx = -1
	lea edx, [ebp + 1]
	xor esi, esi
	test ebp, 1
	jz .f3c
	lea edx, [ebp * 2]
	dec esi
.f3c:	CHECK_EQ eax, edx, "f3: REP MOVSD over the following block: eax"
	CHECK_EQ ecx, esi, "f3: REP MOVSD over the following block: ecx"
	NEXT N

	; ================= g: returns =================
	; g1: every 4th time, the callee rewrites the instruction its RET
	; returns to (the callers of g1 to g5 are on pages of their own,
	; after the code here, whose page is written too often to stay
	; translated)
	FOR ebp, N
	mov ebx, ebp
	and ebx, ~3
	mov ecx, ebp
	and ecx, 3
	call g1_site
	CHECK_EQ eax, ebx, "g1: the callee patched the return site"
	NEXT N

	; g2: a CALL ending a page; every 8th time the callee writes the
	; caller's page (its blocks dropped first), then the return site
	; on the next page
	FOR ebp, N
	mov ebx, ebp
	and ebx, ~7
	mov ecx, ebp
	and ecx, 7
	call g2_call
	CHECK_EQ eax, ebx, "g2: return site on the next page, patched after the caller's"
	NEXT N

	; g3: the callee maps another physical page where it returns to
	; (INVLPG): the RET runs that page's code
	mov esi, g3_tmpl
	mov edi, G3_PA1
	mov ecx, g3_tmpl_len
	rep movsb
	mov esi, g3_tmpl
	mov edi, G3_PA2
	mov ecx, g3_tmpl_len
	rep movsb
	mov dword [G3_PA1 + g3_imm - g3_tmpl], 1
	mov dword [G3_PA2 + g3_imm - g3_tmpl], 2
	FOR ebp, N
	mov dword [PT + 4], G3_PA1 | 3
	invlpg [G3_VA]
	mov ebx, ebp
	and ebx, 1			; odd: the callee maps G3_PA2
	call G3_VA
	lea edx, [ebx + 1]
	CHECK_EQ eax, edx, "g3: returned to a remapped page (1: PA1, 2: PA2)"
	NEXT N

	; g4: on odd rounds the callee sets CR0.TS: the SSE instruction its
	; RET returns to raises #NM (the code there runs in another mode)
	mov eax, cr4
	or eax, 0x200			; OSFXSR
	mov cr4, eax
	FOR ebp, N
	mov ebx, ebp
	and ebx, 1
	jnz .g4odd
	call g4_site
	jmp .g4next
.g4odd:
	TRY
	call g4_site
	CATCH 7, -1, "g4: SSE after a RET, CR0.TS set by the callee"
	clts
.g4next:
	NEXT N

	; g5: a RET to where the callee says (a retpoline's shape), and
	; recursion 40 deep, past the return-address stack's entries
	FOR ebp, N
	call g5_site
	CHECK_EQ eax, 5, "g5: RET to an address the callee stored"
	mov ecx, 40
	xor eax, eax
	call g5_rec
	CHECK_EQ eax, 820, "g5: recursion 40 deep (1 + ... + 40)"
	NEXT N

	; ================= h: writes beside translated code =================
	; h1: the last byte of a block that ran translated (JMP EBX's ModRM,
	; made JMP ESI)
	FOR ebp, N
	cmp ebp, N / 2
	jne h1_run
	mov byte [h_blk + 11], 0xe6
h1_run:
	mov ebx, h1_b
	mov esi, h1_s
	jmp h_blk
h1_s:	mov edx, 1
	jmp h1_chk
h1_b:	xor edx, edx
h1_chk:
	CHECK_EQ eax, 3, "h1: the block's result"
	xor ecx, ecx
	cmp ebp, N / 2
	setae cl
	CHECK_EQ edx, ecx, "h1: a block's last byte patched (JMP EBX to JMP ESI)"
	NEXT N
	mov byte [h_blk + 11], 0xe3

	; h2: a dword store from two bytes below a block reaching its first
	; two (MOV EAX, 1 made MOV EAX, 5)
	FOR ebp, N
	cmp ebp, N / 2
	jne h2_run
	mov dword [h_blk - 2], 0x05b89090
h2_run:
	mov ebx, h2_back
	jmp h_blk
h2_back:
	mov edx, 3
	cmp ebp, N / 2
	jb h2_chk
	mov edx, 7
h2_chk:
	CHECK_EQ eax, edx, "h2: a store from below a block reaching its first bytes"
	NEXT N
	mov dword [h_blk - 2], 0x01b89090

	; h3: data right after a block written before each of its runs (more
	; than 64 such writes in a row: the page goes whole then), and its
	; immediate patched for one run in 128 between them
	FOR ebp, N
	mov [h_data], ebp
	mov edx, 3
	mov eax, ebp
	and eax, 127
	cmp eax, 101
	jne h3_patch
	mov dword [h_blk + 1], 1
h3_patch:
	cmp eax, 100
	jne h3_run
	mov [h_blk + 1], ebp
	lea edx, [ebp + 2]
h3_run:
	mov ebx, h3_back
	jmp h_blk
h3_back:
	CHECK_EQ eax, edx, "h3: a block run between writes beside it, patched now and then"
	mov eax, [h_data]
	CHECK_EQ eax, ebp, "h3: the data beside the block"
	NEXT N
	mov dword [h_blk + 1], 1

	mov esi, ok
	jmp pass_with

; ---- snippets ----
	; a page of its own, which nothing else writes (the others' pages
	; are written often enough to run in a translator's interpreter)
	align 4096
	db 0x90, 0x90			; what h2's store keeps
h_blk:					; 12 bytes; h3's data right after
	mov eax, strict dword 1
	add eax, strict dword 2
	jmp ebx
h_data:	dd 0
	align 4096

b_snip:
	mov eax, strict dword 0
	add eax, ebx
	ret

b2_snip:
	mov eax, strict dword 0
	inc dword [b2_snip + 1]
	ret

b3_snip:
	mov [b3_tgt + 1], ebx
	xor eax, eax
	add eax, ebx
	shr eax, 1
b3_tgt:
	mov eax, strict dword 0
	ret

g3_callee:
	test ebx, ebx
	jz .r
	mov dword [PT + 4], G3_PA2 | 3
	invlpg [G3_VA]
.r:	ret
; copied to G3_PA1 and G3_PA2, run at G3_VA: call g3_callee, then the
; page's own number
g3_tmpl:
	db 0xe8				; call g3_callee, from G3_VA
	dd g3_callee - (G3_VA + 5)
g3_imm	equ $ + 1
	mov eax, strict dword 0
	ret
g3_tmpl_len	equ $ - g3_tmpl

a3_disp:	db a3_t0 - (a3_jmp + 2), a3_t1 - (a3_jmp + 2)
	align 4
a4_disp:	dd a4_t0 - (a4_jmp + 5), a4_t1 - (a4_jmp + 5)

; each template is 16 bytes
tmpl_f1:	mov eax, ebx			; 2 * ebx
	add eax, eax
	ret
	times 16 - ($ - tmpl_f1) db 0xcc
tmpl_f2:	lea eax, [ebx + ebx * 2]	; 3 * ebx
	ret
	times 16 - ($ - tmpl_f2) db 0xcc
tmpl_f3a:	mov eax, ebx			; ebx + 1, ecx = 0
	inc eax
	xor ecx, ecx
	times 16 - ($ - tmpl_f3a) db 0x90
tmpl_f3b:	lea eax, [ebx * 2]		; 2 * ebx, ecx = -1
	or ecx, -1
	times 16 - ($ - tmpl_f3b) db 0x90

f2_orig:	dw 0
ok:		db "smc ok", 0

; ---- page-straddling code ----
	align 4096
	times 4096 - 3 db 0xcc
c_straddle:			; B8 11 11 | 11 11: the boundary is after +2
	mov eax, strict dword 0x11111111
	add eax, strict dword 0x01000000
	nop
	xor ecx, ecx
c_page2_mov:
	mov ebx, strict dword 0x22222222
	ret
c5_tgt:	mov eax, strict dword 0
	ret

	align 4096
	times 4096 - 11 db 0xcc
c4_entry:
	mov eax, strict dword 0
	mov [c4_tgt + 1], ecx		; 6 bytes: ends at the page boundary
c4_tgt:
	mov eax, strict dword 0
	ret
c5_entry:
	mov [c5_tgt + 1], ecx		; page 2 writes code on page 1...
	jmp c5_tgt			; ...that runs next

; g1: a CALL whose callee (ecx 0) rewrites what it returns to
	align 4096
g1_site:
	call g1_patch
g1_ret:
	mov eax, strict dword 0
	ret
g1_patch:
	test ecx, ecx
	jnz .r
	mov [g1_ret + 1], ebx
.r:	ret

; g4, g5: on a page nothing writes
	align 4096
g4_site:
	call g4_callee
	pxor xmm0, xmm0			; #NM when the callee set CR0.TS
	ret
g4_callee:
	test ebx, ebx
	jz .r
	mov eax, cr0
	or eax, 8			; TS
	mov cr0, eax
.r:	ret

g5_site:
	xor eax, eax
	call g5_thunk
	mov eax, 1			; skipped: the thunk returns past it
g5_past:
	ret
g5_thunk:
	mov dword [esp], g5_past
	mov eax, 5
	ret
g5_rec:
	add eax, ecx
	dec ecx
	jz .r
	call g5_rec
.r:	ret

; g2: a CALL that ends a page, returning to the next. Its callee (ecx 0)
; writes the CALL's page, whose blocks go with their chains, then the
; code it returns to
	align 4096
	times 4096 - 5 db 0xcc
g2_call:
	call g2_patch
g2_ret:
	mov eax, strict dword 0
	ret
g2_patch:
	test ecx, ecx
	jnz .r
	mov [g2_call - 1], bl
	mov [g2_ret + 1], ebx
.r:	ret

GUEST_END
