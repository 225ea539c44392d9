// SPDX-License-Identifier: GPL-2.0-or-later
#include "arena.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct chunk {
	struct chunk *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

struct istr {
	const char *s;
	size_t n;
	uint64_t h;
};

struct ctg_arena {
	struct chunk *head;
	size_t chunk_size;
	size_t total;
	/* open-addressing intern table */
	struct istr *itab;
	size_t icap, icount;
};

struct ctg_arena *ctg_arena_new(size_t chunk_hint)
{
	struct ctg_arena *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->chunk_size = chunk_hint < 4096 ? 64 * 1024 : chunk_hint;
	return a;
}

void ctg_arena_free(struct ctg_arena *a)
{
	struct chunk *c, *n;

	if (!a)
		return;
	for (c = a->head; c; c = n) {
		n = c->next;
		free(c);
	}
	free(a->itab);
	free(a);
}

void ctg_hint_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t b = ((uintptr_t)p + huge - 1) & ~(huge - 1), e = ((uintptr_t)p + n) & ~(huge - 1);

	if (e > b)
		madvise((void *)b, e - b, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

#define HUGE ((size_t)2 << 20)

void *ctg_huge_alloc(size_t n)
{
	void *p;

	if (n < HUGE)
		return malloc(n);
	if (posix_memalign(&p, HUGE, n))
		return NULL;
	ctg_hint_huge(p, (n + HUGE - 1) & ~(HUGE - 1));
	return p;
}

void *ctg_huge_realloc(void *p, size_t used, size_t n)
{
	void *q;

	if (n < HUGE)
		return realloc(p, n);
	q = ctg_huge_alloc(n);
	if (!q)
		return NULL;
	if (p)
		memcpy(q, p, used < n ? used : n);
	free(p);
	return q;
}

void *ctg_arena_alloc(struct ctg_arena *a, size_t n)
{
	struct chunk *c = a->head;
	size_t need = (n + 15) & ~(size_t)15;
	void *p;

	if (!c || c->size - c->used < need) {
		size_t sz = need > a->chunk_size / 4 ? need : a->chunk_size;

		/* chunks are filled from the start: huge pages; a big object maybe not wholly */
		c = sz == a->chunk_size ? ctg_huge_alloc(sizeof(*c) + sz) : malloc(sizeof(*c) + sz);
		if (!c)
			return NULL;
		c->size = sz;
		c->used = 0;
		if (need > a->chunk_size / 4 && a->head) {
			/* big object: keep the current chunk on top */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
		a->total += sz;
	}
	p = c->data + c->used;
	c->used += need;
	return p;
}

void *ctg_arena_zalloc(struct ctg_arena *a, size_t n)
{
	void *p = ctg_arena_alloc(a, n);

	if (p)
		memset(p, 0, n);
	return p;
}

char *ctg_arena_strndup(struct ctg_arena *a, const char *s, size_t n)
{
	char *p = ctg_arena_alloc(a, n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *ctg_arena_strdup(struct ctg_arena *a, const char *s)
{
	return ctg_arena_strndup(a, s, strlen(s));
}

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int grow(struct ctg_arena *a)
{
	size_t ncap = a->icap ? a->icap * 2 : 256;
	struct istr *nt = calloc(ncap, sizeof(*nt));

	if (!nt)
		return -ENOMEM;
	for (size_t i = 0; i < a->icap; i++) {
		size_t j;

		if (!a->itab[i].s)
			continue;
		for (j = a->itab[i].h & (ncap - 1); nt[j].s; j = (j + 1) & (ncap - 1))
			;
		nt[j] = a->itab[i];
	}
	free(a->itab);
	a->itab = nt;
	a->icap = ncap;
	return 0;
}

const char *ctg_arena_intern(struct ctg_arena *a, const char *s, size_t n)
{
	uint64_t h = hash(s, n);
	size_t j;

	if ((a->icount + 1) * 2 > a->icap && grow(a))
		return NULL;
	for (j = h & (a->icap - 1); a->itab[j].s; j = (j + 1) & (a->icap - 1)) {
		if (a->itab[j].h == h && a->itab[j].n == n && !memcmp(a->itab[j].s, s, n))
			return a->itab[j].s;
	}
	a->itab[j].s = ctg_arena_strndup(a, s, n);
	if (!a->itab[j].s)
		return NULL;
	a->itab[j].n = n;
	a->itab[j].h = h;
	a->icount++;
	return a->itab[j].s;
}

size_t ctg_arena_bytes(const struct ctg_arena *a)
{
	return a->total + a->icap * sizeof(struct istr);
}
