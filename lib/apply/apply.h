/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Apply: backend detection, rule snapshots, atomic loads and the guard state that makes a
 * rollback happen even when the process that started the apply dies. Touches the kernel
 * only through iptables-save / iptables-restore (one transaction per family).
 */
#ifndef CTG_APPLY_H
#define CTG_APPLY_H

#include <stdbool.h>
#include <stddef.h>

#include <ctguard/source.h>

#include "../core/exec.h"

/*
 * The backend is enum ctg_ipt_backend (ctguard/source.h: ctg_ipt_backend_detect, its one
 * name ctg_ipt_backend_name and its tools ctg_ipt_tool); CTG_IPT_UNKNOWN: the plain
 * iptables-save / iptables-restore.
 */

/* Rules of both families as iptables-save prints them (without counters). */
struct ctg_rules_snapshot {
	char *text[2]; /* [0] IPv4, [1] IPv6; NULL when that family could not be saved */
	size_t len[2];
};

/* Both families through the one live-rules capture (ctg_rules_capture), "#" lines dropped. */
int ctg_snapshot_take(enum ctg_ipt_backend b, struct ctg_rules_snapshot *s);
/* True when both snapshots hold the same rules (packet/byte counters ignored). */
bool ctg_snapshot_equal(const struct ctg_rules_snapshot *a, const struct ctg_rules_snapshot *b);
void ctg_snapshot_release(struct ctg_rules_snapshot *s);
/* Files "rules.v4" and "rules.v6" in dir (written to a temp name, fsync'd, renamed). */
int ctg_snapshot_write(const struct ctg_rules_snapshot *s, const char *dir);

/*
 * Loads text with <family>tables-restore (whole tables replaced atomically). With test,
 * only validates (--test). res receives the tool's output; the caller releases it.
 * Returns 0 when the tool succeeded, -EINVAL when it refused the input, -errno otherwise.
 */
int ctg_rules_restore(enum ctg_ipt_backend b, int family, const char *text, size_t len, bool test,
		      struct ctg_exec_result *res);

/*
 * Restores a snapshot exactly: tables the current ruleset has that the snapshot lacks are
 * emptied (nft backend: deleted), then the snapshot is loaded. Both families.
 */
int ctg_snapshot_restore(enum ctg_ipt_backend b, const struct ctg_rules_snapshot *s,
			 struct ctg_exec_result *res);

/* Maps "line N failed" in iptables-restore's stderr to N, or 0. */
unsigned ctg_restore_error_line(const char *err);

#endif
