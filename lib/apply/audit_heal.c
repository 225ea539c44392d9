// SPDX-License-Identifier: GPL-2.0-or-later
/* The audit and heal workflows on assembled inputs (see audit_heal.h). */
#include "audit_heal.h"

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
}
