// SPDX-License-Identifier: GPL-2.0-or-later
/* The apply session (see session.h). */
#include "session.h"

#include "../analysis/candidate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fileio.h"

static enum ctg_family fam(int i)
{
	return i ? CTG_FAMILY_IPV6 : CTG_FAMILY_IPV4;
}

void ctg_apply_init(struct ctg_apply *a, const struct ctg_apply_opts *o)
{
	memset(a, 0, sizeof(*a));
	a->o = *o;
	a->backend = o->backend;
	a->rules_path[0] = o->rules_path[0];
	a->rules_path[1] = o->rules_path[1];
	ctg_inputs_init(&a->check_in);
	ctg_inputs_init(&a->post_in);
	a->check_in.proc_root = a->post_in.proc_root = o->proc_root;
	ctg_conn_table_init(&a->conns);
}

static void reject_release(struct ctg_apply_reject *r)
{
	free(r->err);
	memset(r, 0, sizeof(*r));
}

void ctg_apply_release(struct ctg_apply *a)
{
	for (int i = 0; i < 2; i++) {
		ctg_ruleset_free(a->rs[i]);
		ctg_ruleset_free(a->rs_orig[i]);
		ctg_ruleset_free(a->cur[i]);
		free(a->text[i]);
		reject_release(&a->reject[i]);
	}
	ctg_diags_free(a->diags);
	ctg_snapshot_release(&a->snap);
	ctg_fix_release(&a->fx);
	ctg_impact_release(&a->after);
	ctg_impact_release(&a->res);
	free(a->iconns);
	free(a->ilocal);
	ctg_conn_table_release(&a->conns);
	ctg_inputs_release(&a->check_in);
	ctg_inputs_release(&a->post_in);
	ctg_audit_report_release(&a->audit);
	ctg_heal_report_release(&a->heal);
	memset(a, 0, sizeof(*a));
}

static int fail(struct ctg_apply *a, const char *what, int ret)
{
	a->failed = what;
	return ret;
}

int ctg_apply_backend(struct ctg_apply *a)
{
	int ret;

	if (a->backend != CTG_IPT_UNKNOWN)
		return 0;
	ret = ctg_ipt_backend_detect(CTG_FAMILY_IPV4, &a->backend);
	if (ret)
		return fail(a, "iptables -V", ret);
	if (a->backend == CTG_IPT_UNKNOWN) /* neither marker: an old, legacy-only iptables */
		a->backend = CTG_IPT_LEGACY;
	return 0;
}

/* <family>tables-restore [--test] of text; a refusal goes to a->reject[i]. */
static int restore_text(struct ctg_apply *a, int i, const char *text, size_t len, bool test)
{
	struct ctg_exec_result r;
	int ret = ctg_rules_restore(a->backend, fam(i), text, len, test, &r);

	if (ret == -EINVAL) {
		reject_release(&a->reject[i]);
		a->reject[i].set = true;
		a->reject[i].line = ctg_restore_error_line(r.err);
		a->reject[i].err = r.err;
		r.err = NULL;
		ret = -EBADMSG;
	} else if (ret) {
		a->failed = ctg_ipt_tool(a->backend, fam(i), true);
	}
	ctg_exec_result_release(&r);
	return ret;
}

int ctg_apply_validate(struct ctg_apply *a)
{
	int ret = 0;

	if (!a->diags && !(a->diags = ctg_diags_new()))
		return -ENOMEM;
	for (int i = 0; i < 2; i++) {
		if (!a->rules_path[i])
			continue;
		ret = ctg_file_read(a->rules_path[i], &a->text[i], &a->len[i]);
		if (ret)
			return fail(a, a->rules_path[i], ret);
		a->rs[i] = ctg_ruleset_parse(a->text[i], a->len[i], a->rules_path[i], fam(i),
					     a->diags);
		if (!a->rs[i])
			return fail(a, a->rules_path[i], -errno);
		if (!ctg_candidate_tables(a->rs[i])) { /* restore would change nothing */
			struct ctg_loc loc = {.src = a->rules_path[i]};

			if (ctg_diags_add(a->diags, a->o.force ? CTG_SEV_WARNING : CTG_SEV_ERROR,
					  "empty-candidate", &loc, NULL,
					  a->o.force ? NULL : "--force applies it anyway",
					  "the candidate names no table: nothing to apply") < 0)
				return -ENOMEM;
		}
	}
	if (ctg_diags_errors(a->diags))
		return -EINVAL;
	for (int i = 0; i < 2; i++) {
		int r;

		if (!a->rules_path[i])
			continue;
		r = restore_text(a, i, a->text[i], a->len[i], true);
		if (r && r != -EBADMSG)
			return r;
		if (r)
			ret = r;
	}
	return ret;
}

static int parse_current(struct ctg_apply *a)
{
	for (int i = 0; i < 2; i++) {
		struct ctg_diags *d;

		if (!a->snap.text[i])
			continue;
		d = ctg_diags_new();
		if (!d)
			return -ENOMEM;
		a->cur[i] = ctg_ruleset_parse(a->snap.text[i], a->snap.len[i],
					      i ? "ip6tables-save" : "iptables-save", fam(i), d);
		a->cur_imprecise[i] = ctg_diags_errors(d) > 0;
		ctg_diags_free(d);
		if (!a->cur[i])
			return -ENOMEM;
	}
	return 0;
}

const struct ctg_ruleset *ctg_apply_rules(const struct ctg_apply *a, int i)
{
	return a->rules_path[i] ? a->rs[i] : a->cur[i];
}

static int run_impact(struct ctg_apply *a)
{
	struct ctg_inputs *in = &a->check_in;

	if (ctg_impact_conns_build(&in->socks, &in->ct, &in->locals, in->sysctls.port_lo,
				   in->sysctls.port_hi, &a->conns, &a->iconns, &a->ilocal))
		return -ENOMEM;
	a->ii.cur4 = a->cur[0];
	a->ii.cur6 = a->cur[1];
	a->ii.cand4 = ctg_apply_rules(a, 0);
	a->ii.cand6 = ctg_apply_rules(a, 1);
	a->ii.conns = a->iconns;
	a->ii.nconns = a->conns.n;
	a->ii.local = a->ilocal;
	a->ii.nlocal = in->locals.n;
	a->ii.cts = &in->ct;
	a->ii.port_lo = in->sysctls.port_lo;
	a->ii.port_hi = in->sysctls.port_hi;
	/* the one sysctl model, read as check reads it */
	a->ii.tcp_loose = in->sysctls.tcp_loose;
	a->ii.tcp_be_liberal = in->sysctls.tcp_be_liberal;
	a->ii.methods = 1u << CTG_IMPACT_ATOMIC;
	a->ii.routes = in->routes;
	return ctg_impact_run(&a->ii, &a->res) ? -ENOMEM : 0;
}

bool ctg_apply_is_bad(const struct ctg_impact_verdict *v)
{
	return v->outcome == CTG_OUT_CUT || v->outcome == CTG_OUT_AT_RISK ||
	       v->outcome == CTG_OUT_NAT_LOST;
}

int ctg_apply_check(struct ctg_apply *a)
{
	int ret = ctg_snapshot_take(a->backend, &a->snap);

	if (ret)
		return fail(a, ctg_ipt_tool(a->backend, CTG_FAMILY_IPV4, false), ret);
	ret = parse_current(a);
	if (!ret) {
		ret = ctg_inputs_load(&a->check_in, CTG_IN_AUDIT);
		if (ret)
			a->failed = a->check_in.failed;
	}
	if (!ret)
		ret = run_impact(a);
	if (ret)
		return ret;
	a->bad = 0;
	for (size_t i = 0; i < a->res.n; i++)
		a->bad += ctg_apply_is_bad(ctg_impact_get(&a->res, i, CTG_IMPACT_ATOMIC));
	return 0;
}

/* Replaces the candidate of each fixed family by the fixed ruleset, checked with --test. */
static int merge_fix(struct ctg_apply *a)
{
	struct ctg_ruleset **fixed[2] = {&a->fx.fixed4, &a->fx.fixed6};

	for (int i = 0; i < 2; i++) {
		char *text;
		int ret;

		if (!*fixed[i])
			continue;
		text = ctg_ruleset_emit(*fixed[i], 0);
		if (!text)
			return -ENOMEM;
		ret = restore_text(a, i, text, strlen(text), true);
		if (ret) {
			free(text);
			return ret;
		}
		if (!a->rules_path[i]) /* fix rules for a family the candidate leaves alone */
			a->rules_path[i] = i ? "current IPv6 rules" : "current IPv4 rules";
		free(a->text[i]);
		a->text[i] = text;
		a->len[i] = strlen(text);
		/* the fix rules' names point into the candidate: it lives until release */
		a->rs_orig[i] = a->rs[i];
		a->rs[i] = *fixed[i];
		*fixed[i] = NULL;
	}
	return 0;
}

int ctg_apply_decide(struct ctg_apply *a, enum ctg_apply_decision *d)
{
	int ret;

	*d = CTG_APPLY_GO;
	if (!a->bad)
		return 0;
	if (!a->o.fix) {
		*d = a->o.force ? CTG_APPLY_GO_FORCED : CTG_APPLY_REFUSE_CUTS;
		return 0;
	}
	if (ctg_fix_build(&a->ii, &a->res, &a->fx) ||
	    ctg_fix_verify(&a->ii, &a->res, &a->fx, &a->after))
		return -ENOMEM;
	if ((a->fx.remaining || a->fx.unfixable || !a->fx.n) && !a->o.force) {
		*d = CTG_APPLY_REFUSE_UNFIXABLE;
		return 0;
	}
	ret = merge_fix(a);
	if (ret)
		return ret;
	a->fix_rules = a->fx.n;
	*d = a->fx.remaining || a->fx.unfixable ? CTG_APPLY_GO_FORCED : CTG_APPLY_GO_FIXED;
	return 0;
}

int ctg_apply_load(struct ctg_apply *a)
{
	struct ctg_rules_snapshot now;
	int ret = ctg_snapshot_take(a->backend, &now);

	if (ret)
		return fail(a, ctg_ipt_tool(a->backend, CTG_FAMILY_IPV4, false), ret);
	ret = ctg_snapshot_equal(&now, &a->snap) ? 0 : -ESTALE;
	ctg_snapshot_release(&now);
	for (int i = 0; !ret && i < 2; i++)
		if (a->rules_path[i])
			ret = restore_text(a, i, a->text[i], a->len[i], false);
	return ret;
}

int ctg_apply_restore(struct ctg_apply *a)
{
	struct ctg_exec_result r;
	int ret = ctg_snapshot_restore(a->backend, &a->snap, &r);

	ctg_exec_result_release(&r);
	return ret;
}

int ctg_apply_audit_loaded(struct ctg_apply *a)
{
	int ret;

	ctg_audit_report_release(&a->audit);
	ctg_heal_report_release(&a->heal); /* its items point into the old audit */
	ctg_inputs_release(&a->post_in);   /* a fresh read of the live state each time */
	ctg_inputs_init(&a->post_in);
	a->post_in.proc_root = a->o.proc_root;
	ret = ctg_audit_inputs_run(&a->post_in, ctg_apply_rules(a, 0), ctg_apply_rules(a, 1),
				   &a->audit);
	if (ret && a->post_in.failed)
		a->failed = a->post_in.failed;
	return ret;
}

int ctg_apply_heal(struct ctg_apply *a)
{
	struct ctg_heal_opts o = {0};

	ctg_heal_report_release(&a->heal);
	return ctg_heal_run(&a->audit, &a->post_in.sysctls, &o, &a->heal);
}
