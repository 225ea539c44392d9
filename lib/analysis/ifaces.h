/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The interfaces of a connection's packets, one inference for audit, check, heal, apply
 * and trace: the kernel's routing decision where the kernel makes one (output interface:
 * route_oif, decided during the walk with the packet's mark and destination as mangle and
 * nat left them), and for the arrival interface of the peer's packets the interface the
 * host's own packets of the connection leave through (the connection's path, as an
 * ESTABLISHED packet of the local side is routed now); for a forwarded connection's
 * original direction, the host's route to its source. Without routing (no live host, no
 * --routes) every interface is unknown: -i/-o rules answer UNKNOWN, never "none".
 */
#ifndef CTG_ANALYSIS_IFACES_H
#define CTG_ANALYSIS_IFACES_H

#include <stdbool.h>

#include "../eval/eval.h"

/*
 * @rs: the ruleset the host runs now (NULL: none; mangle cannot change the route).
 * @l: the local->peer packet (forward: original direction) along lpath; @p: the other
 * one along ppath. @loopback: a connection over lo. Only interface fields are set.
 */
void ctg_ifaces_fill(const struct ctg_ruleset *rs, const struct ctg_eval_env *env, bool loopback,
		     enum ctg_eval_path lpath, struct ctg_pkt *l, enum ctg_eval_path ppath,
		     struct ctg_pkt *p);

#endif
