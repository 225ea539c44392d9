/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --sport / --dport port ranges as -m tcp and -m udp share them (libxt_tcp.c, libxt_udp.c,
 * xt_tcpudp.c): each given once, the whole range when absent, printed only when not the
 * whole range, matched with an optional inversion per side. Header only, like mrange.h.
 */
#ifndef CTG_MPORTS_H
#define CTG_MPORTS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "../ruleset/ir.h"
#include "mutil.h"

/* Bits of the caller's seen and invflags words that the port options use. */
enum { CTG_MPORTS_SPT = 1, CTG_MPORTS_DPT = 2 };

struct ctg_mports {
	uint16_t spts[2], dpts[2];
};

/* --sport (src) or --dport; proto names services ("tcp", "udp"). 0 or -EINVAL (reported). */
static inline int ctg_mports_parse(struct ctg_mctx *c, struct ctg_mports *pt, unsigned *seen,
				   uint8_t *invflags, bool src, bool inv, const char *arg,
				   const char *proto)
{
	const char *name = src ? "sport" : "dport";
	unsigned bit = src ? CTG_MPORTS_SPT : CTG_MPORTS_DPT;

	if (ctg_mu_once(c, seen, bit, name) ||
	    ctg_mu_ports_arg(c, name, arg, proto, src ? pt->spts : pt->dpts))
		return -EINVAL;
	if (inv)
		*invflags |= bit;
	return 0;
}

/* Sides not given cover 0-65535. */
static inline void ctg_mports_final(struct ctg_mports *pt, unsigned seen)
{
	if (!(seen & CTG_MPORTS_SPT))
		pt->spts[1] = UINT16_MAX;
	if (!(seen & CTG_MPORTS_DPT))
		pt->dpts[1] = UINT16_MAX;
}

static inline void ctg_mports_emit_side(struct ctg_strbuf *sb, const char *name,
					const uint16_t r[2], bool inv)
{
	if (r[0] == 0 && r[1] == UINT16_MAX && !inv)
		return;
	ctg_mu_opt(sb, inv, name);
	ctg_sb_putc(sb, ' ');
	ctg_mu_range(sb, r[0], r[1], ':');
}

static inline void ctg_mports_emit(struct ctg_strbuf *sb, const struct ctg_mports *pt,
				   uint8_t invflags)
{
	ctg_mports_emit_side(sb, "sport", pt->spts, invflags & CTG_MPORTS_SPT);
	ctg_mports_emit_side(sb, "dport", pt->dpts, invflags & CTG_MPORTS_DPT);
}

static inline bool ctg_mports_in(uint16_t v, const uint16_t r[2], bool inv)
{
	return (v >= r[0] && v <= r[1]) != inv;
}

static inline bool ctg_mports_match(const struct ctg_mports *pt, uint8_t invflags, uint16_t sport,
				    uint16_t dport)
{
	return ctg_mports_in(sport, pt->spts, invflags & CTG_MPORTS_SPT) &&
	       ctg_mports_in(dport, pt->dpts, invflags & CTG_MPORTS_DPT);
}

#endif
