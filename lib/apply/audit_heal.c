// SPDX-License-Identifier: GPL-2.0-or-later
/* The audit and heal workflows on assembled inputs (see audit_heal.h). */
#include "audit_heal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis/heal.h"
#include "heal_nl.h"

void ctg_audit_input_fill(const struct ctg_inputs *in, const struct ctg_ruleset *rs4,
			  const struct ctg_ruleset *rs6, struct ctg_audit_input *ai)
{
	ctg_audit_input_init(ai);
	ai->rs4 = rs4 ? rs4 : in->rules4;
	ai->rs6 = rs6 ? rs6 : in->rules6;
	ai->cts = &in->ct;
	ai->socks = &in->socks;
	ai->locals = in->locals_live ? &in->locals : NULL;
	ai->sysctls = &in->sysctls;
	/* unknown interfaces (files): -i/-o of the NAT simulations stay unknown */
	ai->ifaddr = in->locals_live ? in->ifaddrs.v : NULL;
	ai->nifaddr = in->locals_live ? in->ifaddrs.n : 0;
	ai->port_lo = in->sysctls.port_lo;
	ai->port_hi = in->sysctls.port_hi;
	ai->routes = in->routes;
}

int ctg_audit_inputs_run(struct ctg_inputs *in, const struct ctg_ruleset *rs4,
			 const struct ctg_ruleset *rs6, struct ctg_audit_report *rep)
{
	unsigned need = CTG_IN_AUDIT;
	struct ctg_audit_input ai;
	int ret;

	if (!rs4 && !rs6)
		need |= CTG_IN_RULES4 | CTG_IN_RULES6;
	ret = ctg_inputs_load(in, need);
	if (ret)
		return ret;
	ctg_audit_input_fill(in, rs4, rs6, &ai);
	return ctg_audit_run(&ai, rep);
}

static bool peer_selected(const struct ctg_heal_opts *o, const struct ctg_conn *c)
{
	if (!o->peer_family)
		return true;
	return c->family == o->peer_family && ctg_addr_eq(&c->paddr, &o->peer) &&
	       (!o->peer_port || c->pport == o->peer_port);
}

/* The live socket table still has this exact ESTABLISHED connection. */
static bool socket_alive(const struct ctg_sock_table *live, const struct ctg_sock *sk)
{
	for (size_t i = 0; i < live->n; i++) {
		const struct ctg_sock *s = &live->v[i];

		if (s->l4proto == sk->l4proto && s->state == CTG_SK_ESTABLISHED &&
		    s->family == sk->family && s->lport == sk->lport && s->pport == sk->pport &&
		    ctg_addr_eq(&s->laddr, &sk->laddr) && ctg_addr_eq(&s->paddr, &sk->paddr))
			return true;
	}
	return false;
}

static void heal_one(const struct ctg_heal_opts *o, const struct ctg_sock_table *live,
		     const struct ctg_sysctls *sc, struct ctg_heal_item *h,
		     struct ctg_heal_report *r)
{
	const struct ctg_conn *c = &h->it->conn;
	uint32_t timeout =
		c->l4proto == 6 ? sc->tcp_timeout[CTG_TCP_ESTABLISHED] : sc->udp_timeout_stream;

	if (ctg_heal_entry_for_sock(c->sock, c->role == CTG_ROLE_SERVER, timeout, &h->entry) < 0) {
		h->status = CTG_HEAL_NO_SOCKET;
		r->skipped++;
		return;
	}
	r->planned++;
	if (o->dry_run) {
		h->status = CTG_HEAL_PLANNED;
	} else if (!socket_alive(live, c->sock)) {
		h->status = CTG_HEAL_REFUSED;
		r->refused++;
	} else if ((h->err = ctg_heal_nl_insert(&h->entry)) == 0) {
		h->status = CTG_HEAL_INSERTED;
		r->inserted++;
	} else {
		h->status = CTG_HEAL_FAILED;
		r->failed++;
	}
}

int ctg_heal_run(const struct ctg_audit_report *rep, const struct ctg_sysctls *sc,
		 const struct ctg_heal_opts *o, struct ctg_heal_report *out)
{
	struct ctg_sock_table live;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	out->v = calloc(rep->n ? rep->n : 1, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	ctg_sock_table_init(&live);
	/* the socket check is made against a dump taken now, not the audit's */
	if (!o->dry_run && (ret = ctg_sock_read_diag(&live, CTG_SOCK_TCP | CTG_SOCK_UDP)) < 0) {
		ctg_sock_table_release(&live);
		ctg_heal_report_release(out);
		return ret;
	}
	for (size_t i = 0; i < rep->n; i++) {
		const struct ctg_audit_item *it = &rep->v[i];
		struct ctg_heal_item *h = &out->v[out->n];

		if (!ctg_audit_is_orphan(it) || !peer_selected(o, &it->conn))
			continue;
		out->n++;
		h->it = it;
		if (it->kind != CTG_AUDIT_NO_ENTRY || !it->conn.sock)
			h->status = CTG_HEAL_NOT_HEALABLE;
		else if (!it->certain) {
			h->status = CTG_HEAL_UNCERTAIN;
			out->skipped++;
		} else
			heal_one(o, &live, sc, h, out);
	}
	ctg_sock_table_release(&live);
	return 0;
}

void ctg_heal_report_release(struct ctg_heal_report *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}
