/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A candidate ruleset as iptables-restore would leave the kernel: restore replaces only
 * the tables the file names (*filter ... COMMIT); every other table keeps its current
 * rules. So the candidate the analysis must see is the file's tables plus the current
 * ruleset's tables the file does not mention.
 */
#ifndef CTG_ANALYSIS_CANDIDATE_H
#define CTG_ANALYSIS_CANDIDATE_H

#include <ctguard/diag.h>
#include <ctguard/ruleset.h>

/* Number of tables cand names (0: an empty or table-less file). */
unsigned ctg_candidate_tables(const struct ctg_ruleset *cand);

/*
 * *out = cand completed with cur's tables that cand does not name (their text after
 * cand's, after a comment line), or NULL when cand names every table cur has (then use
 * cand itself); *kept = bitmask of the tables taken from cur. Rule line numbers of the
 * kept tables point past the end of the candidate file. 0 or -errno.
 */
int ctg_candidate_complete(const struct ctg_ruleset *cand, const struct ctg_ruleset *cur,
			   struct ctg_ruleset **out, unsigned *kept);

#endif
