// SPDX-License-Identifier: GPL-2.0-or-later
/* Open-addressing map from chain names to chain indexes (one string hash per lookup). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* Eight bytes at a time: names are short, and every rule line looks one or two up. */
uint32_t ctg_chainmap_hash(const char *s)
{
	size_t n = strlen(s);
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;

	for (; n >= 8; n -= 8, s += 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return (uint32_t)h;
}

int ctg_chainmap_get(const struct chainmap *m, const char *key)
{
	return m->cap ? ctg_chainmap_get_h(m, key, ctg_chainmap_hash(key)) : -1;
}

int ctg_chainmap_get_h(const struct chainmap *m, const char *key, uint32_t h)
{
	if (!m->cap)
		return -1;
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		const struct chainmap_slot *e = &m->slots[i];

		if (!e->key)
			return -1;
		if (e->hash == h && (e->key == key || !strcmp(e->key, key)))
			return (int)e->val;
	}
}

static void insert(struct chainmap *m, const char *key, uint32_t h, uint32_t val)
{
	size_t i;

	for (i = h & (m->cap - 1); m->slots[i].key; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].hash == h && !strcmp(m->slots[i].key, key)) {
			m->slots[i].val = val;
			return;
		}
	m->slots[i].key = key;
	m->slots[i].hash = h;
	m->slots[i].val = val;
	m->n++;
}

static int grow(struct chainmap *m, size_t cap)
{
	struct chainmap n = {0};

	n.cap = cap;
	n.slots = calloc(n.cap, sizeof(*n.slots));
	if (!n.slots)
		return -ENOMEM;
	ctg_hint_huge(n.slots, n.cap * sizeof(*n.slots));
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			insert(&n, m->slots[i].key, m->slots[i].hash, m->slots[i].val);
	ctg_chainmap_release(m);
	*m = n;
	return 0;
}

int ctg_chainmap_reserve(struct chainmap *m, size_t n)
{
	size_t cap = 64;

	while (n * 4 > cap * 3) /* load <= 3/4: a smaller, cache-warmer table */
		cap *= 2;
	return cap > m->cap ? grow(m, cap) : 0;
}

int ctg_chainmap_put_h(struct chainmap *m, const char *key, uint32_t h, uint32_t val)
{
	if (ctg_chainmap_reserve(m, m->n + 1))
		return -ENOMEM;
	insert(m, key, h, val);
	return 0;
}

void ctg_chainmap_release(struct chainmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
