// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Audit: NAT mappings lost with a wiped conntrack entry (audit.h, NAT_LOST).
 *
 * Source NAT: the local side's next packet (local -> peer, ACK) through OUTPUT ->
 * POSTROUTING with the conntrack model on an empty view: with tcp_loose it is picked up
 * as NEW and the nat chains run; when its source comes out translated, the peer has been
 * talking to the translated tuple and its packets now arrive there with no mapping back.
 * With tcp_loose=0 the ACK is INVALID and skips nat: the walk is redone as NEW (the state
 * in which the connection got its mapping).
 *
 * Destination NAT: a DNAT/REDIRECT rule of nat (PREROUTING and user chains) whose
 * translation can land on the socket's address:port; a pre-NAT destination is built
 * from the rule (its -d when exact, else the socket's address; the ports that the rule's
 * own matches allow) and the peer's opening packet is walked through PREROUTING -> INPUT:
 * the mapping is confirmed when that very rule translates it to the socket.
 */
#include "audit.h"

#include <errno.h>
#include <string.h>

#include "../eval/eval.h"
#include "../target/target_nat.h"

static bool masked_eq(const struct ctg_addr *a, const struct ctg_addr *b, const struct ctg_addr *m)
{
	for (int i = 0; i < 4; i++)
		if ((a->w[i] & m->w[i]) != (b->w[i] & m->w[i]))
			return false;
	return true;
}

static bool has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17;
}

static void base_pkt(const struct ctg_conn *c, struct ctg_pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->family = c->family;
	p->l4proto = c->l4proto;
	p->len = (c->family == 10 ? 40 : 20) + (c->l4proto == 6 ? 32 : 8) + 100;
	p->ttl = 64;
}

static enum ctg_nat_kind step_nat_kind(const struct ctg_trace_step *st, bool dst)
{
	struct ctg_nat_range r;
	bool random;
	enum ctg_nat_kind k;

	if (st->kind != CTG_STEP_RULE || st->table != CTG_TABLE_NAT || !st->r ||
	    st->match == CTG_FALSE || st->branch != 0)
		return CTG_NATK_NONE;
	k = ctg_target_nat_info(&st->r->target, &r, &random);
	if (dst)
		return k == CTG_NATK_DNAT || k == CTG_NATK_REDIRECT ? k : CTG_NATK_NONE;
	return k == CTG_NATK_SNAT || k == CTG_NATK_MASQUERADE ? k : CTG_NATK_NONE;
}

/*
 * The first NAT rule of the wanted direction that branch 0 took; *sure: no match before
 * it (on branch 0) was unknown. NULL when none.
 */
static const struct ctg_trace_step *nat_step(const struct ctg_trace *t, bool dst, bool *sure)
{
	*sure = true;
	for (size_t i = 0; i < t->n; i++) {
		const struct ctg_trace_step *st = &t->v[i];

		if (step_nat_kind(st, dst) != CTG_NATK_NONE) {
			if (st->match == CTG_UNKNOWN)
				*sure = false;
			return st;
		}
		if (st->branch == 0 && st->match == CTG_UNKNOWN)
			*sure = false;
	}
	return NULL;
}

static const char *kind_name(enum ctg_nat_kind k)
{
	static const char *const names[] = {"", "DNAT", "SNAT", "REDIRECT", "MASQUERADE"};

	return names[k];
}

static void fill_rule(struct ctg_audit_nat *out, const struct ctg_trace_step *st, bool dst)
{
	out->found = true;
	out->dst = dst;
	out->target = kind_name(step_nat_kind(st, dst));
	out->table = ctg_table_name(st->table);
	out->chain = st->chain_name;
	out->rule = st->rule;
	out->line = st->line;
}

/* ---------------------------------------------------------------- source NAT */

static int check_src(const struct ctg_audit_nat_ctx *nx, const struct ctg_ruleset *rs,
		     const struct ctg_conn *c, struct ctg_trace *tr, struct ctg_audit_nat *out)
{
	const struct ctg_trace_step *st;
	struct ctg_flow_result fr;
	struct ctg_pkt p;
	bool sure;
	int ret;

	base_pkt(c, &p);
	p.src = c->laddr;
	p.dst = c->paddr;
	p.sport = c->lport;
	p.dport = c->pport;
	p.tcp_flags = c->l4proto == 6 ? CTG_TH_ACK : 0;
	p.route_oif = nx->env->route != NULL; /* else unknown */
	p.oif_unknown = true;
	if (c->sock) {
		p.uid_known = true;
		p.uid = c->sock->uid;
	}
	ctg_trace_reset(tr);
	ret = ctg_eval_flow_packet(rs, nx->empty, nx->env, CTG_PATH_LOCAL_OUT, &p, false, tr, &fr);
	if (!ret && (fr.ct.ctstate & CTG_CTS_INVALID)) {
		/* tcp_loose=0: the ACK skips nat; the mapping came from the NEW packet. */
		p.ctstate = CTG_CTS_NEW;
		p.ct = NULL;
		ctg_trace_reset(tr);
		ret = ctg_eval_packet(rs, CTG_PATH_LOCAL_OUT, &p, nx->env, tr, &fr.eval);
		fr.ct.ctstate = CTG_CTS_NEW;
		fr.ct.reason = "tcp-loose-0";
	}
	if (ret < 0)
		return ret;
	if (tr->oom)
		return -ENOMEM;
	if (!fr.eval.nat || (ctg_addr_eq(&fr.eval.nat_pkt.src, &c->laddr) &&
			     (!has_ports(c->l4proto) || fr.eval.nat_pkt.sport == c->lport)))
		return 0;
	st = nat_step(tr, false, &sure);
	if (!st)
		return 0;
	fill_rule(out, st, false);
	out->certain = sure && !fr.eval.nat_inexact;
	out->addr = fr.eval.nat_pkt.src;
	out->port = fr.eval.nat_pkt.sport;
	out->addr_known = true;
	ctg_ctstate_format(fr.ct.ctstate, out->ctstate, sizeof(out->ctstate));
	out->ct_reason = fr.ct.reason;
	return 0;
}

/* ---------------------------------------------------------------- destination NAT */

/* Can the rule's translation (range r of kind k) land on the socket's address:port? */
static bool lands_on(enum ctg_nat_kind k, const struct ctg_nat_range *r, const struct ctg_conn *c)
{
	if (k == CTG_NATK_DNAT && r->map_ips &&
	    (memcmp(c->laddr.b, r->min_addr.b, 16) < 0 ||
	     memcmp(c->laddr.b, r->max_addr.b, 16) > 0))
		return false;
	if (!r->proto_specified || !has_ports(c->l4proto))
		return true;
	return c->lport >= r->min_port && c->lport <= r->max_port;
}

/* The rule's own -s/-p and matches: could it take this packet? */
static bool rule_may_match(const struct ctg_rule *r, const struct ctg_pkt *p,
			   const struct ctg_eval_env *env)
{
	if (r->src_set && masked_eq(&p->src, &r->src, &r->smsk) == r->inv_src)
		return false;
	if (r->proto_set && r->proto && (p->l4proto == r->proto) == r->inv_proto)
		return false;
	for (uint16_t i = 0; i < r->nmatches; i++) {
		const struct ctg_match *m = &r->matches[i];

		if (m->ops && m->ops->eval && !m->ops->needs_ct &&
		    m->ops->eval(m->data, p, env) == CTG_FALSE)
			return false;
	}
	return true;
}

struct dnat_try {
	const struct ctg_audit_nat_ctx *nx;
	const struct ctg_ruleset *rs;
	const struct ctg_conn *c;
	const struct ctg_rule *r;
	enum ctg_nat_kind k;
	struct ctg_trace *tr;
	struct ctg_pkt p; /* the pre-NAT packet, dport to be set */
	unsigned budget;  /* full walks left for this rule */
};

#define WALKS_PER_RULE 256

/* Walks the pre-NAT packet; true when this rule translates it to the socket. */
static int try_dport(struct dnat_try *d, uint16_t dport, bool *sure, bool *hit)
{
	const struct ctg_conn *c = d->c;
	const struct ctg_trace_step *st;
	struct ctg_eval_result ev;
	int ret;

	*hit = false;
	d->p.dport = dport;
	d->p.hook = CTG_HOOK_PREROUTING;
	if (!rule_may_match(d->r, &d->p, d->nx->env))
		return 0;
	if (ctg_addr_eq(&d->p.dst, &c->laddr) && dport == c->lport)
		return 0; /* no translation: not a mapping */
	if (!d->budget)
		return 0;
	d->budget--;
	ctg_trace_reset(d->tr);
	ret = ctg_eval_packet(d->rs, CTG_PATH_LOCAL_IN, &d->p, d->nx->env, d->tr, &ev);
	if (ret < 0)
		return ret;
	if (d->tr->oom)
		return -ENOMEM;
	st = nat_step(d->tr, true, sure);
	if (!st || st->r != d->r || !ev.nat || ev.nat_pkt.dport != c->lport)
		return 0;
	if (!ctg_addr_eq(&ev.nat_pkt.dst, &c->laddr) &&
	    !(ev.nat_dst_unknown && d->k == CTG_NATK_REDIRECT))
		return 0;
	*sure = *sure && !ev.nat_inexact;
	*hit = true;
	return 0;
}

/*
 * A direct connection to the socket's address:port: certainly impossible? An unknown
 * input interface is taken as no interface, as the audit's other inbound walks do (a
 * remote peer's packet never comes in on lo).
 */
static int direct_impossible(const struct dnat_try *d, bool *out)
{
	struct ctg_eval_result ev;
	struct ctg_pkt p = d->p;
	int ret;

	p.iif_unknown = false;
	p.dst = d->c->laddr;
	p.dport = d->c->lport;
	p.dst_type = 0;
	ret = ctg_eval_packet(d->rs, CTG_PATH_LOCAL_IN, &p, d->nx->env, NULL, &ev);
	if (ret < 0)
		return ret;
	*out = !(ev.possible & (CTG_VB_ACCEPT | CTG_VB_QUEUE)) ||
	       (ev.certain && ev.nat && !ev.nat_inexact && !ev.truncated &&
		(!ctg_addr_eq(&ev.nat_pkt.dst, &d->c->laddr) || ev.nat_pkt.dport != d->c->lport));
	return 0;
}

/* Candidate pre-NAT ports of rule r: returns 0 and *hit with the first that works. */
static int try_rule(struct dnat_try *d, const struct ctg_nat_range *rg, bool *sure, bool *hit)
{
	const struct ctg_conn *c = d->c;
	uint32_t size;
	int ret;

	if (!has_ports(c->l4proto) || !rg->proto_specified)
		return try_dport(d, c->lport, sure, hit);
	if (rg->has_base) {
		size = (uint32_t)rg->max_port - rg->min_port + 1;
		for (uint32_t port = (uint32_t)rg->base_port + (c->lport - rg->min_port);
		     port <= 65535; port += size) {
			ret = try_dport(d, (uint16_t)port, sure, hit);
			if (ret < 0 || *hit)
				return ret;
		}
		return 0;
	}
	for (uint32_t port = 1; port <= 65535 && d->budget; port++) {
		ret = try_dport(d, (uint16_t)port, sure, hit);
		if (ret < 0 || *hit)
			return ret;
	}
	return 0;
}

static bool prerouting_chain(const struct ctg_chain *ch)
{
	return !ch->builtin || ch->hook == CTG_HOOK_PREROUTING;
}

static int check_dst(const struct ctg_audit_nat_ctx *nx, const struct ctg_ruleset *rs,
		     const struct ctg_conn *c, struct ctg_trace *tr, struct ctg_audit_nat *out)
{
	struct dnat_try d = {.nx = nx, .rs = rs, .c = c, .tr = tr};
	struct ctg_addr full;
	bool sure = false, hit = false, direct = false;
	int ret = 0;

	ctg_addr_mask_from_len(c->family, c->family == 10 ? 128 : 32, &full);
	for (const struct ctg_ruleset *b = rs; b && !hit; b = b->next) { /* every backend */
		const struct ctg_table *t = &b->tables[CTG_TABLE_NAT];

		for (uint32_t ci = 0; t->present && ci < t->nchains && !hit; ci++) {
			const struct ctg_chain *ch = &t->chains[ci];

			for (uint32_t ri = 0; prerouting_chain(ch) && ri < ch->nrules && !hit;
			     ri++) {
				struct ctg_nat_range rg;
				bool random = false;

				d.r = &ch->rules[ri];
				d.k = ctg_target_nat_info(&d.r->target, &rg, &random);
				if ((d.k != CTG_NATK_DNAT && d.k != CTG_NATK_REDIRECT) ||
				    !lands_on(d.k, &rg, c))
					continue;
				base_pkt(c, &d.p);
				d.p.src = c->paddr;
				d.p.sport = c->pport;
				d.p.tcp_flags = c->l4proto == 6 ? CTG_TH_SYN : 0;
				d.p.ctstate = CTG_CTS_NEW;
				d.p.route_iif = nx->env->route != NULL; /* else unknown */
				d.p.iif_unknown = true;
				d.p.dst = c->laddr;
				d.budget = WALKS_PER_RULE;
				out->addr_known = false;
				if (d.r->dst_set && !d.r->inv_dst &&
				    !memcmp(&d.r->dmsk, &full, sizeof(full))) {
					d.p.dst = d.r->dst;
					out->addr_known = true;
				}
				ret = try_rule(&d, &rg, &sure, &hit);
				if (ret < 0)
					return ret;
			}
		}
	}
	if (!hit)
		return 0;
	ret = direct_impossible(&d, &direct);
	if (ret < 0)
		return ret;
	fill_rule(out, nat_step(tr, true, &(bool){false}), true); /* the hit's trace */
	out->certain = sure && direct;
	out->addr = d.p.dst;
	out->port = d.p.dport;
	ctg_ctstate_format(CTG_CTS_NEW, out->ctstate, sizeof(out->ctstate));
	out->ct_reason = "dnat";
	return 0;
}

int ctg_audit_nat_check(const struct ctg_audit_nat_ctx *nx, const struct ctg_ruleset *rs,
			const struct ctg_conn *c, struct ctg_audit_nat *out)
{
	struct ctg_trace tr;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!rs->tables[CTG_TABLE_NAT].present && !rs->next)
		return 0;
	ctg_trace_init(&tr);
	ret = check_src(nx, rs, c, &tr, out);
	if (!ret && !out->found)
		ret = check_dst(nx, rs, c, &tr, out);
	ctg_trace_release(&tr);
	return ret;
}
