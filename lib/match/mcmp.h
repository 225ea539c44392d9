/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one-byte eq / ne / lt / gt comparison that -m ttl (IPv4) and -m hl (IPv6) share
 * (xt_hl.c): options --<mod>-eq [!], --<mod>-lt, --<mod>-gt, exactly one of them.
 */
#ifndef CTG_MCMP_H
#define CTG_MCMP_H

#include <stdbool.h>
#include <stdint.h>

#include "../ruleset/ir.h"

/* Option ids of the three options, in the order of the (sorted) option table. */
enum { CTG_MCMP_O_EQ, CTG_MCMP_O_GT, CTG_MCMP_O_LT };

/* Module data (ops.size = sizeof(struct ctg_mcmp)). */
struct ctg_mcmp {
	uint8_t mode;
	uint8_t value;
	bool seen;
};

/* What differs between the modules: the texts. */
struct ctg_mcmp_names {
	const char *mod;  /* "ttl": option prefix and message prefix */
	const char *what; /* hint for a bad value: "a TTL 0-255" */
	const char *need; /* hint for a missing option: "--ttl-eq, --ttl-lt or --ttl-gt" */
};

int ctg_mcmp_parse(struct ctg_mctx *c, const struct ctg_mcmp_names *n, struct ctg_mcmp *d,
		   unsigned id, bool inv, const char *arg);
int ctg_mcmp_final(struct ctg_mctx *c, const struct ctg_mcmp_names *n, const struct ctg_mcmp *d);
void ctg_mcmp_emit(const struct ctg_mcmp_names *n, const struct ctg_mcmp *d, struct ctg_strbuf *sb);
/* Compares the packet's byte v (TTL or hop limit) with d. */
enum ctg_tri ctg_mcmp_eval(const struct ctg_mcmp *d, uint8_t v);

#endif
