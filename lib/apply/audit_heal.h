/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The audit and heal workflows on assembled inputs (source/inputs.h): what `ctguard
 * audit`, `ctguard heal`, the demo, the apply session and the watch daemon all run, so
 * every caller gets the same inputs (interface addresses, sysctls) and the same safety
 * rules.
 */
#ifndef CTG_APPLY_AUDIT_HEAL_H
#define CTG_APPLY_AUDIT_HEAL_H

#include "../analysis/audit.h"
#include "../source/inputs.h"

/*
 * Fills ai from loaded inputs (CTG_IN_CT | CTG_IN_SOCKS | CTG_IN_SYSCTLS | CTG_IN_LOCALS,
 * and the rules): rulesets, tables, local and interface addresses when live, the
 * sysctl model and its port range. rs4/rs6 replace the inputs' rulesets when not NULL.
 */
void ctg_audit_input_fill(const struct ctg_inputs *in, const struct ctg_ruleset *rs4,
			  const struct ctg_ruleset *rs6, struct ctg_audit_input *ai);

#endif
