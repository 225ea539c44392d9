/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --icmp-type / --icmpv6-type as -m icmp and -m icmp6 share them (libxt_icmp.h,
 * icmp_match / icmp6_match): one TYPE[/CODE] or name, given once, required, -p icmp /
 * ipv6-icmp only. The modules differ in their texts, names table and protocol, and in
 * whether type 255 with every code stands for "any" (IPv4 only).
 */
#ifndef CTG_MICMP_H
#define CTG_MICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../ruleset/ir.h"
#include "mutil.h"

/* Module data (ops.size = sizeof(struct ctg_micmp)). */
struct ctg_micmp {
	uint8_t type, code[2];
	bool inv, seen;
};

struct ctg_micmp_desc {
	const char *mod;	/* "icmp": message prefix */
	const char *opt;	/* "icmp-type": the option, as printed */
	const char *what;	/* "ICMP": in "unknown ICMP type" */
	const char *need_proto; /* hint: "add -p icmp" */
	const char *need_opt;	/* hint: "add --icmp-type TYPE" */
	uint8_t proto;		/* 1 or 58 */
	bool any;		/* type 255, codes 0-255 is "any": matches every type */
	const struct ctg_mu_icmp *names;
	size_t nnames;
};

int ctg_micmp_parse(struct ctg_mctx *c, const struct ctg_micmp_desc *m, struct ctg_micmp *d,
		    bool inv, const char *arg);
int ctg_micmp_final(struct ctg_mctx *c, const struct ctg_micmp_desc *m, const struct ctg_micmp *d);
void ctg_micmp_emit(const struct ctg_micmp_desc *m, const struct ctg_micmp *d,
		    struct ctg_strbuf *sb);
enum ctg_tri ctg_micmp_eval(const struct ctg_micmp_desc *m, const struct ctg_micmp *d,
			    const struct ctg_pkt *p);

#endif
