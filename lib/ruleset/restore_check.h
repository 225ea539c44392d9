/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the installed iptables-restore (1.8.9, Debian 12; nft and legacy variants read
 * lines the same way) refuses although ctguard's parser could read it: the line-level
 * rules of xtables_restore_parse_line / add_param_to_argv. Verified one by one with
 * `iptables-restore --test` (tests/kernel/ruleset/restore-agree.sh).
 */
#ifndef CTG_RULESET_RESTORE_CHECK_H
#define CTG_RULESET_RESTORE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include <ctguard/diag.h>

/*
 * Adds one diagnostic per refused construct (codes "restore-*"): warnings, or errors
 * when strict. Bounded: at most 100 per input. 0 or -ENOMEM.
 */
int ctg_restore_check(const char *text, size_t len, const char *src, bool strict,
		      struct ctg_diags *d);

#endif
