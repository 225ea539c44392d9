// SPDX-License-Identifier: GPL-2.0-or-later
/* Open-addressing map from interned chain names (compared by pointer) to indexes. */
#include <errno.h>
#include <stdlib.h>

#include "parse.h"

static size_t slot(const char *key, size_t cap)
{
	uintptr_t h = (uintptr_t)key;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 20) & (cap - 1);
}

int ctg_chainmap_get(const struct chainmap *m, const char *key)
{
	if (!m->cap)
		return -1;
	for (size_t i = slot(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (!m->keys[i])
			return -1;
		if (m->keys[i] == key)
			return (int)m->vals[i];
	}
}

static int grow(struct chainmap *m)
{
	struct chainmap n = { 0 };

	n.cap = m->cap ? m->cap * 2 : 64;
	n.keys = calloc(n.cap, sizeof(*n.keys));
	n.vals = calloc(n.cap, sizeof(*n.vals));
	if (!n.keys || !n.vals) {
		free(n.keys);
		free(n.vals);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i])
			ctg_chainmap_put(&n, m->keys[i], m->vals[i]);
	ctg_chainmap_release(m);
	*m = n;
	return 0;
}

int ctg_chainmap_put(struct chainmap *m, const char *key, uint32_t val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap && grow(m))
		return -ENOMEM;
	for (i = slot(key, m->cap); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return 0;
		}
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return 0;
}

void ctg_chainmap_release(struct chainmap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}
