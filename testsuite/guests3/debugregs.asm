; The guest's debug registers (Intel SDM Vol. 3 ch. 17): DR0-DR3, DR6, DR7,
; DR4/DR5 aliasing, GD, instruction/data/I/O breakpoints, RF, TF, the MOV SS
; delay (6.8.3), ICEBP and INT3.
; SPDX-License-Identifier: MIT
;
; Every #DB goes to db_hook, which records what the CPU pushed and what DR6
; and DR7 held on entry (up to 4 events), clears DR6 and TF and returns with
; IRET. A check that fails prints a FAIL line and the guest goes on, so one
; run shows every failure; "debugregs ok" only when none failed.
%include "lib.inc"

DR6_FIXED	equ 0xffff0ff0	; DR6 with no condition recorded (no RTM, no BLD)
DR7_FIXED	equ 0x00000400
B0		equ 1 << 0
B1		equ 1 << 1
B2		equ 1 << 2
B3		equ 1 << 3
BD		equ 1 << 13
BS		equ 1 << 14
GD		equ 1 << 13
EFL_TF		equ 1 << 8
EFL_RF		equ 1 << 16
CR4_DE		equ 1 << 3

; DR7 enable and R/W-LEN field for breakpoint n: L (local), G (global)
%define DR7_L(n)	(1 << ((n) * 2))
%define DR7_G(n)	(2 << ((n) * 2))
; R/W: 0 execute, 1 write, 2 I/O, 3 read/write; LEN: 0 1 byte, 1 2, 3 4, 2 8
%define DR7_RWLEN(n, rw, len)	((((len) << 2) | (rw)) << (16 + (n) * 4))

; ---- checks that report and go on ----

; EXPECT actual, want, "what"
%macro EXPECT 3
	pushad
	mov eax, %1
	mov edx, %2
	cmp eax, edx
	je %%ok
	mov esi, %%msg
	call report_neq
	jmp %%ok
%%msg:	db %3, 0
%%ok:
	popad
%endmacro

; EXPECT_BITS actual, mask, want, "what": (actual & mask) == want
%macro EXPECT_BITS 4
	pushad
	mov eax, %1
	and eax, %2
	EXPECT eax, %3, %4
	popad
%endmacro

; SOFT_CATCH vector, error code (-1: not checked), "what": as lib.inc's CATCH
; (after its TRY) but a wrong or missing exception is reported, not fatal
%macro SOFT_CATCH 3
	mov dword [recover], 0
	mov esi, %%nofault
	call report
	jmp %%done
%%nofault: db %3, ": no exception", 0
%$caught:
	EXPECT [got_vec], %1, {%3, ": vector"}
%if %2 != -1
	EXPECT [got_err], %2, {%3, ": error code"}
%endif
%%done:
%pop
%endmacro

; ---- arming and what the #DB recorder saw ----

; ARM n, address, dr7: DRn = address, DR6 and the recorder cleared, DR7 set
%macro ARM 3
	mov eax, %2
	mov dr%1, eax
	call db_reset
	mov eax, %3
	mov dr7, eax
%endmacro

; ARM_KEEP n, address, dr7: as ARM, DR6 and the recorder left as they are
%macro ARM_KEEP 3
	mov eax, %2
	mov dr%1, eax
	mov eax, %3
	mov dr7, eax
%endmacro

; DISARM: DR7 back to no breakpoints, DR0-DR3 zero
%macro DISARM 0
	call disarm
%endmacro

; EXPECT_DBS n, "what": the recorder saw n #DBs
%macro EXPECT_DBS 2
	EXPECT [db_n], %1, {%2, ": #DB count"}
%endmacro

; EXPECT_DB i, eip, dr6 bits, "what": #DB number i (0-based) saved EIP eip and
; found DR6 = DR6_FIXED | bits on entry (not checked when there was none:
; EXPECT_DBS reports that)
%macro EXPECT_DB 4
	cmp dword [db_n], %1
	jbe %%none
	EXPECT [db_eip + (%1) * 4], %2, {%4, ": saved EIP"}
	EXPECT [db_dr6 + (%1) * 4], DR6_FIXED | (%3), {%4, ": DR6"}
%%none:
%endmacro

; EXPECT_REC actual, want, "what": a value the recorder took at the first #DB
; (not checked when there was none)
%macro EXPECT_REC 3
	cmp dword [db_n], 0
	je %%none
	EXPECT %1, %2, %3
%%none:
%endmacro

; SET_TF: EFLAGS.TF on; the single-step trap comes after the next instruction
%macro SET_TF 0
	pushfd
	or dword [esp], EFL_TF
	popfd
%endmacro

main:
	mov dword [hook], db_hook

	; ---- values at reset and the fixed bits ----
	mov eax, dr6
	EXPECT eax, DR6_FIXED, "DR6 at reset"
	mov eax, dr7
	EXPECT eax, DR7_FIXED, "DR7 at reset"
	xor eax, eax
	mov dr7, eax
	mov eax, dr7
	EXPECT eax, DR7_FIXED, "DR7 written 0"
	xor eax, eax
	mov dr6, eax
	mov eax, dr6
	EXPECT eax, DR6_FIXED, "DR6 written 0"
	mov eax, B0 | B3 | BD | BS
	mov dr6, eax
	mov eax, dr6
	EXPECT eax, DR6_FIXED | B0 | B3 | BD | BS, "DR6 written B0 B3 BD BS"
	mov eax, DR7_L(0) | DR7_G(1) | 0x300 | DR7_RWLEN(2, 1, 3) | DR7_RWLEN(3, 3, 1)
	mov dr7, eax
	mov eax, dr7
	EXPECT eax, DR7_FIXED | DR7_L(0) | DR7_G(1) | 0x300 | DR7_RWLEN(2, 1, 3) | DR7_RWLEN(3, 3, 1), "DR7 read back"
	xor eax, eax
	mov dr7, eax
	mov dr6, eax
%assign n 0
%rep 4
	mov eax, 0x12345678 + n * 0x11111111
	mov dr %+ n, eax
%assign n n + 1
%endrep
%assign n 0
%rep 4
	mov eax, dr %+ n
	EXPECT eax, 0x12345678 + n * 0x11111111, "DR0-DR3 read back"
%assign n n + 1
%endrep
	DISARM

	; ---- DR4/DR5: DR6/DR7 with CR4.DE=0, #UD with CR4.DE=1 ----
	mov eax, B2
	mov dr6, eax
	mov eax, dr4
	EXPECT eax, DR6_FIXED | B2, "DR4 reads DR6 (CR4.DE=0)"
	mov eax, B1
	mov dr4, eax
	mov eax, dr6
	EXPECT eax, DR6_FIXED | B1, "DR4 writes DR6 (CR4.DE=0)"
	mov eax, 0x100
	mov dr7, eax
	mov eax, dr5
	EXPECT eax, DR7_FIXED | 0x100, "DR5 reads DR7 (CR4.DE=0)"
	mov eax, 0x200
	mov dr5, eax
	mov eax, dr7
	EXPECT eax, DR7_FIXED | 0x200, "DR5 writes DR7 (CR4.DE=0)"
	DISARM
	mov eax, cr4
	or eax, CR4_DE
	mov cr4, eax
	TRY
	mov eax, dr4
	SOFT_CATCH 6, -1, "MOV from DR4 with CR4.DE=1"
	TRY
	mov dr4, eax
	SOFT_CATCH 6, -1, "MOV to DR4 with CR4.DE=1"
	TRY
	mov eax, dr5
	SOFT_CATCH 6, -1, "MOV from DR5 with CR4.DE=1"
	TRY
	mov dr5, eax
	SOFT_CATCH 6, -1, "MOV to DR5 with CR4.DE=1"
	mov eax, cr4
	and eax, ~CR4_DE
	mov cr4, eax

	; ---- MOV DR at CPL 3: #GP(0) ----
	TRY
	TO_RING3 ring3_read_dr7, 0x002
	SOFT_CATCH 13, 0, "MOV from DR7 at CPL 3"
	EXPECT [got_eip], ring3_read_dr7, "MOV from DR7 at CPL 3: EIP"
	TRY
	TO_RING3 ring3_write_dr0, 0x002
	SOFT_CATCH 13, 0, "MOV to DR0 at CPL 3"

	; ---- DR7.GD: any MOV DR is a #DB fault with DR6.BD, GD cleared ----
	LAX_SKIP gd_done, "DR7.GD (QEMU TCG does not model general detect)"
	call db_reset
	mov eax, DR7_FIXED | GD
	mov dr7, eax
gd_read:
	mov eax, dr0			; faults; the handler's IRET runs it again
	EXPECT_DBS 1, "GD (MOV from DR0)"
	EXPECT_DB 0, gd_read, BD, "GD (MOV from DR0)"
	EXPECT_REC [db_dr7], DR7_FIXED, "GD: DR7 in the handler (GD cleared)"
	mov eax, dr7
	EXPECT eax, DR7_FIXED, "GD: DR7 after the handler"
	call db_reset
	mov eax, DR7_FIXED | GD
	mov dr7, eax
	mov eax, 0xabcd0000
gd_write:
	mov dr1, eax
	EXPECT_DBS 1, "GD (MOV to DR1)"
	EXPECT_DB 0, gd_write, BD, "GD (MOV to DR1)"
	EXPECT_REC [db_dr1], 0, "GD: DR1 not yet written when the #DB came"
	mov eax, dr1
	EXPECT eax, 0xabcd0000, "GD: DR1 written by the restarted MOV"
	DISARM
gd_done:

	; ---- instruction breakpoint: fault before the instruction, RF ----
	ARM 0, ib_func, DR7_FIXED | DR7_L(0)
	mov byte [db_setrf], 1
	mov dword [ib_count], 0
	call ib_func
	EXPECT_DBS 1, "instruction breakpoint"
	EXPECT_DB 0, ib_func, B0, "instruction breakpoint"
	EXPECT_BITS [db_efl], EFL_RF, 0, "instruction breakpoint: RF pushed (SDM: 0)"
	EXPECT_REC [db_count_at], 0, "instruction breakpoint: before the instruction ran"
	EXPECT [ib_count], 1, "instruction breakpoint: the instruction ran once"
	call db_reset
	call ib_func			; RF was cleared: it breaks again
	EXPECT_DBS 1, "instruction breakpoint, second run"
	EXPECT_DB 0, ib_func, B0, "instruction breakpoint, second run"
	EXPECT [ib_count], 2, "instruction breakpoint, second run: ran"
	; RF covers one instruction: a breakpoint on the next one still hits
	mov eax, ib_ret
	mov dr1, eax
	call db_reset
	mov eax, DR7_FIXED | DR7_L(0) | DR7_G(1)
	mov dr7, eax
	call ib_func
	EXPECT_DBS 2, "instruction breakpoints on two instructions in a row"
	EXPECT_DB 0, ib_func, B0, "two in a row: first"
	EXPECT_DB 1, ib_ret, B1, "two in a row: second (RF already cleared)"
	mov byte [db_setrf], 0
	DISARM

	; ---- data write breakpoint (DR1, 4 bytes): a trap after the write ----
	ARM 1, wvar, DR7_FIXED | DR7_L(1) | DR7_G(1) | 0x300 | DR7_RWLEN(1, 1, 3)
	mov dword [db_probe], wvar
	mov dword [wvar], 0x11223344
w_after1:
	EXPECT_DBS 1, "data write breakpoint"
	EXPECT_DB 0, w_after1, B1, "data write breakpoint"
	EXPECT_REC [db_probed], 0x11223344, "data write breakpoint: the write done"
	call db_reset
	mov eax, [wvar]
	mov byte [wvar + 4], 1
	mov byte [wvar - 1], 1
	mov word [wvar - 2], 1
	EXPECT_DBS 0, "data write breakpoint: a read, writes outside"
	call db_reset
	mov byte [wvar + 2], 0x55
w_after2:
	EXPECT_DBS 1, "data write breakpoint: byte 2 of 4"
	EXPECT_DB 0, w_after2, B1, "data write breakpoint: byte 2 of 4"
	EXPECT_REC [db_probed], 0x11553344, "data write breakpoint: byte 2 written"
	call db_reset
	mov word [wvar + 3], 0x6677
w_after3:
	EXPECT_DBS 1, "data write breakpoint: a word across its end"
	EXPECT_DB 0, w_after3, B1, "data write breakpoint: a word across its end"
	call db_reset
	mov edi, wvar
	mov eax, 0x99
	stosb
w_after4:
	EXPECT_DBS 1, "data write breakpoint: STOSB"
	EXPECT_DB 0, w_after4, B1, "data write breakpoint: STOSB"
	mov dword [db_probe], 0
	DISARM

	; ---- data read/write breakpoint (DR2, R/W=11): a read hits ----
	ARM 2, rvar, DR7_FIXED | DR7_L(2) | DR7_RWLEN(2, 3, 3)
	mov eax, [rvar]
r_after1:
	EXPECT_DBS 1, "data read/write breakpoint: read"
	EXPECT_DB 0, r_after1, B2, "data read/write breakpoint: read"
	call db_reset
	add byte [rvar + 3], 1
r_after2:
	EXPECT_DBS 1, "data read/write breakpoint: read-modify-write"
	EXPECT_DB 0, r_after2, B2, "data read/write breakpoint: read-modify-write"
	call db_reset
	mov eax, [rvar + 4]
	EXPECT_DBS 0, "data read/write breakpoint: read outside"
	DISARM

	; ---- LEN=10: 8 bytes on a CPU with Intel 64 (SDM 17.2.6) ----
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb len8_none
	mov eax, 0x80000001
	cpuid
	test edx, 1 << 29
	jz len8_none
	ARM 3, qvar, DR7_FIXED | DR7_L(3) | DR7_RWLEN(3, 1, 2)
	mov byte [qvar + 6], 1
q_after:
	mov byte [qvar + 8], 1
	mov byte [qvar - 1], 1
	EXPECT_DBS 1, "8-byte write breakpoint"
	EXPECT_DB 0, q_after, B3, "8-byte write breakpoint: byte 6"
	DISARM
	jmp len8_done
len8_none:
	PRINT "note: no long mode: LEN=10 (8 bytes) is undefined here, not checked"
len8_done:

	; ---- a breakpoint set in DR7 but not enabled (L0=G0=0) never fires ----
	ARM 0, wvar, DR7_FIXED | DR7_RWLEN(0, 1, 3)
	mov dword [wvar], 0
	ARM 0, ib_func, DR7_FIXED | 0x300
	call ib_func
	EXPECT_DBS 0, "breakpoints not enabled in DR7"
	DISARM

	; ---- TF: a trap after one instruction, DR6.BS ----
	call db_reset
	SET_TF
	mov eax, 1
tf_after:
	nop
	EXPECT_DBS 1, "single step"
	EXPECT_DB 0, tf_after, BS, "single step"

	; ---- DR6 is the handler's to clear: the CPU never clears BD, BS (B0-B3
	; "may" be cleared by a later #DB, SDM 17.2.3: not checked) ----
	mov byte [db_clear], 0
	call db_reset
	SET_TF
	nop
st_tf:
	ARM_KEEP 1, wvar, DR7_FIXED | DR7_L(1) | DR7_RWLEN(1, 1, 3)
	mov dword [wvar], 2
st_w:
	EXPECT_DBS 2, "sticky DR6"
	EXPECT_DB 0, st_tf, BS, "sticky DR6: single step"
	EXPECT_DB 1, st_w, BS | B1, "sticky DR6: BS kept at the data breakpoint"
	mov eax, dr6
	EXPECT eax, DR6_FIXED | BS | B1, "sticky DR6: after the handler returned"
	LAX_SKIP st_done, "DR6.BD kept (QEMU TCG does not model general detect)"
	mov eax, DR7_FIXED | GD
	mov dr7, eax
st_gd:
	mov eax, dr6			; #DB (BD), then reads DR6 as it left it
	EXPECT_BITS eax, ~(B0 | B1 | B2 | B3), DR6_FIXED | BD | BS, "sticky DR6: BD BS after GD"
	EXPECT_DBS 3, "sticky DR6 with GD"
	cmp dword [db_n], 2
	jbe st_done
	EXPECT [db_eip + 8], st_gd, "sticky DR6: GD: saved EIP"
st_done:
	mov byte [db_clear], 1
	DISARM

	; ---- MOV SS / POP SS hold debug exceptions for one instruction ----
	call db_reset
	mov ax, ss
	SET_TF
	mov ss, ax			; its single-step trap is suppressed
	nop
ms_tf_after:
	nop
	EXPECT_DBS 1, "MOV SS under TF"
	EXPECT_DB 0, ms_tf_after, BS, "MOV SS under TF: trap after the next instruction"
	call db_reset
	push ss
	SET_TF
	pop ss
	nop
ps_tf_after:
	nop
	EXPECT_DBS 1, "POP SS under TF"
	EXPECT_DB 0, ps_tf_after, BS, "POP SS under TF: trap after the next instruction"
	LAX_SKIP ms_bp_done, "#DB of a data breakpoint hit by MOV SS held one instruction (QEMU TCG delivers it at once)"
	ARM 2, ssvar, DR7_FIXED | DR7_L(2) | DR7_RWLEN(2, 3, 3)
	mov ss, [ssvar]			; hits the breakpoint: #DB held
	nop
ms_bp_after:
	nop
	EXPECT_DBS 1, "MOV SS from a watched dword"
	EXPECT_DB 0, ms_bp_after, B2, "MOV SS from a watched dword: #DB after the next instruction"
ms_bp_done:
	ARM 2, rvar, DR7_FIXED | DR7_L(2) | DR7_RWLEN(2, 3, 3)
	mov ax, ss
	mov ss, ax
	mov eax, [rvar]			; the instruction after MOV SS hits it
ms_next_after:
	nop
	EXPECT_DBS 1, "data breakpoint on the instruction after MOV SS"
	EXPECT_DB 0, ms_next_after, B2, "data breakpoint on the instruction after MOV SS"
	DISARM

	; ---- I/O breakpoint (CR4.DE=1, R/W=10): a trap after the OUT ----
	mov eax, cr4
	or eax, CR4_DE
	mov cr4, eax
	ARM 3, 0x80, DR7_FIXED | DR7_L(3) | DR7_RWLEN(3, 2, 0)
	out 0x80, al
io_after1:
	EXPECT_DBS 1, "I/O breakpoint: OUT 0x80"
	EXPECT_DB 0, io_after1, B3, "I/O breakpoint: OUT 0x80"
	call db_reset
	mov dx, 0x80
	out dx, al
io_after2:
	EXPECT_DBS 1, "I/O breakpoint: OUT DX"
	EXPECT_DB 0, io_after2, B3, "I/O breakpoint: OUT DX"
	; REP OUTSB: the #DB after the first iteration (SDM 17.3.1.2), so once
	; per iteration as the handler's IRET restarts the rest
	LAX_SKIP io_rep_done, "I/O breakpoint on REP OUTSB after the first iteration (QEMU TCG reports it once, at the end)"
	call db_reset
	mov dx, 0x80
	mov esi, rvar
	mov ecx, 3
io_rep:
	rep outsb
io_after3:
	EXPECT_DBS 3, "I/O breakpoint: REP OUTSB x3"
	EXPECT_DB 0, io_rep, B3, "I/O breakpoint: REP OUTSB, first iteration"
	EXPECT_REC [db_ecx], 2, "I/O breakpoint: REP OUTSB, ECX after the first iteration"
	EXPECT_DB 1, io_rep, B3, "I/O breakpoint: REP OUTSB, second iteration"
	EXPECT_DB 2, io_after3, B3, "I/O breakpoint: REP OUTSB, last iteration"
io_rep_done:
	DISARM
	mov eax, cr4
	and eax, ~CR4_DE
	mov cr4, eax

	; ---- ICEBP (INT1, 0xF1): #DB as a trap with no DR6 condition bit ----
	LAX_SKIP icebp_done, "ICEBP (QEMU TCG raises #UD)"
	call db_reset
	TRY				; should a #UD come instead
	db 0xf1
icebp_after:
%$caught:
	mov dword [recover], 0
%pop
	EXPECT [got_vec], 1, "ICEBP: vector"
	EXPECT_DBS 1, "ICEBP"
	EXPECT_DB 0, icebp_after, 0, "ICEBP"
icebp_done:

	; ---- INT3: #BP as a trap, DR6 untouched ----
	call db_reset
	TRY
	int3
bp_after:
	SOFT_CATCH 3, -1, "INT3"
	EXPECT [got_eip], bp_after, "INT3: EIP"
	EXPECT_DBS 0, "INT3: no #DB"
	mov eax, dr6
	EXPECT eax, DR6_FIXED, "INT3: DR6"

	; ---- RF in the EFLAGS image of other faults (SDM 17.3.1.1) ----
	TRY
	ud2
	SOFT_CATCH 6, -1, "UD2"
	LAX_SKIP rf_done, "RF in the EFLAGS pushed by a fault (QEMU TCG pushes 0)"
	EXPECT_BITS [got_eflags], EFL_RF, EFL_RF, "UD2: RF in the pushed EFLAGS"
rf_done:

	mov dword [hook], 0
	cmp dword [nfail], 0
	jne checks_failed
	mov esi, ok
	jmp pass_with
checks_failed:
	mov eax, [nfail]
	call puthex
	mov esi, msg_nfail
	call puts
	jmp fail_exit

; the instruction-breakpoint target: [ib_count] before it ran is recorded
ib_func:
	inc dword [ib_count]
ib_ret:
	ret

ring3_read_dr7:
	mov eax, dr7
	int 0x31
ring3_write_dr0:
	mov dr0, eax
	int 0x31

; db_reset: no #DB seen, DR6 cleared
db_reset:
	push eax
	xor eax, eax
	mov [db_n], eax
	mov dr6, eax
	pop eax
	ret

disarm:
	push eax
	xor eax, eax
	mov dr7, eax
	mov dr0, eax
	mov dr1, eax
	mov dr2, eax
	mov dr3, eax
	mov dr6, eax
	pop eax
	ret

; The hook for every exception (lib.inc): #DB is recorded and returned from;
; anything else goes on to TRY/CATCH. EDX: vector, error, EIP, CS, EFLAGS.
db_hook:
	cmp dword [edx], 1
	je .db
	xor eax, eax
	ret
.db:	cmp byte [db_busy], 0
	jne .nested
	mov byte [db_busy], 1
	push ebx
	mov ebx, [db_n]
	cmp ebx, DB_MAX
	jae .full
	mov eax, [edx + 8]
	mov [db_eip + ebx * 4], eax
	mov eax, [edx + 16]
	mov [db_efl + ebx * 4], eax
	mov eax, dr6
	mov [db_dr6 + ebx * 4], eax
	mov eax, dr7
	mov [db_dr7 + ebx * 4], eax
	mov [db_ecx + ebx * 4], ecx
	test ebx, ebx
	jnz .full
	mov eax, dr1
	mov [db_dr1], eax
	mov eax, [ib_count]
	mov [db_count_at], eax
	mov eax, [db_probe]
	test eax, eax
	jz .full
	mov eax, [eax]
	mov [db_probed], eax
.full:	inc ebx
	mov [db_n], ebx
	cmp ebx, 8			; a runaway: no more breakpoints
	jb .go
	xor eax, eax
	mov dr7, eax
.go:	pop ebx
	cmp byte [db_clear], 0
	je .kept
	xor eax, eax
	mov dr6, eax
.kept:	and dword [edx + 16], ~EFL_TF
	cmp byte [db_setrf], 0
	je .out
	or dword [edx + 16], EFL_RF
.out:	mov byte [db_busy], 0
	mov eax, 1
	ret
.nested:
	mov esi, msg_nested
	call puts
	jmp fail_exit

; esi: what; eax: got; edx: want
report_neq:
	push esi
	mov esi, msg_fail
	call puts
	pop esi
	call puts
	mov esi, msg_got
	call puts
	call puthex
	mov esi, msg_want
	call puts
	push eax
	mov eax, edx
	call puthex
	pop eax
	mov esi, msg_nl
	call puts
	inc dword [nfail]
	ret

; esi: what
report:
	push esi
	mov esi, msg_fail
	call puts
	pop esi
	call puts
	mov esi, msg_nl
	call puts
	inc dword [nfail]
	ret

DB_MAX		equ 4
	align 4
nfail:		dd 0
db_n:		dd 0
db_eip:		times DB_MAX dd 0
db_efl:		times DB_MAX dd 0
db_dr6:		times DB_MAX dd 0
db_dr7:		times DB_MAX dd 0
db_ecx:		times DB_MAX dd 0	; the interrupted code's ECX
db_dr1:		dd 0		; DR1 at the first #DB
db_count_at:	dd 0		; ib_count at the first #DB
db_probe:	dd 0		; address read at the first #DB (0: none)
db_probed:	dd 0
db_clear:	db 1		; the handler clears DR6
db_setrf:	db 0		; the handler sets RF in the pushed EFLAGS
db_busy:	db 0
	align 4
ib_count:	dd 0
; the watched variables, 16 bytes apart with untouched bytes around them
	align 16
		dd 0, 0, 0
ssvar:		dd SEL_DATA	; MOV SS reads it
		dd 0, 0, 0
wvar:		dd 0		; watched for writes
		dd 0, 0, 0
rvar:		dd 0		; watched for reads and writes
		dd 0, 0
qvar:		dq 0		; 8-aligned, watched for 8-byte writes
		dq 0
msg_nested:	db "FAIL: #DB inside the #DB handler", 13, 10, 0
msg_nfail:	db " checks failed", 13, 10, 0
ok:		db "debugregs ok", 0

GUEST_END
