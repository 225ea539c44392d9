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

int ctg_walk(const struct ctg_ruleset *rs, enum ctg_eval_path path, const struct ctg_pkt *pkt,
	     const struct ctg_eval_env *env, ctg_walk_ct_fn *ct_fn, void *ct_arg,
	     struct ctg_trace *trace, struct ctg_eval_result *out);

#endif
