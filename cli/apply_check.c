// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Step 2 of apply: `check --method atomic` on the live connections (library call), and
 * --fix: the candidate with the fix rules merged in, re-validated with --test.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctguard/source.h>

#include "analysis/fix.h"
#include "analysis/impact.h"
#include "apply_steps.h"
#include "cli.h"
#include "common/inputs.h"
#include "ruleset/ir.h"

struct check_run {
	struct ctg_inputs in;
	struct ctg_conn_table conns;
	struct ctg_impact_conn *iconns;
	struct ctg_impact_local *ilocal;
	struct ctg_impact_input ii;
	struct ctg_impact res, after;
	struct ctg_fix fx;
};

static int build_conns(struct check_run *c)
{
	uint16_t lo = c->in.sysctls.port_lo, hi = c->in.sysctls.port_hi;

	if (ctg_impact_conns_build(&c->in.socks, &c->in.ct, &c->in.locals, lo, hi, &c->conns,
				   &c->iconns, &c->ilocal))
		return -ENOMEM;
	c->ii.conns = c->iconns;
	c->ii.nconns = c->conns.n;
	c->ii.local = c->ilocal;
	c->ii.nlocal = c->in.locals.n;
	c->ii.cts = &c->in.ct;
	c->ii.port_lo = lo;
	c->ii.port_hi = hi;
	c->ii.tcp_loose = c->in.sysctls.tcp_loose;
	c->ii.tcp_be_liberal = c->in.sysctls.tcp_be_liberal;
	c->ii.methods = 1u << CTG_IMPACT_ATOMIC;
	return 0;
}

static size_t count_bad(const struct ctg_impact *r)
{
	const size_t *n = r->count[CTG_IMPACT_ATOMIC];

	return n[CTG_OUT_CUT] + n[CTG_OUT_AT_RISK] + n[CTG_OUT_NAT_LOST];
}

static void print_bad(const struct check_run *c)
{
	for (size_t i = 0; i < c->res.n; i++) {
		const struct ctg_impact_verdict *v = ctg_impact_get(&c->res, i, CTG_IMPACT_ATOMIC);
		const struct ctg_impact_conn *ic = &c->iconns[i];
		char l[CTG_ADDRSTRLEN], p[CTG_ADDRSTRLEN];

		if (v->outcome != CTG_OUT_CUT && v->outcome != CTG_OUT_AT_RISK &&
		    v->outcome != CTG_OUT_NAT_LOST)
			continue;
		ctg_addr_format(ic->family, &ic->laddr, l, sizeof(l));
		ctg_addr_format(ic->family, &ic->paddr, p, sizeof(p));
		printf("  %s %s %s:%u -> %s:%u%s%s%s: %s", ctg_impact_outcome_name(v->outcome),
		       ic->l4proto == 6	   ? "tcp"
		       : ic->l4proto == 17 ? "udp"
					   : "ip",
		       l, ic->lport, p, ic->pport, ic->service ? " (" : "",
		       ic->service ? ic->service : "", ic->service ? ")" : "",
		       v->stop_from_peer ? "the peer's next packet" : "the next local packet");
		if (v->has_stop && v->stop.rule)
			printf(" is dropped by %s %s rule %u (line %u)",
			       ctg_table_name(v->stop.table),
			       v->stop.chain_name ? v->stop.chain_name : "?", v->stop.rule,
			       v->stop.line);
		else if (v->has_stop)
			printf(" is dropped by the %s %s policy", ctg_table_name(v->stop.table),
			       v->stop.chain_name ? v->stop.chain_name : "?");
		printf("\n");
	}
}

/* Replaces the candidate of each fixed family by the fixed ruleset, checked with --test. */
static int merge_fix(struct apply_state *st, struct ctg_fix *fx)
{
	struct ctg_ruleset **fixed[2] = {&fx->fixed4, &fx->fixed6};

	for (int i = 0; i < 2; i++) {
		struct ctg_exec_result r;
		char *text;
		int rc;

		if (!*fixed[i])
			continue;
		if (!st->rules_path[i]) /* fix rules for a family the candidate leaves alone */
			st->rules_path[i] = i ? "current IPv6 rules" : "current IPv4 rules";
		text = ctg_ruleset_emit(*fixed[i], 0);
		if (!text)
			return CTG_EXIT_ENV;
		rc = ctg_rules_restore(st->backend, i ? 10 : 2, text, strlen(text), true, &r);
		if (rc) {
			fprintf(stderr, "ctguard apply: the fixed %s ruleset does not load: %s\n",
				i ? "IPv6" : "IPv4", rc == -EINVAL ? r.err : strerror(-rc));
			ctg_exec_result_release(&r);
			free(text);
			return CTG_EXIT_ENV;
		}
		ctg_exec_result_release(&r);
		free(st->text[i]);
		st->text[i] = text;
		st->len[i] = strlen(text);
		ctg_ruleset_free(st->rs[i]);
		st->rs[i] = *fixed[i];
		*fixed[i] = NULL;
	}
	return 0;
}

static void print_fix(const struct ctg_fix *fx)
{
	printf("ctguard apply: --fix: merging %zu rule%s into the candidate:\n", fx->n,
	       fx->n == 1 ? "" : "s");
	for (size_t i = 0; i < fx->n; i++)
		printf("  %s -t %s -I %s %u %s\n", fx->v[i].family == 10 ? "ip6tables" : "iptables",
		       ctg_table_name(fx->v[i].table), fx->v[i].chain, fx->v[i].pos, fx->v[i].spec);
}

/* Returns 0 (go on) or an exit code. */
static int decide(struct apply_state *st, struct check_run *c, bool fix, bool force)
{
	size_t bad = count_bad(&c->res);
	int rc;

	st->at_risk = bad;
	printf("ctguard apply: check --method atomic: %zu connection%s, %zu cut or at risk\n",
	       c->res.n, c->res.n == 1 ? "" : "s", bad);
	if (!bad)
		return 0;
	print_bad(c);
	if (!fix) {
		if (force) {
			printf("ctguard apply: --force: applying anyway\n");
			return 0;
		}
		printf("ctguard apply: refused: the new ruleset would cut live connections; "
		       "nothing was changed (use --fix to keep them, --force to cut them)\n");
		return CTG_EXIT_FINDINGS;
	}
	if (ctg_fix_build(&c->ii, &c->res, &c->fx) ||
	    ctg_fix_verify(&c->ii, &c->res, &c->fx, &c->after))
		return CTG_EXIT_ENV;
	print_fix(&c->fx);
	if ((c->fx.remaining || c->fx.unfixable || !c->fx.n) && !force) {
		printf("ctguard apply: refused: %zu connection%s cannot be kept by a fix rule; "
		       "nothing was changed (--force cuts them)\n",
		       c->fx.remaining + c->fx.unfixable,
		       c->fx.remaining + c->fx.unfixable == 1 ? "" : "s");
		return CTG_EXIT_FINDINGS;
	}
	rc = merge_fix(st, &c->fx);
	if (!rc)
		st->fix_rules = c->fx.n;
	return rc;
}

int apply_check(struct apply_state *st, bool fix, bool force)
{
	struct check_run c = {0};
	int rc;

	ctg_cli_inputs_init(&c.in);
	ctg_conn_table_init(&c.conns);
	rc = ctg_cli_inputs_load(&c.in, CTG_IN_CT | CTG_IN_SOCKS | CTG_IN_SYSCTLS | CTG_IN_LOCALS,
				 "ctguard apply", stderr);
	if (!rc) {
		c.ii.cur4 = st->cur[0];
		c.ii.cur6 = st->cur[1];
		c.ii.cand4 = st->rules_path[0] ? st->rs[0] : st->cur[0];
		c.ii.cand6 = st->rules_path[1] ? st->rs[1] : st->cur[1];
		if (build_conns(&c) || ctg_impact_run(&c.ii, &c.res))
			rc = CTG_EXIT_ENV;
	}
	if (!rc)
		rc = decide(st, &c, fix, force);
	else if (rc == CTG_EXIT_ENV)
		fprintf(stderr, "ctguard apply: cannot check the live connections\n");
	ctg_fix_release(&c.fx);
	ctg_impact_release(&c.after);
	ctg_impact_release(&c.res);
	free(c.iconns);
	free(c.ilocal);
	ctg_conn_table_release(&c.conns);
	ctg_inputs_release(&c.in);
	return rc;
}
