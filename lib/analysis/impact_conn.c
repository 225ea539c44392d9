// SPDX-License-Identifier: GPL-2.0-or-later
/* Rows of the sockets x conntrack join as impact connections. */
#include <string.h>

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
