/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `ctguard check --fix`: the smallest set of rules that keeps every cut or at-risk
 * connection of a reload alive. One ACCEPT rule per group of connections sharing
 * (dropped direction, chain, peer address, peer port or local service port, protocol),
 * inserted before the dropping rule (or appended before the dropping policy), as tight as
 * the connections allow: peer address, protocol, ports (client roles: the destination port
 * range is ip_local_port_range), and for TCP not SYN, so no new connection is opened by it.
 * Verified by re-running the analysis with the rules added to the ruleset.
 */
#ifndef CTG_FIX_H
#define CTG_FIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "impact.h"

/*
 * @spec: rule text after "-I CHAIN POS " ("-s 10.0.0.1/32 -p tcp -m tcp --sport 3306 ...").
 * @pos: 1-based position (the dropping rule's), 0 = append (the drop was the policy).
 * @nconns: connections the rule saves; @first: index of one of them.
 */
struct ctg_fix_rule {
	uint8_t family;
	uint8_t table;
	const char *chain;
	uint32_t pos;
	char *spec;
	size_t nconns;
	size_t first;
	uint64_t hash; /* internal */
};

/*
 * @method: the method whose cut/at-risk connections the rules save (restart when
 *   selected, else atomic, else flush: that method's ruleset is the one fixed).
 * @fixed4/@fixed6: the fixed rulesets (NULL when unchanged), for verification.
 * @remaining: cut/at-risk connections still not safe with the fix (0 = verified);
 * @changed: other connections whose verdict changed under any selected method.
 * @unfixable: cut/at-risk connections no rule can save here (no stop rule known).
 */
struct ctg_fix {
	struct ctg_fix_rule *v;
	size_t n, cap;
	enum ctg_impact_method method;
	struct ctg_ruleset *fixed4, *fixed6;
	size_t remaining, changed, unfixable;
	bool verified;
	uint32_t *htab; /* internal: rule lookup */
	size_t hcap;
};

/* Builds the rules from res (the analysis of in). Returns 0, -ENOMEM. */
int ctg_fix_build(const struct ctg_impact_input *in, const struct ctg_impact *res,
		  struct ctg_fix *fx);
/*
 * Adds the rules to the fixed method's rulesets, re-runs the analysis into *after, and
 * fills fx->remaining/changed/verified. Further rounds add rules for connections still
 * dropped by another rule (at most 4). Returns 0, -ENOMEM, -EINVAL (fixed ruleset does not
 * parse: a bug).
 */
int ctg_fix_verify(const struct ctg_impact_input *in, const struct ctg_impact *res,
		   struct ctg_fix *fx, struct ctg_impact *after);
/*
 * The rules of one family as an iptables-restore fragment (`iptables-restore --noflush`),
 * "*table" / "-I CHAIN POS spec" / "COMMIT" per table, positions valid in order.
 * NULL when there are none of that family or on ENOMEM (errno tells).
 */
char *ctg_fix_restore_text(const struct ctg_fix *fx, uint8_t family);
void ctg_fix_release(struct ctg_fix *fx);

#endif
