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
 * The backend is enum ctg_ipt_backend (ctguard/source.h, ctg_ipt_backend_detect);
 * CTG_IPT_UNKNOWN means "auto": the plain iptables-save / iptables-restore.
 */
/* --backend spelling: "nft", "legacy", "auto". */
const char *ctg_backend_name(enum ctg_ipt_backend b);
/* "iptables-nft-save", "ip6tables-legacy-restore", ... */
const char *ctg_backend_tool(enum ctg_ipt_backend b, int family, bool restore);

/* Rules of both families as iptables-save prints them (without counters). */
struct ctg_rules_snapshot {
	char *text[2]; /* [0] IPv4, [1] IPv6; NULL when that family could not be saved */
	size_t len[2];
};

int ctg_snapshot_take(enum ctg_ipt_backend b, struct ctg_rules_snapshot *s);
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
