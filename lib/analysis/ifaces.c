// SPDX-License-Identifier: GPL-2.0-or-later
/* Interfaces of a connection's packets from routing (ifaces.h). */
#include "ifaces.h"

static void set_if(const char **f, bool *unknown, const char *name)
{
	*f = name;
	*unknown = name == NULL;
}

/* The output interface of l as the host routes it now (an ESTABLISHED packet). */
static const char *probe_oif(const struct ctg_ruleset *rs, const struct ctg_eval_env *env,
			     enum ctg_eval_path lpath, const struct ctg_pkt *l)
{
	struct ctg_eval_result res;
	struct ctg_pkt q = *l;

	if (!rs)
		return NULL;
	q.ctstate = CTG_CTS_ESTABLISHED;
	q.ct = NULL;
	if (ctg_eval_packet(rs, lpath, &q, env, NULL, &res) < 0 || res.oif_unknown)
		return NULL;
	return res.oif;
}

void ctg_ifaces_fill(const struct ctg_ruleset *rs, const struct ctg_eval_env *env, bool loopback,
		     enum ctg_eval_path lpath, struct ctg_pkt *l, enum ctg_eval_path ppath,
		     struct ctg_pkt *p)
{
	const char *back;

	l->route_iif = l->route_oif = p->route_iif = p->route_oif = false;
	if (loopback && lpath != CTG_PATH_FORWARD) {
		set_if(&l->oif, &l->oif_unknown, "lo");
		set_if(&p->iif, &p->iif_unknown, "lo");
		return;
	}
	set_if(&l->iif, &l->iif_unknown, NULL);
	set_if(&l->oif, &l->oif_unknown, NULL);
	set_if(&p->iif, &p->iif_unknown, NULL);
	set_if(&p->oif, &p->oif_unknown, NULL);
	/* the peer is not on this host (else loopback): its packets never use lo */
	l->if_not_lo = p->if_not_lo = !loopback;
	if (!env->route)
		return;
	l->route_oif = true;
	l->route_iif = lpath == CTG_PATH_FORWARD;
	p->route_oif = ppath == CTG_PATH_FORWARD;
	back = probe_oif(rs, env, lpath, l);
	if (back)
		set_if(&p->iif, &p->iif_unknown, back);
	else
		p->route_iif = true;
}
