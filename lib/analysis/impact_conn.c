// SPDX-License-Identifier: GPL-2.0-or-later
/* Rows of the sockets x conntrack join as impact connections. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ctguard/conns.h>
#include <ctguard/source.h>

#include "impact.h"

void ctg_impact_conn_from_conn(const struct ctg_conn *c, struct ctg_impact_conn *ic)
{
	memset(ic, 0, sizeof(*ic));
	ic->family = c->family;
	ic->l4proto = c->l4proto;
	ic->role = c->role;
	ic->ct_dir_reply = c->ct_dir_reply;
	ic->laddr = c->laddr;
	ic->paddr = c->paddr;
	ic->lport = c->lport;
	ic->pport = c->pport;
	ic->sock = c->sock;
	ic->ct = c->ct;
	ic->service = c->service;
	if (!ic->service)
		ic->service = ctg_service_name(c->l4proto,
					       c->role == CTG_ROLE_SERVER ? c->lport : c->pport);
}

int ctg_impact_conns_build(const struct ctg_sock_table *socks, const struct ctg_ct_table *cts,
			   const struct ctg_addr_set *locals, uint16_t port_lo, uint16_t port_hi,
			   struct ctg_conn_table *conns, struct ctg_impact_conn **iconns,
			   struct ctg_impact_local **ilocal)
{
	if (ctg_conns_join(socks, cts, locals->n ? locals : NULL, port_lo, port_hi, conns))
		return -ENOMEM;
	*iconns = calloc(conns->n + 1, sizeof(**iconns));
	*ilocal = calloc(locals->n + 1, sizeof(**ilocal));
	if (!*iconns || !*ilocal)
		return -ENOMEM;
	for (size_t i = 0; i < conns->n; i++)
		ctg_impact_conn_from_conn(&conns->v[i], &(*iconns)[i]);
	for (size_t i = 0; i < locals->n; i++) {
		(*ilocal)[i].family = locals->v[i].family;
		(*ilocal)[i].addr = locals->v[i].a;
	}
	return 0;
}
