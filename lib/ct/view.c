// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Conntrack view: a base table indexed once by both tuples, plus a small overlay of
 * hypothetical changes (new/updated entries, deletions) that is cheap to reset.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* Open addressing index: slot = entry id + 1 (0 empty), low bit of dir in a parallel array. */
struct index {
	uint32_t *slot;
	uint8_t *dir;
	size_t cap; /* power of two */
	size_t used;
};

struct ctg_ct_view {
	const struct ctg_ct_table *base;
	struct index bidx;
	uint8_t *bdead;	   /* per base entry */
	uint32_t *touched; /* base ids marked dead, for reset */
	size_t ntouched, captouched;
	bool base_hidden;	 /* flushed */
	struct ctg_ct_entry *ov; /* overlay entries */
	uint8_t *ovdead;
	size_t nov, capov, novlive;
	struct index oidx;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

static uint64_t tuple_hash(uint8_t family, uint8_t proto, const struct ctg_tuple *t)
{
	uint64_t h = ((uint64_t)family << 8) | proto;

	for (int i = 0; i < 4; i++)
		h = mix(h, ((uint64_t)t->src.w[i] << 32) | t->dst.w[i]);
	h = mix(h, ((uint64_t)t->sport << 16) | t->dport);
	return h ^ (h >> 29);
}

static bool tuple_eq(const struct ctg_tuple *a, const struct ctg_tuple *b)
{
	return a->sport == b->sport && a->dport == b->dport && ctg_addr_eq(&a->src, &b->src) &&
	       ctg_addr_eq(&a->dst, &b->dst);
}

static const struct ctg_tuple *entry_tuple(const struct ctg_ct_entry *e, bool reply)
{
	return reply ? &e->reply : &e->orig;
}

static int index_init(struct index *x, size_t n)
{
	size_t cap = 16;

	while (cap < n * 2 + 1)
		cap <<= 1;
	x->slot = calloc(cap, sizeof(*x->slot));
	x->dir = calloc(cap, 1);
	x->cap = cap;
	x->used = 0;
	if (!x->slot || !x->dir) {
		free(x->slot);
		free(x->dir);
		memset(x, 0, sizeof(*x));
		return -ENOMEM;
	}
	return 0;
}

static void index_free(struct index *x)
{
	free(x->slot);
	free(x->dir);
	memset(x, 0, sizeof(*x));
}

static void index_put(struct index *x, const struct ctg_ct_entry *e, uint32_t id, bool reply)
{
	size_t i = tuple_hash(e->family, e->l4proto, entry_tuple(e, reply)) & (x->cap - 1);

	while (x->slot[i])
		i = (i + 1) & (x->cap - 1);
	x->slot[i] = id + 1;
	x->dir[i] = reply;
	x->used++;
}

/* Finds a live entry in ents[] through x; returns its id or -1. */
static long index_find(const struct index *x, const struct ctg_ct_entry *ents, const uint8_t *dead,
		       uint8_t family, uint8_t proto, const struct ctg_tuple *t, bool *reply)
{
	size_t i;

	if (!x->cap)
		return -1;
	i = tuple_hash(family, proto, t) & (x->cap - 1);
	for (; x->slot[i]; i = (i + 1) & (x->cap - 1)) {
		uint32_t id = x->slot[i] - 1;
		const struct ctg_ct_entry *e = &ents[id];

		if (dead[id] || e->family != family || e->l4proto != proto)
			continue;
		if (!tuple_eq(entry_tuple(e, x->dir[i]), t))
			continue;
		*reply = x->dir[i];
		return (long)id;
	}
	return -1;
}

struct ctg_ct_view *ctg_ct_view_new(const struct ctg_ct_table *base)
{
	struct ctg_ct_view *v = calloc(1, sizeof(*v));
	size_t n = base ? base->n : 0;

	if (!v)
		return NULL;
	v->base = base;
	v->bdead = calloc(n ? n : 1, 1);
	if (!v->bdead || index_init(&v->bidx, 2 * n) || index_init(&v->oidx, 8))
		goto err;
	for (size_t i = 0; i < n; i++) {
		index_put(&v->bidx, &base->v[i], (uint32_t)i, false);
		index_put(&v->bidx, &base->v[i], (uint32_t)i, true);
	}
	return v;
err:
	ctg_ct_view_free(v);
	errno = ENOMEM;
	return NULL;
}

void ctg_ct_view_free(struct ctg_ct_view *v)
{
	if (!v)
		return;
	index_free(&v->bidx);
	index_free(&v->oidx);
	free(v->bdead);
	free(v->touched);
	free(v->ov);
	free(v->ovdead);
	free(v);
}

static void overlay_clear(struct ctg_ct_view *v)
{
	v->nov = 0;
	v->novlive = 0;
	if (v->oidx.cap) {
		memset(v->oidx.slot, 0, v->oidx.cap * sizeof(*v->oidx.slot));
		v->oidx.used = 0;
	}
}

void ctg_ct_view_reset(struct ctg_ct_view *v)
{
	for (size_t i = 0; i < v->ntouched; i++)
		v->bdead[v->touched[i]] = 0;
	v->ntouched = 0;
	v->base_hidden = false;
	overlay_clear(v);
}

void ctg_ct_view_flush(struct ctg_ct_view *v)
{
	ctg_ct_view_reset(v);
	v->base_hidden = true;
}

size_t ctg_ct_view_count(const struct ctg_ct_view *v)
{
	size_t n = 0;

	if (!v->base_hidden && v->base)
		n = v->base->n - v->ntouched;
	return n + v->novlive;
}

const struct ctg_ct_entry *ctg_ct_view_lookup(const struct ctg_ct_view *v, uint8_t family,
					      uint8_t l4proto, const struct ctg_tuple *t,
					      bool *reply_dir)
{
	bool r = false;
	long id;

	id = index_find(&v->oidx, v->ov, v->ovdead, family, l4proto, t, &r);
	if (id >= 0) {
		if (reply_dir)
			*reply_dir = r;
		return &v->ov[id];
	}
	if (v->base_hidden || !v->base)
		return NULL;
	id = index_find(&v->bidx, v->base->v, v->bdead, family, l4proto, t, &r);
	if (id < 0)
		return NULL;
	if (reply_dir)
		*reply_dir = r;
	return &v->base->v[id];
}

static int kill_base(struct ctg_ct_view *v, const struct ctg_ct_entry *e)
{
	bool r;
	long id;

	if (v->base_hidden || !v->base)
		return -ENOENT;
	id = index_find(&v->bidx, v->base->v, v->bdead, e->family, e->l4proto, &e->orig, &r);
	if (id < 0 || r)
		return -ENOENT;
	if (v->ntouched == v->captouched) {
		size_t nc = v->captouched ? v->captouched * 2 : 16;
		uint32_t *nt = realloc(v->touched, nc * sizeof(*nt));

		if (!nt)
			return -ENOMEM;
		v->touched = nt;
		v->captouched = nc;
	}
	v->bdead[id] = 1;
	v->touched[v->ntouched++] = (uint32_t)id;
	return 0;
}

static int kill_overlay(struct ctg_ct_view *v, const struct ctg_ct_entry *e)
{
	bool r;
	long id = index_find(&v->oidx, v->ov, v->ovdead, e->family, e->l4proto, &e->orig, &r);

	if (id < 0 || r)
		return -ENOENT;
	v->ovdead[id] = 1;
	v->novlive--;
	return 0;
}

int ctg_ct_view_delete(struct ctg_ct_view *v, const struct ctg_ct_entry *e)
{
	int a = kill_overlay(v, e);
	int b = kill_base(v, e);

	if (b == -ENOMEM)
		return b;
	return (a && b) ? -ENOENT : 0;
}

static int overlay_grow(struct ctg_ct_view *v)
{
	size_t nc = v->capov ? v->capov * 2 : 16;
	struct ctg_ct_entry *ne = realloc(v->ov, nc * sizeof(*ne));
	uint8_t *nd;

	if (!ne)
		return -ENOMEM;
	v->ov = ne;
	nd = realloc(v->ovdead, nc);
	if (!nd)
		return -ENOMEM;
	v->ovdead = nd;
	v->capov = nc;
	return 0;
}

static int reindex_overlay(struct ctg_ct_view *v)
{
	struct index nx;

	if (index_init(&nx, 2 * (v->nov + 1)))
		return -ENOMEM;
	for (size_t i = 0; i < v->nov; i++) {
		index_put(&nx, &v->ov[i], (uint32_t)i, false);
		index_put(&nx, &v->ov[i], (uint32_t)i, true);
	}
	index_free(&v->oidx);
	v->oidx = nx;
	return 0;
}

int ctg_ct_view_insert(struct ctg_ct_view *v, const struct ctg_ct_entry *e)
{
	struct ctg_ct_entry copy = *e; /* e may point into the view */
	int rc;

	kill_overlay(v, &copy);
	rc = kill_base(v, &copy);
	if (rc == -ENOMEM)
		return rc;
	if (v->nov == v->capov && overlay_grow(v))
		return -ENOMEM;
	v->ov[v->nov] = copy;
	v->ovdead[v->nov] = 0;
	v->nov++;
	v->novlive++;
	if ((v->oidx.used + 2) * 2 > v->oidx.cap)
		return reindex_overlay(v);
	index_put(&v->oidx, &v->ov[v->nov - 1], (uint32_t)(v->nov - 1), false);
	index_put(&v->oidx, &v->ov[v->nov - 1], (uint32_t)(v->nov - 1), true);
	return 0;
}

int ctg_ct_view_foreach(const struct ctg_ct_view *v,
			int (*fn)(const struct ctg_ct_entry *e, void *arg), void *arg)
{
	int rc;

	for (size_t i = 0; i < v->nov; i++)
		if (!v->ovdead[i] && (rc = fn(&v->ov[i], arg)))
			return rc;
	if (v->base_hidden || !v->base)
		return 0;
	for (size_t i = 0; i < v->base->n; i++)
		if (!v->bdead[i] && (rc = fn(&v->base->v[i], arg)))
			return rc;
	return 0;
}
