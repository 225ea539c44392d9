/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writing to the kernel's conntrack table for heal (ctnetlink; the plan is analysis/heal.h). */
#ifndef CTG_APPLY_HEAL_NL_H
#define CTG_APPLY_HEAL_NL_H

#include <ctguard/ct.h>

/*
 * Inserts e into the conntrack table of the caller's network namespace over ctnetlink
 * (IPCTNL_MSG_CT_NEW, NLM_F_CREATE|NLM_F_EXCL). Returns 0, -EEXIST when an entry with that
 * tuple already exists, -EPERM without CAP_NET_ADMIN, or another -errno.
 */
int ctg_heal_nl_insert(const struct ctg_ct_entry *e);

/*
 * Looks e's original tuple up in the kernel table (IPCTNL_MSG_CT_GET).
 * Returns 1 when present, 0 when absent (ENOENT), or -errno.
 */
int ctg_heal_nl_exists(const struct ctg_ct_entry *e);

#endif
