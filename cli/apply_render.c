// SPDX-License-Identifier: GPL-2.0-or-later
/* Rendering the results of the library's apply session (see apply_render.h). */
#include "apply_render.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <ctguard/diag.h>

#include "analysis/heal.h"
#include "cli.h"
#include "common/report.h"

void apply_record(int prio, const char *fmt, const char *a, const char *b)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), fmt, a, b);
	printf("ctguard apply: %s\n", msg);
	fflush(stdout);
	syslog(prio, "%s", msg);
}

const char *apply_families(const struct ctg_apply *a, const char *sep, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", a->rules_path[0] ? "IPv4" : "",
		 a->rules_path[0] && a->rules_path[1] ? sep : "", a->rules_path[1] ? "IPv6" : "");
	return buf;
}

/* Prints the offending line of the candidate for an iptables-restore error. */
static void report_kernel_error(const char *file, const char *text,
				const struct ctg_apply_reject *r)
{
	const char *p = text;

	if (!r->line) {
		fprintf(stderr, "%s: error: rejected by the kernel side: %s", file, r->err);
		return;
	}
	for (unsigned i = 1; i < r->line && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	fprintf(stderr, "%s:%u: error: rejected by the kernel side: %s", file, r->line, r->err);
	if (p)
		fprintf(stderr, "%.*s\n", (int)strcspn(p, "\n"), p);
}

int apply_render_invalid(const struct ctg_apply *a, int ret)
{
	size_t errors;

	if (ret == -EINVAL) {
		errors = ctg_cli_print_diags(a->diags, stderr);
		fprintf(stderr, "ctguard apply: %zu error%s: nothing was changed\n", errors,
			errors == 1 ? "" : "s");
		return CTG_EXIT_USAGE;
	}
	if (ret == -EBADMSG) {
		for (int i = 0; i < 2; i++)
			if (a->reject[i].set)
				report_kernel_error(a->rules_path[i], a->text[i], &a->reject[i]);
		fprintf(stderr, "ctguard apply: rejected by %s --test: nothing was changed\n",
			ctg_ipt_tool(a->backend, CTG_FAMILY_IPV4, true));
		return CTG_EXIT_USAGE;
	}
	fprintf(stderr, "ctguard apply: %s: %s%s\n", a->failed ? a->failed : "validating",
		strerror(-ret),
		ret == -EPERM || ret == -EACCES ? " (needs root / CAP_NET_ADMIN)" : "");
	return CTG_EXIT_ENV;
}

void apply_render_valid(const struct ctg_apply *a)
{
	char fam[32];

	printf("ctguard apply: validated %s (%s backend)\n", apply_families(a, " and ", fam, 32),
	       ctg_ipt_backend_name(a->backend));
}

static void print_bad(const struct ctg_apply *a)
{
	for (size_t i = 0; i < a->res.n; i++) {
		const struct ctg_impact_verdict *v = ctg_impact_get(&a->res, i, CTG_IMPACT_ATOMIC);
		const struct ctg_impact_conn *ic = &a->iconns[i];
		char l[CTG_ADDRSTRLEN], p[CTG_ADDRSTRLEN];

		if (!ctg_apply_is_bad(v))
			continue;
		ctg_addr_format(ic->family, &ic->laddr, l, sizeof(l));
		ctg_addr_format(ic->family, &ic->paddr, p, sizeof(p));
		printf("  %s %s %s:%u -> %s:%u%s%s%s: %s", ctg_impact_outcome_name(v->outcome),
		       ctg_report_proto(ic->l4proto), l, ic->lport, p, ic->pport,
		       ic->service ? " (" : "", ic->service ? ic->service : "",
		       ic->service ? ")" : "",
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

void apply_render_check(const struct ctg_apply *a)
{
	for (int i = 0; i < 2; i++)
		if (a->cur_imprecise[i])
			fprintf(stderr,
				"ctguard apply: warning: the current %s rules do not fully parse; "
				"check may be imprecise\n",
				i ? "IPv6" : "IPv4");
	printf("ctguard apply: check --method atomic: %zu connection%s, %zu cut or at risk\n",
	       a->res.n, a->res.n == 1 ? "" : "s", a->bad);
	if (a->bad)
		print_bad(a);
}

static void print_fix(const struct ctg_fix *fx)
{
	printf("ctguard apply: --fix: merging %zu rule%s into the candidate:\n", fx->n,
	       fx->n == 1 ? "" : "s");
	for (size_t i = 0; i < fx->n; i++)
		printf("  %s -t %s -I %s %u %s\n", fx->v[i].family == 10 ? "ip6tables" : "iptables",
		       ctg_table_name(fx->v[i].table), fx->v[i].chain, fx->v[i].pos, fx->v[i].spec);
}

int apply_render_decision(const struct ctg_apply *a, enum ctg_apply_decision d)
{
	size_t left = a->fx.remaining + a->fx.unfixable;

	if (a->o.fix && a->bad)
		print_fix(&a->fx);
	switch (d) {
	case CTG_APPLY_GO:
	case CTG_APPLY_GO_FIXED:
		return 0;
	case CTG_APPLY_GO_FORCED:
		printf("ctguard apply: --force: applying anyway\n");
		return 0;
	case CTG_APPLY_REFUSE_CUTS:
		printf("ctguard apply: refused: the new ruleset would cut live connections; "
		       "nothing was changed (use --fix to keep them, --force to cut them)\n");
		return CTG_EXIT_FINDINGS;
	case CTG_APPLY_REFUSE_UNFIXABLE:
		printf("ctguard apply: refused: %zu connection%s cannot be kept by a fix rule; "
		       "nothing was changed (--force cuts them)\n",
		       left, left == 1 ? "" : "s");
		return CTG_EXIT_FINDINGS;
	}
	return CTG_EXIT_ENV;
}

void apply_render_load_error(const struct ctg_apply *a, int ret)
{
	for (int i = 0; i < 2; i++) {
		if (ret == -EBADMSG && a->reject[i].set)
			fprintf(stderr, "ctguard apply: loading the %s rules failed: %s",
				i ? "IPv6" : "IPv4", a->reject[i].err);
	}
	if (ret != -EBADMSG)
		fprintf(stderr, "ctguard apply: loading the rules failed: %s%s%s%s\n",
			a->failed ? a->failed : "", a->failed ? ": " : "", strerror(-ret),
			ret == -EPERM || ret == -EACCES ? " (needs root / CAP_NET_ADMIN)" : "");
}

static const char *heal_word(const struct ctg_heal_item *h, char *buf, size_t size)
{
	switch (h->status) {
	case CTG_HEAL_INSERTED:
		return "re-inserted";
	case CTG_HEAL_REFUSED:
		return "refused: no ESTABLISHED local socket for this connection";
	case CTG_HEAL_FAILED:
		if (h->err == -EEXIST)
			return "already back";
		snprintf(buf, size, "failed: %s", strerror(-h->err));
		return buf;
	default:
		return "planned";
	}
}

void apply_render_heal(const struct ctg_apply *a)
{
	const struct ctg_heal_report *r = &a->heal;
	size_t orphans = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct ctg_heal_item *h = &r->v[i];
		struct ctg_strbuf sb;
		char buf[128];

		orphans++;
		if (h->status < CTG_HEAL_PLANNED) {
			printf("ctguard apply: heal: not healed (%s): ",
			       h->status == CTG_HEAL_NOT_HEALABLE ? ctg_audit_kind_name(h->it->kind)
			       : h->status == CTG_HEAL_UNCERTAIN  ? "uncertain"
								  : "no entry can be built");
			printf("%s\n", h->it->conn.sock ? "local socket" : "no local socket");
			continue;
		}
		ctg_sb_init(&sb);
		ctg_heal_format_cmd(&h->entry, &sb);
		printf("ctguard apply: heal: %s: %s\n", ctg_sb_str(&sb),
		       heal_word(h, buf, sizeof(buf)));
		ctg_sb_release(&sb);
	}
	printf("ctguard apply: heal: %zu orphaned after the load, %zu re-inserted, %zu refused, "
	       "%zu failed\n",
	       orphans, r->inserted, r->refused, r->failed);
}

void apply_render_audit(const struct ctg_audit_report *rep)
{
	printf("ctguard apply: audit: %zu connection%s, %zu orphaned, %zu at risk, %zu possibly "
	       "orphaned%s\n",
	       rep->conns, rep->conns == 1 ? "" : "s", rep->orphans, rep->at_risk, rep->possible,
	       rep->orphans ? " (see `ctguard audit`, `ctguard heal`)" : "");
}
