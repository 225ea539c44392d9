// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Public entry points: one packet with a given conntrack state (ctg_eval_packet), and one
 * packet of a scenario against a conntrack view (ctg_eval_flow_packet).
 */
#include <errno.h>
#include <string.h>

#include "walk_int.h"

/* The caller's conntrack fields, restored at the conntrack stage (raw sees INVALID). */
struct given_ct {
	uint8_t ctstate;
	bool reply;
	const struct ctg_ct_entry *ct;
	uint32_t ctmark;
};

static void given_ct_fn(void *arg, struct ctg_pkt *p, bool notrack)
{
	const struct given_ct *g = arg;

	if (notrack)
		return;
	p->ctstate = g->ctstate;
	p->ct_reply_dir = g->reply;
	p->ct = g->ct;
	p->ctmark = g->ctmark;
}

static void clear_ct(struct ctg_pkt *p)
{
	p->ctstate = CTG_CTS_INVALID;
	p->ct_reply_dir = false;
	p->ct = NULL;
	p->ctmark = 0;
}

int ctg_eval_packet(const struct ctg_ruleset *rs, enum ctg_eval_path path,
		    const struct ctg_pkt *pkt, const struct ctg_eval_env *env,
		    struct ctg_trace *trace, struct ctg_eval_result *out)
{
	struct given_ct g;
	struct ctg_pkt p;

	if (!pkt) {
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	g.ctstate = pkt->ctstate;
	g.reply = pkt->ct_reply_dir;
	g.ct = pkt->ct;
	g.ctmark = pkt->ctmark;
	p = *pkt;
	clear_ct(&p);
	return ctg_walk(rs, path, &p, env, given_ct_fn, &g, trace, out);
}

/* ---------------------------------------------------------------- flows */

struct flow_ct {
	const struct ctg_ct_view *view;
	const struct ctg_eval_env *env;
	bool active;
	bool done, untracked_seen;
	struct ctg_ct_result tracked, untracked;
	int err;
};

static void flow_ct_fn(void *arg, struct ctg_pkt *p, bool notrack)
{
	struct flow_ct *f = arg;

	if (notrack) {
		ctg_ct_untracked(&f->untracked);
		f->untracked_seen = true;
		ctg_ct_result_to_pkt(&f->untracked, p);
		return;
	}
	if (!f->active) {
		clear_ct(p);
		return;
	}
	if (!f->done) {
		int rc = ctg_ct_classify(f->view, p, &f->env->sysctls, &f->tracked);

		if (rc)
			f->err = rc;
		f->done = true;
	}
	ctg_ct_result_to_pkt(&f->tracked, p);
}

static bool nat_has_rules(const struct ctg_ruleset *rs)
{
	const struct ctg_table *t = &rs->tables[CTG_TABLE_NAT];

	if (!t->present)
		return false;
	for (uint32_t i = 0; i < t->nchains; i++)
		if (t->chains[i].nrules)
			return true;
	return false;
}

/* Over every backend's ruleset: conntrack is one per netns. */
static bool ct_active(const struct ctg_ruleset *rs, const struct ctg_eval_env *env)
{
	if (env->ct_active >= 0)
		return env->ct_active != 0;
	for (; rs; rs = rs->next)
		if (rs->uses_ct || nat_has_rules(rs))
			return true;
	return false;
}

int ctg_eval_flow_packet(const struct ctg_ruleset *rs, struct ctg_ct_view *view,
			 const struct ctg_eval_env *env, enum ctg_eval_path path,
			 const struct ctg_pkt *pkt, bool commit, struct ctg_trace *trace,
			 struct ctg_flow_result *out)
{
	struct flow_ct f = {.view = view, .env = env};
	struct ctg_pkt p;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!rs || !pkt || !env)
		return -EINVAL;
	f.active = ct_active(rs, env);
	p = *pkt;
	clear_ct(&p);
	rc = ctg_walk(rs, path, &p, env, flow_ct_fn, &f, trace, &out->eval);
	if (rc)
		return rc;
	if (f.err)
		return f.err;
	if (f.done && out->eval.nat_ct &&
	    (f.tracked.action == CTG_CT_ACT_CREATE || f.tracked.action == CTG_CT_ACT_REPLACE)) {
		/* The binding the nat rule set up (branch 0): replies come to the new tuple. */
		f.tracked.entry.reply = out->eval.nat_reply;
		f.tracked.entry.status |= out->eval.nat_status;
	}
	if (f.done && !(out->eval.ctstate & CTG_CTS_UNTRACKED))
		out->ct = f.tracked;
	else if (f.untracked_seen)
		out->ct = f.untracked;
	else {
		out->ct.ctstate = CTG_CTS_INVALID;
		out->ct.reason = f.active ? "not-reached" : "conntrack-inactive";
	}
	if (!commit || !view || !f.done)
		return 0;
	out->confirmed =
		out->eval.possible == CTG_VB_ACCEPT && !out->eval.truncated &&
		(f.tracked.action == CTG_CT_ACT_CREATE || f.tracked.action == CTG_CT_ACT_REPLACE);
	return ctg_ct_commit(view, &f.tracked,
			     out->eval.possible == CTG_VB_ACCEPT && !out->eval.truncated);
}
