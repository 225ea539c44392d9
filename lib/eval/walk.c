// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The linear evaluator: stages of a path (tables per hook in priority order, conntrack,
 * confirm), chains with a jump stack as ipt_do_table keeps it, three-valued forks kept on
 * a work list of branches.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "walk_int.h"

#define MAX_DEPTH	     64
#define DEFAULT_MAX_BRANCHES 1024

enum { ST_TABLE, ST_CT, ST_CONFIRM, ST_FORWARD };

struct stage {
	uint8_t kind, hook, table;
};

#define T(h, t)                                                                                    \
	{                                                                                          \
		ST_TABLE, CTG_HOOK_##h, CTG_TABLE_##t                                              \
	}
#define CT                                                                                         \
	{                                                                                          \
		ST_CT, 0, 0                                                                        \
	}
#define CONFIRM                                                                                    \
	{                                                                                          \
		ST_CONFIRM, 0, 0                                                                   \
	}
/* ip_forward()/ip6_forward(): TTL / hop limit decremented before NF_INET_FORWARD. */
#define FWD                                                                                        \
	{                                                                                          \
		ST_FORWARD, CTG_HOOK_FORWARD, 0                                                    \
	}
static const struct stage path_in[] = {
	T(PREROUTING, RAW),
	CT,
	T(PREROUTING, MANGLE),
	T(PREROUTING, NAT),
	T(INPUT, MANGLE),
	T(INPUT, FILTER),
	T(INPUT, SECURITY),
	T(INPUT, NAT),
	CONFIRM,
};
static const struct stage path_fwd[] = {
	T(PREROUTING, RAW),
	CT,
	T(PREROUTING, MANGLE),
	T(PREROUTING, NAT),
	FWD,
	T(FORWARD, MANGLE),
	T(FORWARD, FILTER),
	T(FORWARD, SECURITY),
	T(POSTROUTING, MANGLE),
	T(POSTROUTING, NAT),
	CONFIRM,
};
static const struct stage path_out[] = {
	T(OUTPUT, RAW),
	CT,
	T(OUTPUT, MANGLE),
	T(OUTPUT, NAT),
	T(OUTPUT, FILTER),
	T(OUTPUT, SECURITY),
	T(POSTROUTING, MANGLE),
	T(POSTROUTING, NAT),
	CONFIRM,
};
#undef T
#undef CT
#undef CONFIRM
#undef FWD

struct frame {
	int32_t chain;
	uint32_t pos;
};

struct branch {
	struct ctg_pkt pkt;
	uint16_t id;
	uint8_t stage;
	uint8_t depth;
	bool notrack;
	bool nostop;	     /* dropped outside any rule (TTL expired) */
	bool routed;	     /* oif from routing, for rmark/rdst */
	bool native_end;     /* a native nft chain decides: the branch ends undecided */
	uint8_t rsi;	     /* backend (index in the ruleset chain) of the current table */
	uint8_t native_seen; /* hooks whose native chains were forked on */
	bool oif_unknown;
	const char *oif;
	uint32_t rmark;
	struct ctg_addr rdst;
	int32_t base;
	const struct ctg_target *nat_tg; /* NAT target that took the packet in this table */
	struct ctg_nat_state nat;
	struct frame st[MAX_DEPTH];
};

#define MAX_BACKENDS 4

struct walker {
	const struct ctg_ruleset *rs; /* of the table being run: rss[branch's rsi] */
	const struct ctg_ruleset *rss[MAX_BACKENDS];
	unsigned nrs, native_hooks;
	const struct ctg_eval_env *env;
	const struct stage *stages;
	size_t nstages;
	struct ctg_trace *trace;
	struct ctg_eval_result *out;
	struct branch *work;
	size_t nwork, capwork;
	unsigned max;
	ctg_walk_ct_fn *ct_fn;
	void *ct_arg;
	struct ctg_rule_ref stop; /* of the branch being run */
	enum ctg_eval_path path;
	int err;
};

/* ---------------------------------------------------------------- trace */

static void trace_add(struct walker *w, const struct branch *b, uint8_t kind, uint8_t table,
		      uint8_t hook, int32_t chain, uint32_t rule, uint8_t match,
		      enum ctg_verdict action)
{
	struct ctg_trace *t = w->trace;
	struct ctg_trace_step *s;
	const struct ctg_chain *c;

	if (!t)
		return;
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 32;
		struct ctg_trace_step *nv = realloc(t->v, nc * sizeof(*nv));

		if (!nv) {
			t->oom = true;
			return;
		}
		t->v = nv;
		t->cap = nc;
	}
	s = &t->v[t->n++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->table = table;
	s->hook = hook;
	s->match = match;
	s->ctstate = b->pkt.ctstate;
	s->branch = b->id;
	s->chain = chain;
	s->rule = rule;
	s->action = action;
	s->backend = w->rs->backend;
	if (chain >= 0) {
		c = &w->rs->tables[table].chains[chain];
		s->chain_name = c->name;
		if (rule) {
			s->r = &c->rules[rule - 1];
			s->line = s->r->loc.line;
		} else {
			s->line = c->loc.line;
		}
	}
}

/* ---------------------------------------------------------------- matching */

static bool masked_eq(const struct ctg_addr *a, const struct ctg_addr *net,
		      const struct ctg_addr *m)
{
	for (int i = 0; i < 4; i++)
		if ((a->w[i] & m->w[i]) != (net->w[i] & m->w[i]))
			return false;
	return true;
}

static enum ctg_tri iface_match(const struct ctg_iface *ifc, const char *name, bool unknown,
				bool not_lo)
{
	bool eq;

	if (!ifc->set)
		return CTG_TRUE;
	if (unknown && not_lo && !ifc->wildcard && !strcmp(ifc->name, "lo"))
		return ifc->inv ? CTG_TRUE : CTG_FALSE;
	if (unknown)
		return CTG_UNKNOWN;
	if (!name)
		name = "";
	if (ifc->wildcard)
		eq = !strncmp(name, ifc->name, ifc->len);
	else
		eq = !strcmp(name, ifc->name);
	return eq != ifc->inv ? CTG_TRUE : CTG_FALSE;
}

static enum ctg_tri and3(enum ctg_tri a, enum ctg_tri b)
{
	if (a == CTG_FALSE || b == CTG_FALSE)
		return CTG_FALSE;
	return (a == CTG_UNKNOWN || b == CTG_UNKNOWN) ? CTG_UNKNOWN : CTG_TRUE;
}

/*
 * -d when the destination was translated to a local address the model does not know
 * (REDIRECT on an interface of unknown address): settled by the host's addresses when
 * they are all inside or all outside the rule's network.
 */
static enum ctg_tri unknown_local_dst(const struct ctg_rule *r, const struct ctg_pkt *p,
				      const struct ctg_eval_env *env)
{
	size_t in = 0, out = 0;

	if (!env->local_known)
		return CTG_UNKNOWN;
	for (size_t i = 0; i < env->nlocal; i++) {
		if (env->local[i].family != p->family)
			continue;
		if (masked_eq(&env->local[i].addr, &r->dst, &r->dmsk))
			in++;
		else
			out++;
	}
	if (in && out)
		return CTG_UNKNOWN;
	if (!in && !out)
		return CTG_UNKNOWN;
	return (in > 0) != r->inv_dst ? CTG_TRUE : CTG_FALSE;
}

static enum ctg_tri ip_match(const struct ctg_rule *r, const struct ctg_pkt *p,
			     const struct ctg_eval_env *env, const struct ctg_nat_state *ns)
{
	enum ctg_tri m, d = CTG_TRUE;

	if (r->src_set && masked_eq(&p->src, &r->src, &r->smsk) == r->inv_src)
		return CTG_FALSE;
	if (r->dst_set && ns->dst_unknown)
		d = unknown_local_dst(r, p, env);
	else if (r->dst_set && masked_eq(&p->dst, &r->dst, &r->dmsk) == r->inv_dst)
		return CTG_FALSE;
	if (d == CTG_FALSE)
		return d;
	if (r->proto_set && r->proto && (p->l4proto == r->proto) == r->inv_proto)
		return CTG_FALSE;
	if (r->frag_set && p->fragment == r->inv_frag)
		return CTG_FALSE;
	m = and3(d, iface_match(&r->in, p->iif, p->iif_unknown, p->if_not_lo));
	if (m == CTG_FALSE)
		return m;
	return and3(m, iface_match(&r->out, p->oif, p->oif_unknown, p->if_not_lo));
}

static enum ctg_tri rule_match(const struct ctg_rule *r, const struct ctg_pkt *p,
			       const struct ctg_eval_env *env, const struct ctg_nat_state *ns)
{
	enum ctg_tri res = ip_match(r, p, env, ns);

	for (uint16_t i = 0; i < r->nmatches && res != CTG_FALSE; i++) {
		const struct ctg_match *m = &r->matches[i];
		enum ctg_tri v = CTG_UNKNOWN;

		if (m->ops && m->ops->eval)
			v = m->ops->eval(m->data, p, env);
		res = and3(res, v);
	}
	return res;
}

/* ---------------------------------------------------------------- branches */

static int fork_branch(struct walker *w, const struct branch *b)
{
	if (w->out->branches >= w->max) {
		w->out->truncated = true;
		return 0;
	}
	if (w->nwork == w->capwork) {
		size_t nc = w->capwork ? w->capwork * 2 : 8;
		struct branch *nv = realloc(w->work, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		w->work = nv;
		w->capwork = nc;
	}
	w->work[w->nwork] = *b;
	w->work[w->nwork].id = (uint16_t)w->out->branches++;
	w->nwork++;
	return 0;
}

/* A target the parser kept verbatim: it may stop the packet or let it go on. */
static bool unknown_target(const struct ctg_rule *r)
{
	const struct ctg_target *t = &r->target;

	if (t->ops)
		return false;
	if (t->verdict == CTG_V_JUMP || t->verdict == CTG_V_GOTO)
		return t->chain < 0;
	return t->verdict == CTG_V_QUEUE && r->has_unknown;
}

static enum ctg_verdict apply_target(struct branch *b, const struct ctg_rule *r, uint8_t table)
{
	const struct ctg_target *tg = &r->target;

	if (tg->verdict == CTG_V_JUMP || tg->verdict == CTG_V_GOTO)
		return tg->chain >= 0 ? tg->verdict : CTG_V_QUEUE;
	if (!tg->ops)
		return (tg->raw && r->has_unknown) ? CTG_V_QUEUE : tg->verdict;
	if (tg->ops->notrack && table == CTG_TABLE_RAW) {
		b->notrack = true;
		b->pkt.ctstate = CTG_CTS_UNTRACKED;
		b->pkt.ct = NULL;
	}
	if (table == CTG_TABLE_NAT && tg->ops->verdict == CTG_V_ACCEPT && !tg->ops->apply)
		b->nat_tg = tg; /* DNAT/SNAT/...: nf_nat_setup_info after the table */
	if (tg->ops->apply) {
		enum ctg_verdict v = tg->ops->apply(tg->data, &b->pkt);

		/* CT --notrack decides by its options: it marks the packet itself. */
		if (table == CTG_TABLE_RAW && b->pkt.ctstate == CTG_CTS_UNTRACKED)
			b->notrack = true;
		return v;
	}
	return tg->ops->verdict;
}

static void set_stop(struct walker *w, uint8_t table, uint8_t hook, int32_t chain, uint32_t rule)
{
	const struct ctg_chain *c = &w->rs->tables[table].chains[chain];

	w->stop.table = table;
	w->stop.backend = w->rs->backend;
	w->stop.hook = hook;
	w->stop.chain = chain;
	w->stop.chain_name = c->name;
	w->stop.rule = rule;
	w->stop.r = rule ? &c->rules[rule - 1] : NULL;
	w->stop.line = rule ? w->stop.r->loc.line : c->loc.line;
}

/* RETURN (explicit or implicit): pop, or the base chain's policy at the bottom. */
static enum ctg_verdict do_return(struct walker *w, struct branch *b, const struct stage *s,
				  bool implicit)
{
	const struct ctg_table *t = &w->rs->tables[s->table];
	const struct ctg_chain *c;

	if (implicit && b->st[b->depth - 1].chain != b->base)
		trace_add(w, b, CTG_STEP_RETURN, s->table, s->hook, b->st[b->depth - 1].chain, 0,
			  CTG_TRUE, CTG_V_RETURN);
	if (b->depth > 1) {
		b->depth--;
		return CTG_V_CONTINUE;
	}
	c = &t->chains[b->base];
	trace_add(w, b, CTG_STEP_POLICY, s->table, s->hook, b->base, 0, CTG_TRUE, c->policy);
	set_stop(w, s->table, s->hook, b->base, 0);
	return c->policy == CTG_V_DROP ? CTG_V_DROP : CTG_V_ACCEPT;
}

static enum ctg_verdict control(struct walker *w, struct branch *b, const struct stage *s,
				const struct ctg_rule *r, enum ctg_verdict v)
{
	switch (v) {
	case CTG_V_CONTINUE:
		return v;
	case CTG_V_RETURN:
		return do_return(w, b, s, false);
	case CTG_V_JUMP:
		if (b->depth >= MAX_DEPTH) {
			w->err = -ELOOP;
			return CTG_V_QUEUE;
		}
		b->st[b->depth].chain = r->target.chain;
		b->st[b->depth].pos = 0;
		b->depth++;
		return CTG_V_CONTINUE;
	case CTG_V_GOTO:
		b->st[b->depth - 1].chain = r->target.chain;
		b->st[b->depth - 1].pos = 0;
		return CTG_V_CONTINUE;
	default:
		return v;
	}
}

static bool enter_table(struct walker *w, struct branch *b, const struct stage *s)
{
	const struct ctg_table *t = &w->rs->tables[s->table];
	int32_t base = t->present ? t->hook_chain[s->hook] : -1;

	if (base < 0 || (uint32_t)base >= t->nchains)
		return false;
	if (s->table == CTG_TABLE_NAT && !(b->pkt.ctstate & (CTG_CTS_NEW | CTG_CTS_RELATED))) {
		trace_add(w, b, CTG_STEP_NAT_SKIP, s->table, s->hook, base, 0, CTG_TRUE,
			  CTG_V_ACCEPT);
		return false;
	}
	b->base = base;
	b->st[0].chain = base;
	b->st[0].pos = 0;
	b->depth = 1;
	return true;
}

static void set_hook(struct branch *b, const struct ctg_pkt *orig, uint8_t hook)
{
	b->pkt.hook = hook;
	b->pkt.iif = orig->iif;
	b->pkt.oif = orig->route_oif ? b->oif : orig->oif;
	b->pkt.iif_unknown = orig->iif_unknown;
	b->pkt.oif_unknown = orig->route_oif ? b->oif_unknown : orig->oif_unknown;
	if (hook == CTG_HOOK_PREROUTING || hook == CTG_HOOK_INPUT) {
		b->pkt.oif = NULL;
		b->pkt.oif_unknown = false;
	}
	if (hook == CTG_HOOK_OUTPUT || hook == CTG_HOOK_POSTROUTING) {
		b->pkt.iif = NULL;
		b->pkt.iif_unknown = false;
	}
}

/* Runs (or resumes) one table; returns ACCEPT (go on) or a final verdict. */
static enum ctg_verdict run_table(struct walker *w, struct branch *b, const struct stage *s,
				  const struct ctg_pkt *orig)
{
	const struct ctg_table *t = &w->rs->tables[s->table];

	if (!b->depth) {
		set_hook(b, orig, s->hook);
		if (!enter_table(w, b, s))
			return CTG_V_ACCEPT;
	}
	for (;;) {
		struct frame *f = &b->st[b->depth - 1];
		const struct ctg_chain *c = &t->chains[f->chain];
		const struct ctg_rule *r;
		enum ctg_tri m;
		enum ctg_verdict v;
		int32_t chain = f->chain;

		if (f->pos >= c->nrules) {
			v = do_return(w, b, s, true);
			if (v != CTG_V_CONTINUE)
				return v;
			continue;
		}
		r = &c->rules[f->pos++];
		w->out->rules_visited++;
		m = rule_match(r, &b->pkt, w->env, &b->nat);
		if (m == CTG_FALSE) {
			if (w->env->all_rules)
				trace_add(w, b, CTG_STEP_RULE, s->table, s->hook, chain, f->pos,
					  CTG_FALSE, CTG_V_CONTINUE);
			continue;
		}
		if ((m == CTG_UNKNOWN || unknown_target(r)) && fork_branch(w, b))
			w->err = -ENOMEM;
		v = apply_target(b, r, s->table);
		trace_add(w, b, CTG_STEP_RULE, s->table, s->hook, chain, b->st[b->depth - 1].pos, m,
			  v == CTG_V_CONTINUE || v == CTG_V_JUMP || v == CTG_V_GOTO ? v : v);
		if (v == CTG_V_DROP || v == CTG_V_REJECT || v == CTG_V_QUEUE)
			set_stop(w, s->table, s->hook, chain, b->st[b->depth - 1].pos);
		v = control(w, b, s, r, v);
		if (v != CTG_V_CONTINUE)
			return v;
	}
}

/* After a nat table: the binding set up by its rule, then nf_nat_packet. */
static void nat_stage(struct walker *w, struct branch *b, const struct stage *s)
{
	bool was = b->nat.translated;

	b->pkt.hook = s->hook;
	b->nat.translated = false;
	if (b->nat_tg && ctg_nat_setup(w->env, &b->nat, &b->pkt, b->nat_tg))
		w->err = -EINVAL;
	b->nat_tg = NULL;
	ctg_nat_packet(&b->nat, &b->pkt);
	if (b->nat.translated)
		trace_add(w, b, CTG_STEP_NAT, s->table, s->hook, -1, 0, CTG_TRUE, CTG_V_CONTINUE);
	b->nat.translated = b->nat.translated || was;
}

/* ---------------------------------------------------------------- routing */

/*
 * The kernel's routing decision for the branch's packet as it is now (destination and
 * mark after PREROUTING, or after mangle/nat OUTPUT): its output interface. Local
 * delivery on the forward path, no route or no answer: unknown.
 */
static void route_branch(struct walker *w, struct branch *b, const struct ctg_pkt *orig)
{
	struct ctg_route_query q = {.family = b->pkt.family,
				    .has_src = true,
				    .src = b->pkt.src,
				    .dst = b->pkt.dst,
				    .mark = b->pkt.mark};
	struct ctg_route_res res = {0};
	bool fwd = w->path == CTG_PATH_FORWARD;

	if (fwd)
		q.iif = orig->iif_unknown ? NULL : orig->iif;
	b->routed = true;
	b->rmark = b->pkt.mark;
	b->rdst = b->pkt.dst;
	b->oif = NULL;
	b->oif_unknown = true;
	if (!w->env->route || w->env->route(w->env->route_arg, &q, &res) < 0)
		return;
	if (res.type == CTG_RT_UNICAST || (res.type == CTG_RT_LOCAL && !fwd)) {
		b->oif = res.dev;
		b->oif_unknown = false;
	}
}

/* ip_route_me_harder: mangle/nat OUTPUT changed the mark or the destination. */
static void reroute(struct walker *w, struct branch *b, const struct stage *s,
		    const struct ctg_pkt *orig)
{
	if (!orig->route_oif || s->hook != CTG_HOOK_OUTPUT || !b->routed)
		return;
	if (b->pkt.mark != b->rmark || !ctg_addr_eq(&b->pkt.dst, &b->rdst))
		route_branch(w, b, orig);
}

/* The arrival interface of a packet with route_iif: the host's route to its source. */
static void route_iif(const struct ctg_eval_env *env, enum ctg_eval_path path, struct ctg_pkt *p)
{
	struct ctg_route_query q = {.family = p->family, .dst = p->src};
	struct ctg_route_res res = {0};

	p->iif = NULL;
	p->iif_unknown = true;
	if (path == CTG_PATH_LOCAL_IN) {
		q.has_src = true;
		q.src = p->dst;
	}
	if (!env->route || env->route(env->route_arg, &q, &res) < 0)
		return;
	if (res.type == CTG_RT_UNICAST || (res.type == CTG_RT_LOCAL && path == CTG_PATH_LOCAL_IN)) {
		p->iif = res.dev;
		p->iif_unknown = false;
	}
}

/* ip_forward: TTL <= 1 is dropped (ICMP time exceeded), else decremented. 0 = unknown. */
static enum ctg_verdict forward_stage(struct walker *w, struct branch *b)
{
	if (!b->pkt.ttl)
		return CTG_V_ACCEPT;
	if (b->pkt.ttl == 1) {
		trace_add(w, b, CTG_STEP_TTL, 0, CTG_HOOK_FORWARD, -1, 0, CTG_TRUE, CTG_V_DROP);
		b->nostop = true;
		return CTG_V_DROP;
	}
	b->pkt.ttl--;
	return CTG_V_ACCEPT;
}

/*
 * Native nft base chains at this hook: a branch where they decide (ends undecided), and
 * this one going on as if they accepted.
 */
static void native_fork(struct walker *w, struct branch *b, const struct stage *s)
{
	unsigned bit = 1u << s->hook;

	if (!(w->native_hooks & bit) || (b->native_seen & bit))
		return;
	b->native_seen |= (uint8_t)bit;
	if (fork_branch(w, b)) {
		w->err = -ENOMEM;
		return;
	}
	if (w->nwork && w->work[w->nwork - 1].id == w->out->branches - 1)
		w->work[w->nwork - 1].native_end = true;
}

/* One table stage over every backend; ACCEPT to go on. */
static enum ctg_verdict run_backends(struct walker *w, struct branch *b, const struct stage *s,
				     const struct ctg_pkt *orig)
{
	for (; b->rsi < w->nrs; b->rsi++) {
		bool binds;
		enum ctg_verdict v;

		w->rs = w->rss[b->rsi];
		v = run_table(w, b, s, orig);
		b->depth = 0;
		if (v != CTG_V_ACCEPT)
			return v;
		if (s->table != CTG_TABLE_NAT)
			continue;
		/* nf_nat_inet_fn: once a binding is set up, later nat chains are not consulted */
		binds = b->nat_tg != NULL;
		nat_stage(w, b, s);
		if (binds)
			break;
	}
	b->rsi = 0;
	return CTG_V_ACCEPT;
}

static enum ctg_verdict run_branch(struct walker *w, struct branch *b, const struct ctg_pkt *orig)
{
	ctg_nat_fix(&b->nat, &b->pkt);
	if (b->native_end) {
		trace_add(w, b, CTG_STEP_NATIVE, 0, w->stages[b->stage].hook, -1, 0, CTG_TRUE,
			  CTG_V_QUEUE);
		b->nostop = true;
		return CTG_V_QUEUE;
	}
	for (; b->stage < w->nstages; b->stage++) {
		const struct stage *s = &w->stages[b->stage];
		enum ctg_verdict v;

		if (s->kind == ST_CT) {
			if (w->ct_fn)
				w->ct_fn(w->ct_arg, &b->pkt, b->notrack);
			continue;
		}
		if (s->kind == ST_CONFIRM)
			continue;
		if (s->kind == ST_FORWARD) {
			if (orig->route_oif)
				route_branch(w, b, orig);
			v = forward_stage(w, b);
			if (v != CTG_V_ACCEPT)
				return v;
			continue;
		}
		if (!b->depth && !b->rsi) {
			native_fork(w, b, s);
			if (b->native_end)
				return run_branch(w, b, orig);
		}
		v = run_backends(w, b, s, orig);
		if (v != CTG_V_ACCEPT)
			return v;
		if (s->table == CTG_TABLE_NAT || s->table == CTG_TABLE_MANGLE)
			reroute(w, b, s, orig);
	}
	return CTG_V_ACCEPT;
}

static unsigned verdict_bit(enum ctg_verdict v)
{
	switch (v) {
	case CTG_V_ACCEPT:
		return CTG_VB_ACCEPT;
	case CTG_V_DROP:
		return CTG_VB_DROP;
	case CTG_V_REJECT:
		return CTG_VB_REJECT;
	default:
		return CTG_VB_QUEUE;
	}
}

static void finish_branch(struct walker *w, const struct branch *b, const struct ctg_pkt *orig,
			  enum ctg_verdict v)
{
	struct ctg_eval_result *out = w->out;

	if (v != CTG_V_ACCEPT && v != CTG_V_DROP && v != CTG_V_REJECT)
		v = CTG_V_QUEUE;
	out->possible |= verdict_bit(v);
	if (b->id == 0) {
		out->verdict = v;
		out->ctstate = b->pkt.ctstate;
		out->mark = b->pkt.mark;
		out->nat = b->nat.translated || b->nat.dst_unknown;
		out->nat_dst_unknown = b->nat.dst_unknown;
		ctg_ct_pkt_tuple(&b->pkt, &out->nat_pkt);
		out->nat_ct = b->nat.ct_set;
		out->iif = orig->iif;
		out->iif_unknown = orig->iif_unknown;
		out->oif = orig->route_oif ? b->oif : orig->oif;
		out->oif_unknown = orig->route_oif ? b->oif_unknown : orig->oif_unknown;
		if (b->nat.ct_set) {
			out->nat_reply = b->nat.ct.reply;
			out->nat_status = b->nat.ct.status & (CTG_IPS_SRC_NAT | CTG_IPS_DST_NAT);
		}
	}
	if (b->nat.inexact)
		out->nat_inexact = true;
	if ((v == CTG_V_DROP || v == CTG_V_REJECT) && !out->has_stop && !b->nostop) {
		out->has_stop = true;
		out->stop = w->stop;
	}
}

static int setup(struct walker *w, const struct ctg_ruleset *rs, enum ctg_eval_path path,
		 const struct ctg_eval_env *env)
{
	w->rs = rs;
	for (const struct ctg_ruleset *r = rs; r && w->nrs < MAX_BACKENDS; r = r->next) {
		w->rss[w->nrs++] = r;
		w->native_hooks |= r->native_hooks;
	}
	w->env = env;
	w->max = env->max_branches ? env->max_branches : DEFAULT_MAX_BRANCHES;
	w->path = path;
	switch (path) {
	case CTG_PATH_LOCAL_IN:
		w->stages = path_in;
		w->nstages = sizeof(path_in) / sizeof(path_in[0]);
		return 0;
	case CTG_PATH_FORWARD:
		w->stages = path_fwd;
		w->nstages = sizeof(path_fwd) / sizeof(path_fwd[0]);
		return 0;
	case CTG_PATH_LOCAL_OUT:
		w->stages = path_out;
		w->nstages = sizeof(path_out) / sizeof(path_out[0]);
		return 0;
	}
	return -EINVAL;
}

int ctg_walk(const struct ctg_ruleset *rs, enum ctg_eval_path path, const struct ctg_pkt *pkt,
	     const struct ctg_eval_env *env, ctg_walk_ct_fn *ct_fn, void *ct_arg,
	     struct ctg_trace *trace, struct ctg_eval_result *out)
{
	struct walker w = {.trace = trace, .out = out, .ct_fn = ct_fn, .ct_arg = ct_arg};
	struct branch *first;
	struct ctg_pkt o;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!rs || !pkt || !env || pkt->family != rs->family)
		return -EINVAL;
	rc = setup(&w, rs, path, env);
	if (rc)
		return rc;
	first = calloc(1, sizeof(*first));
	if (!first)
		return -ENOMEM;
	o = *pkt;
	if (o.route_iif)
		route_iif(env, path, &o);
	first->pkt = o;
	if (o.route_oif && path == CTG_PATH_LOCAL_OUT)
		route_branch(&w, first, &o);
	else if (o.route_oif) {
		first->oif = NULL;
		first->oif_unknown = true;
	}
	out->branches = 1;
	out->verdict = CTG_V_QUEUE;
	finish_branch(&w, first, &o, run_branch(&w, first, &o));
	free(first);
	while (w.nwork) {
		struct branch b = w.work[--w.nwork];

		finish_branch(&w, &b, &o, run_branch(&w, &b, &o));
	}
	free(w.work);
	out->certain = !out->truncated && !out->nat_inexact && !w.err &&
		       __builtin_popcount(out->possible) == 1;
	if (trace && trace->oom)
		return -ENOMEM;
	return w.err == -ENOMEM ? -ENOMEM : 0;
}
