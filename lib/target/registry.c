// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The target extension table (standard verdicts and chain jumps are handled by the
 * parser itself). Each target defines `const struct ctg_target_ops ctg_target_<NAME>` in
 * target_<name>.c; weak declarations let the library link while targets are written.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../ruleset/ir.h"

#define T(n) extern const struct ctg_target_ops ctg_target_##n __attribute__((weak));
// clang-format off
#define TARGETS                                                                                    \
	T(AUDIT) T(CHECKSUM) T(CLASSIFY) T(CONNMARK) T(CONNSECMARK) T(CT) T(DNAT) T(DSCP) T(ECN)  \
	T(HL) T(HMARK) T(IDLETIMER) T(LED) T(LOG) T(MARK) T(MASQUERADE) T(NETMAP) T(NFLOG)        \
	T(NFQUEUE) T(NOTRACK) T(RATEEST) T(REDIRECT) T(REJECT) T(SECMARK) T(SET) T(SNAT)         \
	T(SYNPROXY) T(TCPMSS) T(TCPOPTSTRIP) T(TEE) T(TOS) T(TPROXY) T(TRACE) T(TTL) T(ULOG)      \
	T(DNPT) T(SNPT)
// clang-format on
TARGETS
#undef T

#define T(n) &ctg_target_##n,
static const struct ctg_target_ops *const all[] = {TARGETS};
#undef T

static const struct ctg_target_ops *table[sizeof(all) / sizeof(all[0])];
static const char *names[sizeof(all) / sizeof(all[0])];
static size_t ntable, maxlen;

static int cmp_ops(const void *a, const void *b)
{
	return strcmp((*(const struct ctg_target_ops *const *)a)->name,
		      (*(const struct ctg_target_ops *const *)b)->name);
}

static void build(void)
{
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i])
			table[ntable++] = all[i];
	qsort(table, ntable, sizeof(table[0]), cmp_ops);
	for (size_t i = 0; i < ntable; i++) {
		names[i] = table[i]->name;
		if (strlen(names[i]) > maxlen)
			maxlen = strlen(names[i]);
	}
}

/* once per process, also when parsers run in several threads */
static void init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, build);
}

static int cmp_key(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct ctg_target_ops *const *)elem)->name);
}

const struct ctg_target_ops *ctg_target_lookup(const char *name)
{
	const struct ctg_target_ops *const *p;

	init();
	if (strnlen(name, maxlen + 1) > maxlen) /* chain names mostly: no search */
		return NULL;
	p = bsearch(name, table, ntable, sizeof(table[0]), cmp_key);
	return p ? *p : NULL;
}

const char *const *ctg_target_names(size_t *n)
{
	init();
	*n = ntable;
	return names;
}
