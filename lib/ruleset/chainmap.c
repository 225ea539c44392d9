// SPDX-License-Identifier: GPL-2.0-or-later
/* Open-addressing map from chain names to chain indexes (one string hash per lookup). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* Eight bytes at a time: names are short, and every rule line looks one or two up. */
static uint32_t hash(const char *s)
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
	uint32_t h;

	if (!m->cap)
		return -1;
	h = hash(key);
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

static int grow(struct chainmap *m)
{
	struct chainmap n = {0};

	n.cap = m->cap ? m->cap * 2 : 64;
	n.slots = calloc(n.cap, sizeof(*n.slots));
	if (!n.slots)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			insert(&n, m->slots[i].key, m->slots[i].hash, m->slots[i].val);
	ctg_chainmap_release(m);
	*m = n;
	return 0;
}

int ctg_chainmap_put(struct chainmap *m, const char *key, uint32_t val)
{
	if ((m->n + 1) * 4 > m->cap * 3 && grow(m)) /* load <= 3/4: a smaller, cache-warmer table */
		return -ENOMEM;
	insert(m, key, hash(key), val);
	return 0;
}

void ctg_chainmap_release(struct chainmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
