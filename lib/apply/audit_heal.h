/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The audit and heal workflows on assembled inputs (source/inputs.h): what `ctguard
 * audit`, `ctguard heal`, the demo, the apply session and the watch daemon all run, so
 * every caller gets the same inputs (interface addresses, the sysctl model) and the same
 * safety rules:
 *  - heal inserts only for a certain NO_ENTRY orphan that has a local socket, and only
 *    after a fresh sock_diag dump shows that exact connection still ESTABLISHED;
 *  - inserts use NLM_F_EXCL: an existing entry is never touched;
 *  - NAT-lost and entry-dropped orphans are reported, never "healed" by a plain entry.
 */
#ifndef CTG_APPLY_AUDIT_HEAL_H
#define CTG_APPLY_AUDIT_HEAL_H

#include <stdbool.h>

#include "../analysis/audit.h"
#include "../source/inputs.h"

/*
 * Fills ai from loaded inputs (CTG_IN_CT | CTG_IN_SOCKS | CTG_IN_SYSCTLS | CTG_IN_LOCALS,
 * and the rules): rulesets, tables, local and interface addresses when live, the
 * sysctl model and its port range. rs4/rs6 replace the inputs' rulesets when not NULL.
 */
void ctg_audit_input_fill(const struct ctg_inputs *in, const struct ctg_ruleset *rs4,
			  const struct ctg_ruleset *rs6, struct ctg_audit_input *ai);

/* The inputs an audit needs besides the rules. */
#define CTG_IN_AUDIT (CTG_IN_CT | CTG_IN_SOCKS | CTG_IN_SYSCTLS | CTG_IN_LOCALS | CTG_IN_ROUTES)

/* Loads CTG_IN_AUDIT (and the rules unless rs4/rs6 given) into in, then audits. */
int ctg_audit_inputs_run(struct ctg_inputs *in, const struct ctg_ruleset *rs4,
			 const struct ctg_ruleset *rs6, struct ctg_audit_report *rep);

enum ctg_heal_status {
	CTG_HEAL_NOT_HEALABLE, /* NAT_LOST or ENTRY_DROPPED: a plain entry cannot help */
	CTG_HEAL_UNCERTAIN,    /* the orphan is only possible: left alone */
	CTG_HEAL_NO_SOCKET,    /* no entry can be built (socket not ESTABLISHED, no port) */
	CTG_HEAL_PLANNED,      /* dry run: would be inserted */
	CTG_HEAL_INSERTED,
	CTG_HEAL_REFUSED, /* no live ESTABLISHED local socket for it any more */
	CTG_HEAL_FAILED,  /* the insert failed (@err; -EEXIST: an entry exists already) */
};

/* One orphan of the audit and what heal did with it. @entry valid from PLANNED on. */
struct ctg_heal_item {
	const struct ctg_audit_item *it;
	enum ctg_heal_status status;
	int err;
	struct ctg_ct_entry entry;
};

/*
 * @peer: only connections with this peer (family 0: all); @peer_port 0: any port.
 * @dry_run: plan only, touch nothing.
 */
struct ctg_heal_opts {
	bool dry_run;
	uint8_t peer_family;
	struct ctg_addr peer;
	uint16_t peer_port;
};

struct ctg_heal_report {
	struct ctg_heal_item *v;
	size_t n;
	size_t planned, inserted, refused, failed, skipped;
};

/*
 * Heals the orphans of rep (see the rules above). Timeouts from the sysctl model
 * (established / UDP stream). Returns 0 (per-item results in out, release with
 * ctg_heal_report_release), -ENOMEM, or the error of the sock_diag dump.
 */
int ctg_heal_run(const struct ctg_audit_report *rep, const struct ctg_sysctls *sc,
		 const struct ctg_heal_opts *o, struct ctg_heal_report *out);
void ctg_heal_report_release(struct ctg_heal_report *r);

#endif
