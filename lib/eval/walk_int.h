/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal interface of the linear walker (walk.c), shared with flow.c. */
#ifndef CTG_EVAL_WALK_INT_H
#define CTG_EVAL_WALK_INT_H

#include "eval.h"

/*
 * Called at the conntrack stage (after raw) for each branch: sets the packet's ct fields.
 * notrack: raw marked the packet NOTRACK.
 */
typedef void ctg_walk_ct_fn(void *arg, struct ctg_pkt *pkt, bool notrack);

/*
 * NAT state of one branch (nat.c). @ct: private copy of the packet's entry once a binding
 * was set up on it (@own: pkt.ct points to it, re-pointed when the branch is copied;
 * @ct_set: the binding is new). @dst_unknown/@src_unknown: translated to an address the
 * model does not know (the packet keeps the old one). @inexact: a later -d/--dport test
 * would be a guess. @translated: the packet changed.
 */
struct ctg_nat_state {
	struct ctg_ct_entry ct;
	bool own, ct_set;
	bool dst_unknown, src_unknown, inexact, translated;
};

/* Points pkt.ct at the branch's own copy (after the branch was copied). */
void ctg_nat_fix(struct ctg_nat_state *ns, struct ctg_pkt *p);
/* nf_nat_setup_info for the NAT target t that took p at p->hook (new conntrack only). */
int ctg_nat_setup(const struct ctg_eval_env *env, struct ctg_nat_state *ns, struct ctg_pkt *p,
		  const struct ctg_target *t);
/* nf_nat_packet at p->hook: the entry's binding applied to p. */
void ctg_nat_packet(struct ctg_nat_state *ns, struct ctg_pkt *p);

int ctg_walk(const struct ctg_ruleset *rs, enum ctg_eval_path path, const struct ctg_pkt *pkt,
	     const struct ctg_eval_env *env, ctg_walk_ct_fn *ct_fn, void *ct_arg,
	     struct ctg_trace *trace, struct ctg_eval_result *out);

#endif
