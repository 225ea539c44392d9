/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by target modules (NAT ranges); numbers and quoting come from match/mutil.h. */
#ifndef CTG_TUTIL_H
#define CTG_TUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include <ctguard/addr.h>

#include "../core/strbuf.h"

struct ctg_mctx;

/* A NAT range as nf_nat_range2 holds it. */
struct ctg_nat_range {
	bool map_ips, proto_specified;
	struct ctg_addr min_addr, max_addr;
	uint16_t min_port, max_port;
	uint16_t base_port; /* DNAT "a-b/base" (shifted port map); valid when has_base */
	bool has_base;
};

/*
 * "port[-port]", numbers or service names of the rule's protocol, min <= max; port 0 only
 * when allow_zero. 0 or -EINVAL (reported through c).
 */
int ctg_tu_port_range(struct ctg_mctx *c, const char *opt, const char *s, bool allow_zero,
		      uint16_t *lo, uint16_t *hi);
/* "[addr[-addr]][:port[-port]]"; IPv6 addresses in brackets when a port follows. */
int ctg_tu_nat_range(struct ctg_mctx *c, const char *opt, const char *s, struct ctg_nat_range *r);
/* As the NAT extensions print it (no leading space). */
void ctg_tu_nat_range_emit(struct ctg_strbuf *sb, int family, const struct ctg_nat_range *r);
/* True when the rule's -p allows ports (tcp, udp, sctp, dccp, udplite), not negated. */
bool ctg_tu_proto_has_ports(const struct ctg_mctx *c);

#endif
