/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SNAT and DNAT share their data and most code (target_SNAT.c / target_DNAT.c). */
#ifndef CTG_TARGET_NAT_H
#define CTG_TARGET_NAT_H

#include "tutil.h"

enum { NAT_F_RANDOM = 1, NAT_F_PERSISTENT = 2, NAT_F_RANDOM_FULLY = 4 };

struct nat_data {
	struct ctg_nat_range r;
	bool have_range;
	uint8_t flags;
};

int ctg_nat_parse_range(struct ctg_mctx *c, struct nat_data *d, const char *opt, const char *arg);
int ctg_nat_final(struct ctg_mctx *c, struct nat_data *d, const char *opt);
void ctg_nat_emit(const struct nat_data *d, enum ctg_family f, const char *opt,
		  struct ctg_strbuf *sb);

/*
 * For the evaluator: the kind of a NAT target and its range. REDIRECT and MASQUERADE
 * give only ports (map_ips false: the address comes from an interface). @random: the
 * target picks ports at random (--random, --random-fully). CTG_NATK_NONE for any other
 * target (r untouched).
 */
enum ctg_nat_kind {
	CTG_NATK_NONE,
	CTG_NATK_DNAT,
	CTG_NATK_SNAT,
	CTG_NATK_REDIRECT,
	CTG_NATK_MASQUERADE,
};

struct ctg_target;
enum ctg_nat_kind ctg_target_nat_info(const struct ctg_target *t, struct ctg_nat_range *r,
				      bool *random);

#endif
