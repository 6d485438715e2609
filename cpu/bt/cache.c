/* The code cache: shared memory mapped twice, writable here and
 * executable there, so no page is ever writable and executable at once
 * (W^X) and chaining patches need no mprotect. Filled front to back; flushed whole
 * when full, with the arena that holds the blocks' side data. */
// SPDX-License-Identifier: MIT
#include "cpu/bt/bt.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "cpu/bt/gen.h"
#include "hw/log.h"

/* bt_enter and the exit trampoline, at the cache's start */
static void emit_trampolines(struct bt_vm *bv)
{
	struct emit e;
	emit_init(&e, bv->rw, 256);
	e.exec_delta = bv->rx - bv->rw;
	/* bt_enter(c, s, code): the callee-saved registers the blocks use,
	 * a 16-byte aligned stack for their calls, then the block */
	static const enum hreg saved[] = { H_RBP, H_RBX, H_R12, H_R13, H_R14, H_R15 };
	for (unsigned i = 0; i < 6; i++)
		emit_push_r(&e, saved[i]);
	emit_alu_ri(&e, ALU_SUB, 8, H_RSP, 8);
	emit_mov_rm(&e, 4, H_BUDGET, hm(H_RDI, OFF_BUDGET));
	emit_mov_rr(&e, 8, H_R15, H_RDI);
	emit_mov_rr(&e, 8, H_R14, H_RSI);
	emit_jmp_r(&e, H_RDX);
	/* blocks leave here with rax:rdx = struct bt_ret */
	bv->exit_tramp = e.p + e.exec_delta;
	emit_mov_mr(&e, 4, hm(H_R15, OFF_BUDGET), H_BUDGET);
	emit_alu_ri(&e, ALU_ADD, 8, H_RSP, 8);
	for (int i = 5; i >= 0; i--)
		emit_pop_r(&e, saved[i]);
	emit_ret(&e);
	bv->enter = (struct bt_ret (*)(struct icpu *, struct cpu_state *, const void *))(void *)bv->rx;
	bv->used = (emit_size(&e) + 63) & ~(size_t)63;
}

/* Fault the cache's first pages in, in one go: shared memory gets no
 * huge pages from a host kernel whose shmem_enabled is never (Debian's
 * default), and a fault per 4 KiB page of each view, taken while
 * translating, cost a boot 6% on a host whose page faults are slow.
 * A thread of its own does it while the guest starts (it took 25 ms,
 * a third of the start of a VM). Kernels before 5.14 refuse the advice,
 * and fault as before. */
#define PREFAULT_MAX (64u << 20)

static void *prefault(void *arg)
{
	const struct bt_vm *bv = arg;
	size_t n = bv->size < PREFAULT_MAX ? bv->size : PREFAULT_MAX;
#if defined(MADV_POPULATE_WRITE) && defined(MADV_POPULATE_READ)
	if (madvise(bv->rw, n, MADV_POPULATE_WRITE) == 0)
		madvise(bv->rx, n, MADV_POPULATE_READ);
#else
	(void)n;
#endif
	return NULL;
}

/* the arena's host pages in 2 MiB pieces where the host gives them */
static void arena_huge(void *p, size_t size)
{
	uintptr_t a = ((uintptr_t)p + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1);
	uintptr_t end = ((uintptr_t)p + size) & ~(uintptr_t)((2u << 20) - 1);
	if (end > a)
		madvise((void *)a, end - a, MADV_HUGEPAGE);
}

int bt_cache_init(struct bt_vm *bv, size_t size)
{
	size = (size + 0xfffff) & ~(size_t)0xfffff;
	/* shared anonymous memory, and a second view of the same pages made
	 * by mremap (old size 0 on a shared mapping): perf counts it as
	 * anonymous memory, so -perfmap's names apply to the executable view */
	void *rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	void *rx = rw == MAP_FAILED ? MAP_FAILED : mremap(rw, 0, size, MREMAP_MAYMOVE);
	if (rx != MAP_FAILED && mprotect(rx, size, PROT_READ | PROT_EXEC) < 0) {
		munmap(rx, size);
		rx = MAP_FAILED;
	}
	if (rx == MAP_FAILED) {
		log_error("bt: mapping the code cache of %zu MiB: %s", size >> 20, strerror(errno));
		if (rw != MAP_FAILED)
			munmap(rw, size);
		return -1;
	}
	bv->rw = rw;
	bv->rx = rx;
	bv->size = size;
	bv->prefaulting = pthread_create(&bv->prefaulter, NULL, prefault, bv) == 0;
	if (!bv->prefaulting)
		prefault(bv);
	bv->slots = size;
	bv->arena_size = size / 2;
	bv->arena = malloc(bv->arena_size);
	if (bv->arena)
		arena_huge(bv->arena, bv->arena_size);
	bv->hash_mask = (1u << 16) - 1;
	bv->pages_mask = (1u << 14) - 1;
	bv->hash = calloc(bv->hash_mask + 1, sizeof(*bv->hash));
	bv->pages = calloc(bv->pages_mask + 1, sizeof(*bv->pages));
	if (!bv->arena || !bv->hash || !bv->pages) {
		log_error("bt: out of memory for the block tables");
		bt_cache_destroy(bv);
		return -1;
	}
	emit_trampolines(bv);
	return 0;
}

void bt_cache_destroy(struct bt_vm *bv)
{
	if (bv->prefaulting)
		pthread_join(bv->prefaulter, NULL);
	bv->prefaulting = false;
	if (bv->rw)
		munmap(bv->rw, bv->size);
	if (bv->rx)
		munmap(bv->rx, bv->size);
	free(bv->arena);
	free(bv->hash);
	free(bv->pages);
	bv->rw = bv->rx = bv->arena = NULL;
	bv->hash = bv->pages = NULL;
}

void bt_cache_flush(struct bt_vm *bv)
{
	memset(bv->hash, 0, (bv->hash_mask + 1) * sizeof(*bv->hash));
	memset(bv->pages, 0, (bv->pages_mask + 1) * sizeof(*bv->pages));
	bv->arena_used = 0;
	bv->slots = bv->size;
	emit_trampolines(bv);
	bv->generation++;
	bv->flushes++;
}

bool bt_cache_room(struct bt_vm *bv)
{
	return bv->slots - bv->used >= BT_BLOCK_ROOM + BT_BLOCK_SLOTS * 8 &&
	       bv->arena_size - bv->arena_used >= (size_t)BT_MAX_INSNS * 2 * sizeof(struct bt_site) + 4096;
}

void *bt_arena_alloc(struct bt_vm *bv, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	if (bv->arena_size - bv->arena_used < size)
		return NULL;
	void *p = bv->arena + bv->arena_used;
	bv->arena_used += size;
	return p;
}
