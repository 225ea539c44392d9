/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The apply session: the workflow of `ctguard apply` as library steps, each returning
 * structured results (the CLI renders them; the guard daemon and nft apply reuse them).
 *
 *	struct ctg_apply a;
 *	ctg_apply_init(&a, &opts);
 *	ctg_apply_backend(&a);      // resolve auto (iptables -V)
 *	ctg_apply_validate(&a);     // parse + <family>tables-restore --test; nothing changes
 *	ctg_apply_check(&a);        // snapshot S1 of the current rules + check --method atomic
 *	ctg_apply_decide(&a, &d);   // refuse cuts, or --fix (merged, re-validated), or --force
 *	ctg_guard_start(dir, &a.snap, a.backend, timeout);   // guard.h: holds S1
 *	ctg_apply_load(&a);         // snapshot S2 just before: S2 != S1 -> -ESTALE, nothing
 *	                            // loaded (rules added by another program are never lost)
 *	ctg_apply_audit_loaded(&a); // the audit `ctguard audit` runs, on the new rules
 *	ctg_apply_heal(&a);         // the heal `ctguard heal` runs, on that audit
 *	ctg_guard_wait / ctg_guard_confirm / ctg_guard_rollback;  or ctg_apply_restore (no guard)
 *	ctg_apply_release(&a);
 *
 * Errors: 0 or -errno; a->failed names what could not be read or run.
 */
#ifndef CTG_APPLY_SESSION_H
#define CTG_APPLY_SESSION_H

#include <stdbool.h>

#include "../analysis/fix.h"
#include "../analysis/impact.h"
#include "apply.h"
#include "audit_heal.h"

/*
 * @rules_path: candidates ([0] IPv4, [1] IPv6; NULL = that family untouched).
 * @backend: CTG_IPT_UNKNOWN = auto.
 * @proc_root: as ctg_inputs (NULL = /proc).
 */
struct ctg_apply_opts {
	const char *rules_path[2];
	enum ctg_ipt_backend backend;
	bool fix, force;
	const char *proc_root;
};

/* A candidate the kernel side (<family>tables-restore) refused. */
struct ctg_apply_reject {
	bool set;
	unsigned line; /* of the candidate text, 0 when the tool named none */
	char *err;     /* the tool's stderr */
};

enum ctg_apply_decision {
	CTG_APPLY_GO,		   /* nothing cut or at risk */
	CTG_APPLY_GO_FIXED,	   /* --fix rules merged: nothing cut any more */
	CTG_APPLY_GO_FORCED,	   /* --force: cuts accepted */
	CTG_APPLY_REFUSE_CUTS,	   /* cuts, no --fix or --force */
	CTG_APPLY_REFUSE_UNFIXABLE /* --fix cannot keep every connection */
};

/*
 * Results, filled step by step:
 * validate: @text/@rs (candidates), @diags, @reject[i] (--test refusals).
 * check: @snap (S1, the rules now), @cur (parsed), @cur_imprecise[i] (the current
 *   rules did not fully parse), @check_in (live inputs), @iconns/@res (per connection),
 *   @bad (cut, at risk or NAT lost under the atomic method).
 * decide: @fx (the fix rules), @fix_rules merged.
 * load: @reject[i] when the load itself failed.
 * audit_loaded/heal: @post_in (live inputs after the load), @audit, @heal.
 */
struct ctg_apply {
	struct ctg_apply_opts o;
	enum ctg_ipt_backend backend;
	const char *rules_path[2];
	char *text[2];
	size_t len[2];
	struct ctg_ruleset *rs[2], *cur[2], *rs_orig[2];
	struct ctg_diags *diags;
	struct ctg_apply_reject reject[2];
	const char *failed;
	bool cur_imprecise[2];
	struct ctg_rules_snapshot snap;
	struct ctg_inputs check_in;
	struct ctg_conn_table conns;
	struct ctg_impact_conn *iconns;
	struct ctg_impact_local *ilocal;
	struct ctg_impact_input ii;
	struct ctg_impact res, after;
	size_t bad;
	struct ctg_fix fx;
	size_t fix_rules;
	struct ctg_inputs post_in;
	struct ctg_audit_report audit;
	struct ctg_heal_report heal;
};

void ctg_apply_init(struct ctg_apply *a, const struct ctg_apply_opts *o);
void ctg_apply_release(struct ctg_apply *a);

/* Resolves auto: `iptables -V` (legacy when it names neither). -ENOENT: no iptables. */
int ctg_apply_backend(struct ctg_apply *a);

/*
 * Reads and parses the candidates, then <family>tables-restore --test.
 * 0; -EINVAL: parse errors (a->diags); -EBADMSG: refused by --test (a->reject);
 * -errno: a file or the tool (a->failed).
 */
int ctg_apply_validate(struct ctg_apply *a);

/*
 * Snapshot S1 of the current rules (both families), parsed, and check --method atomic of
 * the live connections against the candidates. 0 or -errno (a->failed).
 */
int ctg_apply_check(struct ctg_apply *a);

/* Whether a connection's verdict counts as cut (cut, at risk, NAT lost). */
bool ctg_apply_is_bad(const struct ctg_impact_verdict *v);

/*
 * Applies the policy: refuse cuts unless opts.fix (build, verify and merge the fix rules
 * into the candidates, re-validated with --test) or opts.force.
 * 0 with *d set; -EBADMSG: the fixed ruleset does not load (a->reject); -errno.
 */
int ctg_apply_decide(struct ctg_apply *a, enum ctg_apply_decision *d);

/*
 * Takes snapshot S2 of the current rules; when it differs from S1 (another program
 * changed the rules since the check) returns -ESTALE and loads nothing. Else loads each
 * candidate family atomically (one restore transaction each).
 * 0; -ESTALE; -EBADMSG (a->reject: the tool refused); -errno (a->failed).
 * After an error of the load itself, part of it may be in: restore (guard or
 * ctg_apply_restore).
 */
int ctg_apply_load(struct ctg_apply *a);

/* Restores S1 exactly (no guard: --yes). 0 or -errno. */
int ctg_apply_restore(struct ctg_apply *a);

/*
 * The audit of `ctguard audit` on the live state with the loaded rules (interface
 * addresses, sysctl model and all). Results in a->audit. 0 or -errno (a->failed).
 */
int ctg_apply_audit_loaded(struct ctg_apply *a);

/* The heal of `ctguard heal` on a->audit (live-socket check and all). 0 or -errno. */
int ctg_apply_heal(struct ctg_apply *a);

/* The rules in effect after the load for family i (candidate or current). */
const struct ctg_ruleset *ctg_apply_rules(const struct ctg_apply *a, int i);

#endif
