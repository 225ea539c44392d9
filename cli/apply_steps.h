/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The steps of `ctguard apply`, each printing what it does; see cmd_apply.c. */
#ifndef CTG_APPLY_STEPS_H
#define CTG_APPLY_STEPS_H

#include <stdbool.h>

#include <ctguard/ct.h>
#include <ctguard/ruleset.h>

#include "apply/apply.h"

struct apply_state {
	enum ctg_ipt_backend backend;
	const char *rules_path[2];  /* [0] v4, [1] v6; NULL = family untouched */
	struct ctg_ruleset *rs[2];  /* parsed candidates (with the fix rules, if any) */
	struct ctg_ruleset *cur[2]; /* the current rules, parsed from the snapshot */
	char *text[2];		    /* exact text to load (candidate + fix rules) */
	size_t len[2];
	struct ctg_rules_snapshot snap;
	struct ctg_ct_table ct_before; /* conntrack snapshot */
	bool have_ct;
	size_t fix_rules;	    /* rules merged by --fix */
	size_t at_risk;		    /* connections check found cut / at risk */
	size_t healed, heal_failed; /* entries re-inserted after the load */
	size_t orphans;		    /* audit after the load */
};

/* Each returns 0 to go on, else the exit code. */
int apply_validate(struct apply_state *st);
/* Parses the snapshot (current rules) for check; call after ctg_snapshot_take. */
int apply_parse_current(struct apply_state *st);
int apply_check(struct apply_state *st, bool fix, bool force);
void apply_snapshot_ct(struct apply_state *st);
int apply_load(struct apply_state *st);
void apply_heal(struct apply_state *st);
void apply_audit(struct apply_state *st);
void apply_state_release(struct apply_state *st);

#endif
