// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The match module table, sorted by name for bsearch. Each module defines
 * `const struct ctg_match_ops ctg_match_<name>` in match_<name>.c. The declarations are
 * weak so the library links while modules are being written; a missing one is skipped
 * (and treated as an unknown module).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../ruleset/ir.h"

#define M(n) extern const struct ctg_match_ops ctg_match_##n __attribute__((weak));
// clang-format off
#define MATCHES                                                                                    \
	M(addrtype) M(ah) M(comment) M(connbytes) M(connlimit) M(connmark) M(conntrack) M(cpu)    \
	M(dccp) M(devgroup) M(dscp) M(ecn) M(esp) M(hashlimit) M(helper) M(hl) M(icmp) M(icmp6)   \
	M(iprange) M(ipvs) M(length) M(limit) M(mac) M(mark) M(multiport) M(owner) M(physdev)     \
	M(pkttype) M(policy) M(quota) M(realm) M(recent) M(rpfilter) M(rt) M(sctp) M(set)         \
	M(socket) M(state) M(statistic) M(string) M(tcp) M(tcpmss) M(time) M(tos) M(ttl) M(u32)   \
	M(udp)
// clang-format on
MATCHES
#undef M

#define M(n) &ctg_match_##n,
static const struct ctg_match_ops *const all[] = {MATCHES};
#undef M

static const struct ctg_match_ops *table[sizeof(all) / sizeof(all[0])];
static const char *names[sizeof(all) / sizeof(all[0])];
static size_t ntable;

static int cmp_ops(const void *a, const void *b)
{
	return strcmp((*(const struct ctg_match_ops *const *)a)->name,
		      (*(const struct ctg_match_ops *const *)b)->name);
}

static void build(void)
{
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i])
			table[ntable++] = all[i];
	qsort(table, ntable, sizeof(table[0]), cmp_ops);
	for (size_t i = 0; i < ntable; i++)
		names[i] = table[i]->name;
}

/* once per process, also when parsers run in several threads */
static void init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, build);
}

static int cmp_key(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct ctg_match_ops *const *)elem)->name);
}

const struct ctg_match_ops *ctg_match_lookup(const char *name)
{
	const struct ctg_match_ops *const *p;

	init();
	if (!strcmp(name, "icmpv6") || !strcmp(name, "ipv6-icmp"))
		name = "icmp6";
	p = bsearch(name, table, ntable, sizeof(table[0]), cmp_key);
	return p ? *p : NULL;
}

const char *const *ctg_match_names(size_t *n)
{
	init();
	*n = ntable;
	return names;
}
