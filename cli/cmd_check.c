// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctguard check: which live connections would a reload method cut with a candidate
 * ruleset, why, and (--fix) the smallest rules that save them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include <ctguard/source.h>

#include "analysis/fix.h"
#include "common/inputs.h"
#include "common/opts.h"
#include "common/report.h"
#include "analysis/impact.h"
#include "analysis/candidate.h"
#include "cli.h"
#include "ruleset/ir.h"

/* Connections listed one by one (more are grouped) unless --verbose. */
#define CHECK_DETAIL_MAX 5

enum detail { DETAIL_DEFAULT, DETAIL_QUIET, DETAIL_VERBOSE };

struct check_opts {
	const char *rules, *rules6, *current, *current6;
	unsigned methods;
	bool fix, json, no_memo, stats, force;
	enum detail detail;
	struct ctg_inputs in; /* current rulesets, conntrack, sockets, sysctls, locals */
};

struct check_data {
	struct ctg_ruleset *cand4, *cand6;
	struct ctg_ruleset *full4, *full6; /* with the current tables the file omits */
	bool wont_load;			   /* iptables-restore would refuse a candidate */
	struct ctg_conn_table conns;
	struct ctg_impact_conn *iconns;
	struct ctg_impact_local *ilocal;
	struct ctg_impact_input in;
	struct ctg_impact res;
	struct ctg_fix fix;
	struct ctg_impact fixed;
	bool have_fixed;
	double secs;
};

enum {
	OPT_CURRENT = 256,
	OPT_CURRENT6,
	OPT_LOCAL,
	OPT_METHOD,
	OPT_FIX,
	OPT_FORMAT,
	OPT_NO_MEMO,
	OPT_STATS,
	OPT_FORCE,
};

static const char *const conflicts[] = {
	"verbose", "quiet", "format", "verbose", "format", "quiet", NULL,
};

static const struct ctg_cli_opt opts[] = {
	{"current", OPT_CURRENT, "FILE",
	 "the current IPv4 ruleset (default: live, or the\n"
	 "candidate when --conntrack/--sockets are files)"},
	{"current6", OPT_CURRENT6, "FILE", "the current IPv6 ruleset"},
	{"method", OPT_METHOD, "atomic|restart|flush|all",
	 "how the reload is done (default restart)"},
	{"fix", OPT_FIX, NULL, "print the smallest rules that save every cut connection"},
	{"format", OPT_FORMAT, "text|json", "output format (default text)"},
	{"local", OPT_LOCAL, "ADDR", "a local address (offline inputs; repeatable)"},
	{"force", OPT_FORCE, NULL,
	 "analyse an empty or table-less candidate (a warning\n"
	 "instead of an error)"},
	{"verbose", 'v', NULL,
	 "list every connection cut, at risk or undecided, with the\n"
	 "rule that drops it (default: many are grouped by service)"},
	{"quiet", 'q', NULL, "print only the summary (the exit status says the rest)"},
	{"no-memo", OPT_NO_MEMO, NULL, NULL}, /* hidden: linear baseline */
	{"stats", OPT_STATS, NULL, NULL},     /* hidden: timing to stderr */
	{0},
};

static const struct ctg_cmd_spec spec = {
	.name = "check",
	.synopsis = "[OPTIONS] [INPUT OPTIONS]",
	.about = "Predicts which live connections a reload would cut. --rules/--rules6 name the\n"
		 "candidate ruleset (default: the current one).",
	.opts = opts,
	.inputs = true,
	.conflicts = conflicts,
	.exit = "Exit: 0 nothing cut, 1 something cut or at risk, 2 usage or parse error,\n"
		"3 environment error.",
};

static int add_local(struct check_opts *o, const char *s)
{
	struct ctg_addr a;
	int fam = strchr(s, ':') ? 10 : 2;

	if (ctg_addr_parse(fam, s, &a))
		return -EINVAL;
	return ctg_addr_set_add(&o->in.locals, fam, &a);
}

static int parse_one(void *ctx, int c, const char *arg)
{
	struct check_opts *o = ctx;
	int m;

	switch (c) {
	case CTG_OPT_RULES:
		o->rules = arg;
		return 0;
	case CTG_OPT_RULES6:
		o->rules6 = arg;
		return 0;
	case OPT_CURRENT:
		o->current = arg;
		return 0;
	case OPT_CURRENT6:
		o->current6 = arg;
		return 0;
	case OPT_LOCAL:
		return add_local(o, arg);
	case OPT_FIX:
		o->fix = true;
		return 0;
	case OPT_FORCE:
		o->force = true;
		return 0;
	case OPT_NO_MEMO:
		o->no_memo = true;
		return 0;
	case OPT_STATS:
		o->stats = true;
		return 0;
	case 'v':
		o->detail = DETAIL_VERBOSE;
		return 0;
	case 'q':
		o->detail = DETAIL_QUIET;
		return 0;
	case OPT_FORMAT:
		if (strcmp(arg, "text") && strcmp(arg, "json"))
			return -EINVAL;
		o->json = !strcmp(arg, "json");
		return 0;
	case OPT_METHOD:
		if (!strcmp(arg, "all")) {
			o->methods = 7;
			return 0;
		}
		m = ctg_impact_method_parse(arg);
		if (m < 0)
			return -EINVAL;
		o->methods = 1u << m;
		return 0;
	}
	return ctg_inputs_take(&o->in, c, arg);
}

/* 0 ok, 1 --help, -1 usage error (printed). */
static int parse_opts(struct check_opts *o, int argc, char **argv)
{
	int r;

	o->methods = 1u << CTG_IMPACT_RESTART;
	r = ctg_opts_parse(&spec, argc, argv, parse_one, o);
	if (r)
		return r;
	if (optind < argc)
		return ctg_opts_error(&spec, "unexpected argument \"%s\"", argv[optind]);
	return 0;
}

/* ---------------------------------------------------------------- inputs */

/* A diagnostic of what iptables-restore refuses (restore_check.c; legacy-only aside). */
static bool restore_refusal(const struct ctg_diag *dg)
{
	return !strncmp(dg->code, "restore-", 8) && strcmp(dg->code, "restore-legacy-commit") &&
	       dg->severity != CTG_SEV_NOTE;
}

/*
 * Returns 0, CTG_EXIT_USAGE (parse errors, an empty candidate without --force) or
 * CTG_EXIT_ENV. Sets *wont_load when iptables-restore would refuse the file.
 */
static int load_rules(const char *path, enum ctg_family fam, bool force, struct ctg_ruleset **out,
		      bool *wont_load)
{
	struct ctg_diags *d = ctg_diags_new();
	int ret = 0;

	if (!d)
		return CTG_EXIT_ENV;
	*out = ctg_ruleset_parse_file(path, fam, d);
	if (!*out) {
		fprintf(stderr, "ctguard check: %s: %s\n", path, strerror(errno));
		ret = CTG_EXIT_ENV;
	} else if (ctg_cli_print_diags(d, stderr)) {
		ret = CTG_EXIT_USAGE;
	} else if (!ctg_candidate_tables(*out)) {
		fprintf(stderr,
			"ctguard check: %s: %s: the candidate names no table, so iptables-restore "
			"would change nothing; it is not a ruleset to check%s\n",
			path, force ? "warning" : "error", force ? "" : " (--force analyses it)");
		ret = force ? 0 : CTG_EXIT_USAGE;
	}
	for (size_t i = 0; !ret && i < ctg_diags_count(d); i++)
		if (restore_refusal(ctg_diags_get(d, i)))
			*wont_load = true;
	ctg_diags_free(d);
	return ret;
}

/* The candidates as iptables-restore leaves the kernel: absent tables keep their rules. */
static int complete_candidates(struct check_opts *o, struct check_data *d)
{
	unsigned kept4 = 0, kept6 = 0;
	int ret = 0;

	if (d->cand4 && o->in.rules4)
		ret = ctg_candidate_complete(d->cand4, o->in.rules4, &d->full4, &kept4);
	if (!ret && d->cand6 && o->in.rules6)
		ret = ctg_candidate_complete(d->cand6, o->in.rules6, &d->full6, &kept6);
	if (ret) {
		fprintf(stderr, "ctguard check: completing the candidate: %s\n", strerror(-ret));
		return CTG_EXIT_ENV;
	}
	for (int f = 0; f < 2; f++) {
		unsigned k = f ? kept6 : kept4;

		if (!k || o->json)
			continue;
		printf("ctguard check: %s tables not in the candidate keep their current rules "
		       "(as iptables-restore leaves them):",
		       f ? "IPv6" : "IPv4");
		for (int t = 0; t < CTG_TABLE_MAX; t++)
			if (k & (1u << t))
				printf(" %s", ctg_table_name((enum ctg_table_id)t));
		printf("\n");
	}
	return 0;
}

static int load_inputs(struct check_opts *o, struct check_data *d)
{
	bool offline = o->in.ct_path || o->in.socks_path;
	unsigned need = CTG_IN_CT | CTG_IN_SOCKS | CTG_IN_SYSCTLS | CTG_IN_LOCALS | CTG_IN_ROUTES;
	int ret = 0;

	o->in.rules4_path = o->current;
	o->in.rules6_path = o->current6;
	if (o->current || !offline)
		need |= CTG_IN_RULES4;
	if (o->current6 || !offline)
		need |= CTG_IN_RULES6;
	if (o->rules)
		ret = load_rules(o->rules, CTG_FAMILY_IPV4, o->force, &d->cand4, &d->wont_load);
	if (!ret && o->rules6)
		ret = load_rules(o->rules6, CTG_FAMILY_IPV6, o->force, &d->cand6, &d->wont_load);
	if (!ret)
		ret = ctg_cli_inputs_load(&o->in, need, "ctguard check", stderr);
	if (!ret)
		ret = complete_candidates(o, d);
	return ret;
}

/* ---------------------------------------------------------------- analysis */

static int build_input(struct check_opts *o, struct check_data *d)
{
	const struct ctg_sysctls *sc = &o->in.sysctls;
	const struct ctg_addr_set *loc = &o->in.locals;
	struct ctg_impact_input *in = &d->in;

	if (ctg_impact_conns_build(&o->in.socks, &o->in.ct, loc, sc->port_lo, sc->port_hi,
				   &d->conns, &d->iconns, &d->ilocal))
		return -ENOMEM;
	in->cur4 = o->in.rules4 ? o->in.rules4 : d->cand4;
	in->cur6 = o->in.rules6 ? o->in.rules6 : d->cand6;
	in->cand4 = o->rules ? (d->full4 ? d->full4 : d->cand4) : in->cur4;
	in->cand6 = o->rules6 ? (d->full6 ? d->full6 : d->cand6) : in->cur6;
	in->cts = &o->in.ct;
	in->conns = d->iconns;
	in->nconns = d->conns.n;
	in->tcp_loose = sc->tcp_loose;
	in->tcp_be_liberal = sc->tcp_be_liberal;
	in->port_lo = sc->port_lo;
	in->port_hi = sc->port_hi;
	in->local = d->ilocal;
	in->nlocal = loc->n;
	in->methods = o->methods;
	in->no_memo = o->no_memo || getenv("CTGUARD_NO_MEMO");
	in->routes = o->in.routes;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int analyse(struct check_opts *o, struct check_data *d)
{
	double t0 = now();
	int err = ctg_impact_run(&d->in, &d->res);

	d->secs = now() - t0;
	if (err || !o->fix)
		return err;
	err = ctg_fix_build(&d->in, &d->res, &d->fix);
	if (!err) {
		err = ctg_fix_verify(&d->in, &d->res, &d->fix, &d->fixed);
		d->have_fixed = !err;
	}
	return err;
}

/* ---------------------------------------------------------------- output */

static bool interesting(const struct check_data *d, size_t i)
{
	for (int m = 0; m < CTG_IMPACT_NMETHODS; m++) {
		uint8_t out;

		if (!(d->in.methods & (1u << m)))
			continue;
		out = ctg_impact_get(&d->res, i, m)->outcome;
		if (out != CTG_OUT_SAFE && out != CTG_OUT_SKIPPED)
			return true;
	}
	return false;
}

static void fmt_endpoint(char *buf, size_t sz, uint8_t fam, const struct ctg_addr *a, uint16_t p)
{
	char ab[CTG_ADDRSTRLEN];

	ctg_addr_format(fam, a, ab, sizeof(ab));
	snprintf(buf, sz, fam == 10 ? "[%s]:%u" : "%s:%u", ab, p);
}

static const struct ctg_ruleset *stop_rs(const struct check_data *d, uint8_t fam,
					 enum ctg_impact_method m)
{
	if (m == CTG_IMPACT_FLUSH)
		return fam == 10 ? d->in.cur6 : d->in.cur4;
	return fam == 10 ? d->in.cand6 : d->in.cand4;
}

/* "filter INPUT policy DROP (rules.v4:3)" / "filter INPUT rule 4 (rules.v4:9)" */
static void fmt_stop(char *buf, size_t sz, const struct check_data *d, uint8_t fam,
		     enum ctg_impact_method m, const struct ctg_impact_verdict *v)
{
	const struct ctg_ruleset *rs = stop_rs(d, fam, m);
	const char *src = rs && rs->name ? rs->name : "?";
	const struct ctg_impact_stop *s = &v->stop;
	uint32_t line = s->line;

	if (!v->has_stop) {
		snprintf(buf, sz, "(undetermined rule)");
		return;
	}
	if (s->rule == 0) {
		const struct ctg_chain *ch = rs ? &rs->tables[s->table].chains[s->chain] : NULL;

		if (!line && ch)
			line = ch->loc.line;
		snprintf(buf, sz, "%s %s policy %s (%s:%u)", ctg_table_name(s->table),
			 s->chain_name ? s->chain_name : "?",
			 ch && ch->policy == CTG_V_DROP ? "DROP" : "ACCEPT", src, line);
		return;
	}
	snprintf(buf, sz, "%s %s rule %u (%s:%u)", ctg_table_name(s->table),
		 s->chain_name ? s->chain_name : "?", s->rule, src, line);
}

static const char *proc_name(const struct ctg_impact_conn *c)
{
	return c->sock && c->sock->comm[0] ? c->sock->comm : NULL;
}

static const char *fails_text(uint8_t fails)
{
	if (fails == (CTG_IMPACT_LOCAL_FIRST | CTG_IMPACT_PEER_FIRST))
		return "whoever speaks first";
	if (fails & CTG_IMPACT_PEER_FIRST)
		return "if the peer speaks first";
	if (fails & CTG_IMPACT_LOCAL_FIRST)
		return "if the local side speaks first";
	return "";
}

static bool outcome_seen(const struct check_data *d, int o)
{
	for (int m = 0; m < CTG_IMPACT_NMETHODS; m++)
		if ((d->in.methods & (1u << m)) && d->res.count[m][o])
			return true;
	return false;
}

/* The title and the outcome counts (rows of outcomes that occur; safe always). */
static void print_summary(const struct check_data *d)
{
	char n[40];

	printf("ctguard check: %s, %s\n", ctg_report_count(d->res.n, "connection", n, sizeof(n)),
	       d->in.cand4 != d->in.cur4 || d->in.cand6 != d->in.cur6 ? "candidate ruleset"
								      : "same ruleset");
	printf("%-10s", "outcome");
	for (int m = 0; m < CTG_IMPACT_NMETHODS; m++)
		if (d->in.methods & (1u << m))
			printf(" %9s", ctg_impact_method_name(m));
	printf("\n");
	for (int o = 0; o < CTG_OUT_MAX; o++) {
		if (o != CTG_OUT_SAFE && !outcome_seen(d, o))
			continue;
		printf("%-10s", ctg_impact_outcome_name(o));
		for (int m = 0; m < CTG_IMPACT_NMETHODS; m++)
			if (d->in.methods & (1u << m))
				printf(" %9zu", d->res.count[m][o]);
		printf("\n");
	}
}

static void print_conn_text(const struct check_data *d, size_t i)
{
	const struct ctg_impact_conn *c = &d->iconns[i];
	char l[64], p[64], why[256];
	bool idle = false;

	fmt_endpoint(l, sizeof(l), c->family, &c->laddr, c->lport);
	fmt_endpoint(p, sizeof(p), c->family, &c->paddr, c->pport);
	printf("\n%s %s -> %s", c->l4proto == 6 ? "tcp" : c->l4proto == 17 ? "udp" : "ip", l, p);
	if (c->service)
		printf(" (%s)", c->service);
	printf(" %s", c->role == CTG_IMPACT_CLIENT   ? "client"
		      : c->role == CTG_IMPACT_SERVER ? "server"
						     : "forward");
	if (proc_name(c))
		printf(", process %s", proc_name(c));
	printf("\n");
	for (int m = 0; m < CTG_IMPACT_NMETHODS; m++) {
		const struct ctg_impact_verdict *v;

		if (!(d->in.methods & (1u << m)))
			continue;
		v = ctg_impact_get(&d->res, i, m);
		printf("  %-8s %s", ctg_impact_method_name(m), ctg_impact_outcome_name(v->outcome));
		if (v->outcome == CTG_OUT_CUT || v->outcome == CTG_OUT_AT_RISK) {
			fmt_stop(why, sizeof(why), d, c->family, m, v);
			printf(" %s: %s packet dropped by %s", fails_text(v->fails),
			       v->stop_from_peer ? "peer's" : "local", why);
		}
		if (v->outcome == CTG_OUT_NAT_LOST)
			printf(": the wipe loses the NAT binding");
		printf("\n");
		idle |= ctg_impact_is_idle_replica(c, v);
	}
	if (idle)
		printf("  ** idle replica/client (see the note below)\n");
}

static bool idle_replica(const struct check_data *d, size_t i)
{
	for (int m = 0; m < CTG_IMPACT_NMETHODS; m++)
		if ((d->in.methods & (1u << m)) &&
		    ctg_impact_is_idle_replica(&d->iconns[i], ctg_impact_get(&d->res, i, m)))
			return true;
	return false;
}

/* Group: outcomes, protocol, the service end (peer for clients, local for servers). */
static int group_conn(struct ctg_groups *g, const struct check_data *d, size_t i)
{
	const struct ctg_impact_conn *c = &d->iconns[i];
	bool server = c->role == CTG_IMPACT_SERVER;
	char outs[96] = "", l[64], p[64], other[CTG_ADDRSTRLEN], key[512], why[512] = "";
	size_t k = 0;

	for (int m = 0; m < CTG_IMPACT_NMETHODS; m++) {
		const struct ctg_impact_verdict *v = ctg_impact_get(&d->res, i, m);
		char stop[256];

		if (!(d->in.methods & (1u << m)))
			continue;
		if (d->in.methods == (1u << m))
			k += snprintf(outs + k, sizeof(outs) - k, "%s",
				      ctg_impact_outcome_name(v->outcome));
		else
			k += snprintf(outs + k, sizeof(outs) - k, "%s%s %s", k ? ", " : "",
				      ctg_impact_method_name(m),
				      ctg_impact_outcome_name(v->outcome));
		if (k >= sizeof(outs))
			k = sizeof(outs) - 1;
		if (!why[0] && (v->outcome == CTG_OUT_CUT || v->outcome == CTG_OUT_AT_RISK)) {
			fmt_stop(stop, sizeof(stop), d, c->family, m, v);
			snprintf(why, sizeof(why), "%s: %s: %s packet dropped by %s",
				 ctg_impact_method_name(m), fails_text(v->fails),
				 v->stop_from_peer ? "peer's" : "local", stop);
		} else if (!why[0] && v->outcome == CTG_OUT_NAT_LOST) {
			snprintf(why, sizeof(why), "%s: the wipe loses the NAT binding",
				 ctg_impact_method_name(m));
		}
	}
	ctg_report_endpoint(c->family, &c->laddr, server ? c->lport : -1, l, sizeof(l));
	ctg_report_endpoint(c->family, &c->paddr, server ? -1 : c->pport, p, sizeof(p));
	ctg_addr_format(c->family, server ? &c->paddr : &c->laddr, other, sizeof(other));
	snprintf(key, sizeof(key), "%s %s %s %s %s (%s, %s%s%s)%s", outs,
		 c->l4proto == 6    ? "tcp"
		 : c->l4proto == 17 ? "udp"
				    : "ip",
		 l, server ? "<-" : "->", p, c->service ? c->service : "unknown service",
		 c->role == CTG_IMPACT_CLIENT	? "client"
		 : c->role == CTG_IMPACT_SERVER ? "server"
						: "forward",
		 proc_name(c) ? ", " : "", proc_name(c) ? proc_name(c) : "",
		 idle_replica(d, i) ? " idle replica" : "");
	return ctg_groups_add(g, key, why, server ? other : NULL);
}

static void print_fix_text(const struct check_data *d)
{
	const struct ctg_fix *fx = &d->fix;

	printf("\nFix (%s): ", ctg_impact_method_name(fx->method));
	if (!fx->n) {
		printf("no rule needed%s\n",
		       fx->unfixable ? ", but some connections cannot be saved by a rule" : "");
	} else {
		printf("%zu rule%s; apply with `iptables-restore --noflush` or merge into the "
		       "new ruleset\n",
		       fx->n, fx->n == 1 ? "" : "s");
		for (uint8_t fam = 2; fam <= 10; fam += 8) {
			char *t = ctg_fix_restore_text(fx, fam);

			if (t)
				printf("%s%s", fam == 10 ? "# ip6tables\n" : "# iptables\n", t);
			free(t);
		}
		if (d->have_fixed)
			printf("verified: %s (%zu still cut or at risk, %zu other verdicts "
			       "changed)\n",
			       fx->verified ? "yes" : "NO", fx->remaining, fx->changed);
	}
	if (fx->unfixable)
		printf("%zu connection%s cannot be saved by a rule (NAT lost or no drop rule "
		       "known)\n",
		       fx->unfixable, fx->unfixable == 1 ? "" : "s");
	printf("Advice: avoid the problem entirely with an atomic reload "
	       "(iptables-restore, `ctguard apply`, firewall-cmd --reload): it keeps the "
	       "conntrack table, no `restart`, no `conntrack -F`.\n");
}

static json_t *fix_json(const struct check_data *d)
{
	const struct ctg_fix *fx = &d->fix;
	json_t *rules = json_array(), *j;

	for (size_t i = 0; i < fx->n; i++) {
		const struct ctg_fix_rule *r = &fx->v[i];

		json_array_append_new(rules, json_pack("{s:s, s:s, s:s, s:i, s:s, s:i}", "family",
						       r->family == 10 ? "ipv6" : "ipv4", "table",
						       ctg_table_name(r->table), "chain", r->chain,
						       "position", (int)r->pos, "rule", r->spec,
						       "connections", (int)r->nconns));
	}
	j = json_pack("{s:s, s:o, s:b, s:i, s:i, s:i, s:s}", "method",
		      ctg_impact_method_name(fx->method), "rules", rules, "verified", fx->verified,
		      "remaining", (int)fx->remaining, "changed", (int)fx->changed, "unfixable",
		      (int)fx->unfixable, "advice",
		      "use an atomic reload (iptables-restore, ctguard apply): it keeps conntrack");
	for (uint8_t fam = 2; fam <= 10; fam += 8) {
		char *t = ctg_fix_restore_text(fx, fam);

		if (t)
			json_object_set_new(j, fam == 10 ? "restore6" : "restore", json_string(t));
		free(t);
	}
	return j;
}

/* Every connection cut, at risk or undecided, one by one. Returns whether one is idle. */
static bool print_details(const struct check_data *d)
{
	size_t shown = 0;
	bool idle = false;

	for (size_t i = 0; i < d->res.n; i++)
		if (interesting(d, i)) {
			if (!shown++)
				printf("\nConnections cut, at risk or undecided:\n");
			print_conn_text(d, i);
			idle |= idle_replica(d, i);
		}
	return idle;
}

/* The same, grouped into one screen. Returns whether one is idle. */
static bool print_groups(const struct check_data *d, size_t lines)
{
	struct ctg_groups g;
	bool idle = false, fail = false;

	ctg_groups_init(&g);
	for (size_t i = 0; i < d->res.n && !fail; i++)
		if (interesting(d, i)) {
			fail = group_conn(&g, d, i) < 0;
			idle |= idle_replica(d, i);
		}
	if (fail) {
		ctg_groups_release(&g);
		return print_details(d);
	}
	printf("\nConnections cut, at risk or undecided (--verbose lists each):\n");
	ctg_groups_print(&g, lines, stdout);
	ctg_groups_release(&g);
	return idle;
}

static void print_text(const struct check_data *d, const struct check_opts *o)
{
	size_t n = 0, summary = 2;
	bool idle;

	print_summary(d);
	for (int k = 0; k < CTG_OUT_MAX; k++)
		summary += k == CTG_OUT_SAFE || outcome_seen(d, k);
	for (size_t i = 0; i < d->res.n; i++)
		n += interesting(d, i);
	if (o->detail == DETAIL_QUIET)
		return;
	if (o->detail == DETAIL_VERBOSE || n <= CHECK_DETAIL_MAX)
		idle = print_details(d);
	else
		idle = print_groups(d, CTG_REPORT_SCREEN - summary - 4);
	if (idle)
		printf("\nNote: an idle replica/client is cut once the peer sends first (binlog "
		       "events, pushes): its data never arrives while the local socket stays "
		       "ESTABLISHED.\n");
	if (o->fix)
		print_fix_text(d);
	if (o->stats)
		fprintf(stderr,
			"analysis: %.3f s, %zu evaluated, %zu memo keys, %llu rules visited\n",
			d->secs, d->res.evaluated, d->res.memo_keys,
			(unsigned long long)d->res.rules_visited);
}

static json_t *stop_json(const struct check_data *d, uint8_t fam, enum ctg_impact_method m,
			 const struct ctg_impact_verdict *v)
{
	const struct ctg_ruleset *rs = stop_rs(d, fam, m);
	const struct ctg_impact_stop *s = &v->stop;

	if (!v->has_stop)
		return json_null();
	return json_pack("{s:s, s:s, s:i, s:b, s:s, s:i, s:s}", "table", ctg_table_name(s->table),
			 "chain", s->chain_name ? s->chain_name : "?", "rule", (int)s->rule,
			 "policy", s->rule == 0, "source", rs && rs->name ? rs->name : "?", "line",
			 (int)s->line, "packet", v->stop_from_peer ? "peer" : "local");
}

static json_t *conn_json(const struct check_data *d, size_t i)
{
	const struct ctg_impact_conn *c = &d->iconns[i];
	struct ctg_conn row = d->conns.v[i];
	json_t *res = json_object(), *j;
	bool certain = true;

	for (int m = 0; m < CTG_IMPACT_NMETHODS; m++) {
		const struct ctg_impact_verdict *v = ctg_impact_get(&d->res, i, m);
		json_t *fails;

		if (!(d->in.methods & (1u << m)))
			continue;
		certain &= v->outcome != CTG_OUT_UNKNOWN;
		fails = json_array();
		if (v->fails & CTG_IMPACT_LOCAL_FIRST)
			json_array_append_new(fails, json_string("local-first"));
		if (v->fails & CTG_IMPACT_PEER_FIRST)
			json_array_append_new(fails, json_string("peer-first"));
		json_object_set_new(res, ctg_impact_method_name(m),
				    json_pack("{s:s, s:o, s:o, s:b}", "outcome",
					      ctg_impact_outcome_name(v->outcome), "fails", fails,
					      "stop", stop_json(d, c->family, m, v), "idle_replica",
					      ctg_impact_is_idle_replica(c, v)));
	}
	row.service = c->service;
	j = ctg_report_conn_json(&row);
	json_object_set_new(j, "certain", json_boolean(certain));
	json_object_set_new(j, "results", res);
	return j;
}

static void print_json(const struct check_data *d, const struct check_opts *o)
{
	json_t *root = json_object(), *summary = json_object(), *conns = json_array();
	char *s;

	json_object_set_new(root, "command", json_string("check"));
	json_object_set_new(summary, "connections", json_integer((json_int_t)d->res.n));
	for (int m = 0; m < CTG_IMPACT_NMETHODS; m++) {
		json_t *cnt;

		if (!(d->in.methods & (1u << m)))
			continue;
		cnt = json_object();
		for (int k = 0; k < CTG_OUT_MAX; k++)
			json_object_set_new(cnt, ctg_impact_outcome_name(k),
					    json_integer((json_int_t)d->res.count[m][k]));
		json_object_set_new(summary, ctg_impact_method_name(m), cnt);
	}
	for (size_t i = 0; i < d->res.n; i++)
		json_array_append_new(conns, conn_json(d, i));

	json_object_set_new(root, "summary", summary);
	json_object_set_new(root, "connections", conns);
	if (o->fix)
		json_object_set_new(root, "fix", fix_json(d));
	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(root);
}

static bool any_cut(const struct check_data *d)
{
	for (int m = 0; m < CTG_IMPACT_NMETHODS; m++)
		if (d->in.methods & (1u << m))
			if (d->res.count[m][CTG_OUT_CUT] || d->res.count[m][CTG_OUT_AT_RISK] ||
			    d->res.count[m][CTG_OUT_NAT_LOST])
				return true;
	return false;
}

/* ---------------------------------------------------------------- main */

static void release(struct check_data *d, struct check_opts *o)
{
	ctg_ruleset_free(d->cand4);
	ctg_ruleset_free(d->cand6);
	ctg_ruleset_free(d->full4);
	ctg_ruleset_free(d->full6);
	ctg_conn_table_release(&d->conns);
	free(d->iconns);
	free(d->ilocal);
	ctg_impact_release(&d->res);
	ctg_impact_release(&d->fixed);
	ctg_fix_release(&d->fix);
	ctg_inputs_release(&o->in);
}

int cmd_check(struct ctg_cli *cli, int argc, char **argv)
{
	struct check_opts o = {0};
	struct check_data d = {0};
	int ret;

	ctg_cli_inputs_init(&o.in);
	ctg_conn_table_init(&d.conns);
	ret = parse_opts(&o, argc, argv);
	if (ret) {
		release(&d, &o);
		return ret > 0 ? CTG_EXIT_OK : CTG_EXIT_USAGE;
	}
	ret = load_inputs(&o, &d);
	if (!ret && (build_input(&o, &d) || analyse(&o, &d))) {
		fprintf(stderr, "%s check: out of memory\n", cli->prog);
		ret = CTG_EXIT_ENV;
	}
	if (!ret) {
		if (o.json)
			print_json(&d, &o);
		else
			print_text(&d, &o);
		ret = any_cut(&d) ? CTG_EXIT_FINDINGS : CTG_EXIT_OK;
		if (d.wont_load) { /* nothing would be loaded: the file is the problem */
			fprintf(stderr, "ctguard check: the candidate would not load: "
					"iptables-restore refuses it (see the warnings above)\n");
			ret = CTG_EXIT_USAGE;
		}
	}
	release(&d, &o);
	return ret;
}
