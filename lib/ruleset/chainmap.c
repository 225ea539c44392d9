// SPDX-License-Identifier: GPL-2.0-or-later
/* Open-addressing map from chain names to chain indexes (one string hash per lookup). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
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
	if ((m->n + 1) * 2 > m->cap && grow(m))
		return -ENOMEM;
	insert(m, key, hash(key), val);
	return 0;
}

void ctg_chainmap_release(struct chainmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
