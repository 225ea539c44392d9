// SPDX-License-Identifier: GPL-2.0-or-later
/* Table and hook names, built-in chains per table, chain lookup. */
#include <string.h>

#include "ir.h"

static const char *const table_names[CTG_TABLE_MAX] = {
	[CTG_TABLE_RAW] = "raw",       [CTG_TABLE_MANGLE] = "mangle",	  [CTG_TABLE_NAT] = "nat",
	[CTG_TABLE_FILTER] = "filter", [CTG_TABLE_SECURITY] = "security",
};

static const char *const hook_names[CTG_HOOK_MAX] = {
	[CTG_HOOK_PREROUTING] = "PREROUTING",	[CTG_HOOK_INPUT] = "INPUT",
	[CTG_HOOK_FORWARD] = "FORWARD",		[CTG_HOOK_OUTPUT] = "OUTPUT",
	[CTG_HOOK_POSTROUTING] = "POSTROUTING",
};

#define H(h) (1u << CTG_HOOK_##h)

const char *ctg_table_name(enum ctg_table_id t)
{
	return (unsigned)t < CTG_TABLE_MAX ? table_names[t] : "?";
}

int ctg_table_lookup(const char *name)
{
	for (int i = 0; i < CTG_TABLE_MAX; i++)
		if (!strcmp(table_names[i], name))
			return i;
	return -1;
}

const char *ctg_hook_name(enum ctg_hook h)
{
	return (unsigned)h < CTG_HOOK_MAX ? hook_names[h] : "?";
}

unsigned ctg_table_hooks(enum ctg_table_id t, enum ctg_family f)
{
	switch (t) {
	case CTG_TABLE_RAW:
		return H(PREROUTING) | H(OUTPUT);
	case CTG_TABLE_MANGLE:
		return H(PREROUTING) | H(INPUT) | H(FORWARD) | H(OUTPUT) | H(POSTROUTING);
	case CTG_TABLE_NAT:
		return H(PREROUTING) | H(INPUT) | H(OUTPUT) | H(POSTROUTING);
	case CTG_TABLE_FILTER:
	case CTG_TABLE_SECURITY:
		return H(INPUT) | H(FORWARD) | H(OUTPUT);
	default:
		return 0;
	}
}

int ctg_table_chain_index(const struct ctg_table *t, const char *name)
{
	uint32_t lo, hi, nb = 0;

	/* Built-ins first (few), then user chains sorted by name: binary search. */
	while (nb < t->nchains && t->chains[nb].builtin) {
		if (!strcmp(t->chains[nb].name, name))
			return (int)nb;
		nb++;
	}
	lo = nb;
	hi = t->nchains;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, t->chains[mid].name);

		if (!c)
			return (int)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}
