// SPDX-License-Identifier: GPL-2.0-or-later
/* Canonical order of a conntrack table, for comparing readers. */
#include <ctguard/source.h>

#include <stdlib.h>
#include <string.h>

static int tuple_cmp(const struct ctg_tuple *a, const struct ctg_tuple *b)
{
	int r = memcmp(a->src.b, b->src.b, 16);

	if (r)
		return r;
	if ((r = memcmp(a->dst.b, b->dst.b, 16)))
		return r;
	if (a->sport != b->sport)
		return a->sport - b->sport;
	return a->dport - b->dport;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct ctg_ct_entry *a = pa, *b = pb;
	int r;

	if (a->family != b->family)
		return a->family - b->family;
	if (a->l4proto != b->l4proto)
		return a->l4proto - b->l4proto;
	if ((r = tuple_cmp(&a->orig, &b->orig)))
		return r;
	if (a->zone != b->zone)
		return a->zone - b->zone;
	return tuple_cmp(&a->reply, &b->reply);
}

void ctg_ct_table_sort(struct ctg_ct_table *t)
{
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(t->v[0]), entry_cmp);
}
