// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctguard audit: connections the current ruleset has already orphaned. Text, JSON,
 * Nagios plugin and Prometheus textfile output. The input loading is shared with heal.
 */
#include "cmd_audit.h"

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ctguard/diag.h>
#include <ctguard/ruleset.h>

#include "common/report.h"
#include "core/fileio.h"

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void audit_inputs_init(struct audit_inputs *in)
{
	memset(in, 0, sizeof(*in));
	ctg_cli_inputs_init(&in->in);
}

void audit_inputs_release(struct audit_inputs *in)
{
	ctg_inputs_release(&in->in);
}

int audit_inputs_load(struct audit_inputs *in, struct ctg_cli *cli, const char *cmd)
{
	double t0 = now_mono();
	char prog[64];
	int ret;

	snprintf(prog, sizeof(prog), "%s %s", cli->prog, cmd);
	ret = ctg_cli_inputs_load(&in->in,
				  CTG_IN_RULES4 | CTG_IN_RULES6 | CTG_IN_CT | CTG_IN_SOCKS |
					  CTG_IN_SYSCTLS | CTG_IN_LOCALS | CTG_IN_ROUTES,
				  prog, stderr);
	in->load_seconds = now_mono() - t0;
	return ret;
}

void audit_inputs_fill(const struct audit_inputs *in, struct ctg_audit_input *ai)
{
	ctg_audit_input_fill(&in->in, NULL, NULL, ai);
}

int audit_inputs_run(struct audit_inputs *in, struct ctg_cli *cli, const char *cmd,
		     struct ctg_audit_report *rep)
{
	struct ctg_audit_input ai;
	double t0;
	int ret = audit_inputs_load(in, cli, cmd);

	if (ret)
		return ret;
	audit_inputs_fill(in, &ai);
	t0 = now_mono();
	ret = ctg_audit_run(&ai, rep);
	in->audit_seconds = now_mono() - t0;
	if (ret < 0) {
		fprintf(stderr, "%s %s: %s\n", cli->prog, cmd, strerror(-ret));
		return CTG_EXIT_ENV;
	}
	return CTG_EXIT_OK;
}

/* ---------------------------------------------------------------- text */

const char *audit_endpoint(uint8_t family, const struct ctg_addr *a, uint16_t port, char *buf,
			   size_t size)
{
	char ab[CTG_ADDRSTRLEN];

	ctg_addr_format(family, a, ab, sizeof(ab));
	snprintf(buf, size, family == 10 ? "[%s]:%u" : "%s:%u", ab, port);
	return buf;
}

static const char *role_name(uint8_t role)
{
	static const char *const names[] = {"client", "server", "forward"};

	return role < 3 ? names[role] : "?";
}

static void print_rule_ref(const struct ctg_audit_item *it, FILE *f)
{
	fprintf(f, "%s %s rule %u%s%.0u%s", it->table, it->chain, it->rule,
		it->line ? " (line " : "", it->line, it->line ? ")" : "");
}

static void print_nat_why(const struct ctg_audit_item *it, FILE *f)
{
	const struct ctg_conn *c = &it->conn;
	char a[64], l[64];

	if (it->nat_dst) {
		if (it->nat_addr_known)
			audit_endpoint(c->family, &it->nat_addr, it->nat_port, a, sizeof(a));
		else
			snprintf(a, sizeof(a), "port %u", it->nat_port);
		fprintf(f,
			"nat-lost: no conntrack entry, so the destination NAT mapping is gone: "
			"the peer connected to %s, the server's replies now leave from %s "
			"untranslated; mapping set up by ",
			a, audit_endpoint(c->family, &c->laddr, c->lport, l, sizeof(l)));
	} else {
		fprintf(f,
			"nat-lost: no conntrack entry, so the source NAT mapping is gone: the "
			"peer knows this connection as %s and its packets arrive there with no "
			"mapping back; mapping set up by ",
			audit_endpoint(c->family, &it->nat_addr, it->nat_port, a, sizeof(a)));
	}
	print_rule_ref(it, f);
	fprintf(f, " %s\n", it->verdict);
}

static void print_why(const struct ctg_audit_item *it, FILE *f)
{
	const struct ctg_ct_entry *ct = it->conn.ct;

	if (it->kind == CTG_AUDIT_NAT_LOST) {
		print_nat_why(it, f);
		return;
	}
	if (it->kind == CTG_AUDIT_EXPIRED) {
		fprintf(f,
			"informational, no conntrack entry (%s); the peer's datagram would be %s\n",
			it->ct_reason ? it->ct_reason : "udp-timeout", it->ctstate);
		return;
	}
	if (it->kind == CTG_AUDIT_NO_ENTRY)
		fprintf(f, "no conntrack entry: the peer's next %s is %s (%s)",
			it->conn.l4proto == 17 ? "datagram" : "segment", it->ctstate,
			it->ct_reason ? it->ct_reason : "conntrack");
	else if (it->kind == CTG_AUDIT_ENTRY_DROPPED)
		fprintf(f, "conntrack entry %s, but the peer's %s packets",
			ct ? ctg_tcp_state_name(ct->tcp_state) : "", it->ctstate);
	else
		fprintf(f,
			"alive only through an entry with %us left%s; without it the peer's "
			"segment",
			ct ? ct->timeout : 0,
			ct && !(ct->status & CTG_IPS_ASSURED) ? " (not ASSURED)" : "");
	if (!it->table)
		fprintf(f, " %s %s\n", it->kind == CTG_AUDIT_AT_RISK ? "would be" : "are",
			it->verdict);
	else if (it->rule)
		fprintf(f, " -> %s by %s %s rule %u%s%.0u%s\n", it->verdict, it->table, it->chain,
			it->rule, it->line ? " (line " : "", it->line, it->line ? ")" : "");
	else
		fprintf(f, " -> %s by %s %s policy%s%.0u%s\n", it->verdict, it->table, it->chain,
			it->line ? " (line " : "", it->line, it->line ? ")" : "");
}

void audit_print_item(const struct ctg_audit_item *it, FILE *f)
{
	const struct ctg_conn *c = &it->conn;
	char l[64], p[64];
	static const char *const label[] = {"ORPHANED", "ORPHANED", "ORPHANED", "AT RISK",
					    "EXPIRED"};

	fprintf(f, "%s%s %s %s %s %s (%s, %s)",
		it->certain || it->kind == CTG_AUDIT_EXPIRED ? "" : "POSSIBLY ", label[it->kind],
		c->l4proto == 6 ? "tcp" : "udp",
		audit_endpoint(c->family, &c->laddr, c->lport, l, 64),
		c->role == CTG_AUDIT_ROLE_SERVER ? "<-" : "->",
		audit_endpoint(c->family, &c->paddr, c->pport, p, 64),
		c->service ? c->service : "unknown service", role_name(c->role));
	if (c->sock && c->sock->comm[0])
		fprintf(f, " process %s[%d]", c->sock->comm, c->sock->pid);
	fprintf(f, "\n    ");
	print_why(it, f);
}

static void print_summary(const struct ctg_audit_report *rep, FILE *f)
{
	char c[40], e[48], k[32];

	fprintf(f, "%zu orphaned", rep->orphans);
	if (rep->nat_lost)
		fprintf(f, " (%zu nat-lost)", rep->nat_lost);
	fprintf(f, ", %zu possibly orphaned, %zu at risk (%s, %s, %s)\n", rep->possible,
		rep->at_risk, ctg_report_count(rep->conns, "connection", c, sizeof(c)),
		ctg_report_count(rep->entries, "conntrack entry", e, sizeof(e)),
		ctg_report_count(rep->sockets, "socket", k, sizeof(k)));
	if (rep->expired)
		fprintf(f, "%zu udp entr%s expired by timeout (informational)\n", rep->expired,
			rep->expired == 1 ? "y" : "ies");
	if (rep->wipe_observed)
		fprintf(f,
			"wipe observed: %zu tcp socket%s without entry, %zu tcp entr%s picked up "
			"mid-stream\n",
			rep->wipe_no_entry, rep->wipe_no_entry == 1 ? "" : "s", rep->wipe_pickup,
			rep->wipe_pickup == 1 ? "y" : "ies");
}

/* The reason of a finding, one line. */
static void why_text(const struct ctg_audit_item *it, char *buf, size_t size)
{
	FILE *m = fmemopen(buf, size, "w");
	size_t n;

	buf[0] = '\0';
	if (!m)
		return;
	print_why(it, m);
	fclose(m);
	buf[size - 1] = '\0';
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
}

/* Group: finding, protocol, the service end (peer for clients, local for servers). */
static int group_item(struct ctg_groups *g, const struct ctg_audit_item *it)
{
	static const char *const label[] = {"ORPHANED", "ORPHANED", "ORPHANED", "AT RISK",
					    "EXPIRED"};
	const struct ctg_conn *c = &it->conn;
	bool server = c->role == CTG_AUDIT_ROLE_SERVER;
	char l[64], p[64], other[CTG_ADDRSTRLEN], key[512], why[1024];

	ctg_report_endpoint(c->family, &c->laddr, server ? c->lport : -1, l, sizeof(l));
	ctg_report_endpoint(c->family, &c->paddr, server ? -1 : c->pport, p, sizeof(p));
	ctg_addr_format(c->family, server ? &c->paddr : &c->laddr, other, sizeof(other));
	snprintf(key, sizeof(key), "%s%s %s %s %s %s (%s, %s%s%s)",
		 it->certain || it->kind == CTG_AUDIT_EXPIRED ? "" : "POSSIBLY ", label[it->kind],
		 c->l4proto == 6 ? "tcp" : "udp", l, server ? "<-" : "->", p,
		 c->service ? c->service : "unknown service", role_name(c->role),
		 c->sock && c->sock->comm[0] ? ", " : "",
		 c->sock && c->sock->comm[0] ? c->sock->comm : "");
	why_text(it, why, sizeof(why));
	return ctg_groups_add(g, key, why, server ? other : NULL);
}

void audit_print_text(const struct ctg_audit_report *rep, enum ctg_report_detail detail, FILE *f)
{
	struct ctg_groups g;
	bool fail = false;

	if (detail == CTG_REPORT_QUIET) {
		print_summary(rep, f);
		return;
	}
	if (detail == CTG_REPORT_VERBOSE || rep->n <= AUDIT_DETAIL_MAX) {
		for (size_t i = 0; i < rep->n; i++)
			audit_print_item(&rep->v[i], f);
		print_summary(rep, f);
		return;
	}
	ctg_groups_init(&g);
	for (size_t i = 0; i < rep->n && !fail; i++)
		fail = group_item(&g, &rep->v[i]) < 0;
	if (fail) /* out of memory: the list, ungrouped */
		for (size_t i = 0; i < rep->n; i++)
			audit_print_item(&rep->v[i], f);
	else
		ctg_groups_print(&g, CTG_REPORT_SCREEN - 2, f);
	ctg_groups_release(&g);
	print_summary(rep, f);
}

/* ---------------------------------------------------------------- JSON */

static json_t *finding_json(const struct ctg_audit_item *it)
{
	const struct ctg_conn *c = &it->conn;
	char ab[CTG_ADDRSTRLEN];
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "kind", ctg_audit_kind_name(it->kind),
			      "verdict", it->verdict, "ctstate", it->ctstate, "path", it->path);

	if (!o)
		return NULL;
	json_object_set_new(o, "ct_reason",
			    it->ct_reason ? json_string(it->ct_reason) : json_null());
	json_object_set_new(o, "why",
			    it->table ? json_pack("{s:s, s:s, s:i, s:i}", "table", it->table,
						  "chain", it->chain ? it->chain : "", "rule",
						  it->rule, "line", it->line)
				      : json_null());
	if (it->kind == CTG_AUDIT_NAT_LOST)
		json_object_set_new(o, "nat",
				    json_pack("{s:s, s:s, s:o, s:i}", "direction",
					      it->nat_dst ? "destination" : "source", "target",
					      it->verdict, "address",
					      it->nat_addr_known ? json_string(ctg_addr_format(
									   c->family, &it->nat_addr,
									   ab, sizeof(ab)))
								 : json_null(),
					      "port", it->nat_port));
	return o;
}

/* One connection: the common keys, certain, and its finding (null: none). */
static json_t *conn_json(const struct ctg_conn *c, const struct ctg_audit_item *it)
{
	json_t *o = ctg_report_conn_json(c);

	if (!o)
		return NULL;
	json_object_set_new(o, "certain", json_boolean(!it || it->certain));
	json_object_set_new(o, "finding", it ? finding_json(it) : json_null());
	json_object_set_new(o, "since_ns",
			    c->ct && c->ct->start_ns ? json_integer((json_int_t)c->ct->start_ns)
						     : json_null());
	return o;
}

static int print_json(const struct ctg_audit_report *rep, FILE *f)
{
	json_t *conns = json_array(), *o;
	const struct ctg_audit_item **of = calloc(rep->conns ? rep->conns : 1, sizeof(*of));

	if (!of || !conns) {
		free(of);
		json_decref(conns);
		return -ENOMEM;
	}
	for (size_t i = 0; i < rep->n; i++)
		if (rep->v[i].conn_index < rep->conns)
			of[rep->v[i].conn_index] = &rep->v[i];
	for (size_t i = 0; rep->all && i < rep->conns; i++)
		json_array_append_new(conns, conn_json(&rep->all[i], of[i]));
	free(of);
	o = json_pack("{s:s, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:I, s:I}, s:o}", "command",
		      "audit", "summary", "connections", (json_int_t)rep->conns, "orphans",
		      (json_int_t)rep->orphans, "nat_lost", (json_int_t)rep->nat_lost, "possible",
		      (json_int_t)rep->possible, "at_risk", (json_int_t)rep->at_risk, "expired",
		      (json_int_t)rep->expired, "wipe_observed", rep->wipe_observed,
		      "conntrack_entries", (json_int_t)rep->entries, "sockets",
		      (json_int_t)rep->sockets, "connections", conns);
	if (!o)
		return -ENOMEM;
	json_dumpf(o, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	json_decref(o);
	return 0;
}

/* ---------------------------------------------------------------- Nagios */

struct nagios_opts {
	long warning, critical; /* alert when orphans > N; warning -1 = unset */
};

static void nagios_first(const struct ctg_audit_report *rep, FILE *f)
{
	char l[64], p[64];

	for (size_t i = 0; i < rep->n && i < 3; i++) {
		const struct ctg_audit_item *it = &rep->v[i];
		const struct ctg_conn *c = &it->conn;

		if (!ctg_audit_is_orphan(it) || !it->certain)
			break;
		fprintf(f, "%s%s %s%s%s", i ? ", " : ": ", c->service ? c->service : "?",
			audit_endpoint(c->family, &c->laddr, c->lport, l, 64),
			c->role == CTG_AUDIT_ROLE_SERVER ? "<-" : "->",
			audit_endpoint(c->family, &c->paddr, c->pport, p, 64));
		if (c->sock && c->sock->comm[0])
			fprintf(f, " (%s)", c->sock->comm);
		if (it->kind == CTG_AUDIT_NAT_LOST)
			fprintf(f, " nat-lost by %s %s rule %u", it->verdict, it->chain, it->rule);
	}
}

/* Nagios plugin guidelines: one line, "SERVICE STATUS - text | perfdata", exit 0-3. */
static int print_nagios(const struct ctg_audit_report *rep, const struct nagios_opts *no, FILE *f)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
	int st = 0;
	char wb[24] = "";

	if ((long)rep->orphans > no->critical)
		st = 2;
	else if ((no->warning >= 0 && (long)rep->orphans > no->warning) || rep->at_risk ||
		 rep->possible)
		st = 1;
	if (no->warning >= 0)
		snprintf(wb, sizeof(wb), "%ld", no->warning);
	fprintf(f, "CTGUARD %s - %zu orphaned connection%s", names[st], rep->orphans,
		rep->orphans == 1 ? "" : "s");
	nagios_first(rep, f);
	fprintf(f, "; %zu at risk, %zu possibly orphaned, %zu nat-lost", rep->at_risk,
		rep->possible, rep->nat_lost);
	if (rep->expired)
		fprintf(f, "; %zu udp expired by timeout (informational)", rep->expired);
	if (rep->wipe_observed)
		fprintf(f, "; wipe observed");
	fprintf(f,
		" | orphans=%zu;%s;%ld;0 at_risk=%zu;;;0 possible=%zu;;;0 nat_lost=%zu;;;0 "
		"expired=%zu;;;0 connections=%zu;;;0 conntrack_entries=%zu;;;0 sockets=%zu;;;0\n",
		rep->orphans, wb, no->critical, rep->at_risk, rep->possible, rep->nat_lost,
		rep->expired, rep->conns, rep->entries, rep->sockets);
	return st;
}

/* ---------------------------------------------------------------- Prometheus */

static void prom_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
}

static void prom_head(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static const char *item_service(const struct ctg_audit_item *it, char *buf, size_t size)
{
	const struct ctg_conn *c = &it->conn;

	if (c->service)
		return c->service;
	snprintf(buf, size, "%s/%u", c->l4proto == 6 ? "tcp" : "udp",
		 c->role == CTG_AUDIT_ROLE_CLIENT ? c->pport : c->lport);
	return buf;
}

static bool in_class(const struct ctg_audit_item *it, bool orphans)
{
	return orphans ? ctg_audit_is_orphan(it) : it->kind == CTG_AUDIT_AT_RISK;
}

/* One sample per service among items of the given class (orphan or at-risk). */
static void prom_by_service(const struct ctg_audit_report *rep, FILE *f, const char *name,
			    bool orphans)
{
	char a[32], b[32];

	for (size_t i = 0; i < rep->n; i++) {
		const struct ctg_audit_item *it = &rep->v[i];
		const char *svc = item_service(it, a, sizeof(a));
		size_t n = 0;
		bool seen = false;

		if (!in_class(it, orphans) || !it->certain)
			continue;
		for (size_t j = 0; j < rep->n && !seen; j++) {
			const struct ctg_audit_item *o = &rep->v[j];

			if (!in_class(o, orphans) || !o->certain ||
			    strcmp(item_service(o, b, sizeof(b)), svc))
				continue;
			if (j < i)
				seen = true;
			n++;
		}
		if (seen)
			continue;
		fprintf(f, "%s{service=\"", name);
		prom_label(f, svc);
		fprintf(f, "\"} %zu\n", n);
	}
}

static void prom_write(const struct ctg_audit_report *rep, const struct audit_inputs *in, FILE *f)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	prom_head(
		f, "ctguard_orphaned_connections",
		"Connections the current ruleset orphaned: socket alive, peer's packets dropped.");
	fprintf(f, "ctguard_orphaned_connections %zu\n", rep->orphans);
	prom_head(f, "ctguard_orphaned_connections_by_service",
		  "Orphaned connections per service.");
	prom_by_service(rep, f, "ctguard_orphaned_connections_by_service", true);
	prom_head(f, "ctguard_nat_lost_connections",
		  "Orphaned connections whose NAT mapping was lost with their conntrack entry.");
	fprintf(f, "ctguard_nat_lost_connections %zu\n", rep->nat_lost);
	prom_head(f, "ctguard_possibly_orphaned_connections",
		  "Connections dropped on some evaluation branch (unknown matches).");
	fprintf(f, "ctguard_possibly_orphaned_connections %zu\n", rep->possible);
	prom_head(f, "ctguard_at_risk_connections",
		  "Connections alive only through a conntrack entry that may expire soon.");
	prom_by_service(rep, f, "ctguard_at_risk_connections", false);
	prom_head(f, "ctguard_expired_udp_connections",
		  "Connected UDP sockets whose entry timed out by itself (informational).");
	fprintf(f, "ctguard_expired_udp_connections %zu\n", rep->expired);
	prom_head(f, "ctguard_wipe_observed",
		  "1 when the tables show conntrack entries lost while their connections lived.");
	fprintf(f, "ctguard_wipe_observed %d\n", rep->wipe_observed ? 1 : 0);
	prom_head(f, "ctguard_connections", "Connections examined.");
	fprintf(f, "ctguard_connections %zu\n", rep->conns);
	prom_head(f, "ctguard_conntrack_entries", "Conntrack entries read.");
	fprintf(f, "ctguard_conntrack_entries %zu\n", rep->entries);
	prom_head(f, "ctguard_sockets", "Sockets read.");
	fprintf(f, "ctguard_sockets %zu\n", rep->sockets);
	prom_head(f, "ctguard_audit_duration_seconds", "Time to read the inputs and audit.");
	fprintf(f, "ctguard_audit_duration_seconds %.6f\n", in->load_seconds + in->audit_seconds);
	prom_head(f, "ctguard_last_run_timestamp_seconds", "Unix time of the last audit.");
	fprintf(f, "ctguard_last_run_timestamp_seconds %lld.%03ld\n", (long long)ts.tv_sec,
		ts.tv_nsec / 1000000);
}

/* Writes the metrics to path atomically (node_exporter may read it at any moment). */
static int prom_write_file(const struct ctg_audit_report *rep, const struct audit_inputs *in,
			   const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	if (!f)
		return -errno;
	prom_write(rep, in, f);
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	ret = ctg_file_write_atomic(path, buf, len, 0644);
	free(buf);
	return ret;
}

/* ---------------------------------------------------------------- command */

static const struct ctg_cli_opt opts[] = {
	{"format", LONG('f'), "text|json", "output format (default text)"},
	{"nagios", LONG('n'), NULL,
	 "one Nagios plugin line; exit 0 OK, 1 WARNING, 2 CRITICAL,\n"
	 "3 UNKNOWN"},
	{"warning", LONG('w'), "N",
	 "WARNING when orphans > N (default: unset; at-risk or\n"
	 "possible orphans also warn)"},
	{"critical", LONG('c'), "N", "CRITICAL when orphans > N (default 0)"},
	{"prometheus", LONG('p'), "FILE", "also write node_exporter textfile metrics (atomic)"},
	{"at-risk-timeout", LONG('t'), "SEC", "entries with fewer seconds left are at risk (600)"},
	{"timing", LONG('T'), NULL, "print the time spent reading inputs and auditing"},
	{"verbose", 'v', NULL,
	 "list every finding with its reason (default: many are\n"
	 "grouped by service, one line per group)"},
	{"quiet", 'q', NULL, "print only the summary line (the exit status says the rest)"},
	{0},
};

static const char *const conflicts[] = {
	"nagios",
	"format",
	NULL,
};

static const struct ctg_cmd_spec spec = {
	.name = "audit",
	.synopsis = "[OPTIONS] [INPUT OPTIONS]",
	.about = "Finds connections the current ruleset already orphaned: a live socket whose\n"
		 "peer's packets are dropped (no conntrack entry, or its entry's packets dropped).",
	.opts = opts,
	.inputs = true,
	.conflicts = conflicts,
	.exit = "Exit: 0 no orphan, 1 orphans found, 2 usage, 3 environment.",
};

struct audit_opts {
	bool json, nagios;
	struct nagios_opts no;
	const char *prom;
	uint32_t risk;
	bool timing;
	enum ctg_report_detail detail;
};

static int parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || *end || end == s || *out < 0 ? -1 : 0;
}

struct audit_ctx {
	struct audit_inputs *in;
	struct audit_opts *o;
	bool warning_set;
};

static int audit_opt(void *ctx, int c, const char *arg)
{
	struct audit_ctx *x = ctx;
	struct audit_opts *o = x->o;
	long v;

	switch (c) {
	case LONG('f'):
		if (strcmp(arg, "json") && strcmp(arg, "text"))
			return -EINVAL;
		o->json = !strcmp(arg, "json");
		return 0;
	case LONG('n'):
		o->nagios = true;
		return 0;
	case LONG('w'):
	case LONG('c'):
	case LONG('t'):
		if (parse_long(arg, &v) < 0 || (c == LONG('t') && v > UINT32_MAX))
			return -EINVAL;
		if (c == LONG('w'))
			o->no.warning = v;
		else if (c == LONG('c'))
			o->no.critical = v;
		else
			o->risk = (uint32_t)v;
		return 0;
	case LONG('p'):
		o->prom = arg;
		return 0;
	case LONG('T'):
		o->timing = true;
		return 0;
	case 'v':
		o->detail = CTG_REPORT_VERBOSE;
		return 0;
	case 'q':
		o->detail = CTG_REPORT_QUIET;
		return 0;
	}
	return ctg_inputs_take(&x->in->in, c, arg);
}

static int parse_args(struct ctg_cli *cli, int argc, char **argv, struct audit_inputs *in,
		      struct audit_opts *o)
{
	struct audit_ctx x = {in, o, false};
	int r;

	o->no.warning = -1;
	r = ctg_opts_parse(&spec, argc, argv, audit_opt, &x);
	if (r > 0)
		return -1;
	if (!r && optind < argc)
		r = ctg_opts_error(&spec, "unexpected argument \"%s\"", argv[optind]);
	if (!r && (o->no.warning >= 0 || o->no.critical) && !o->nagios)
		r = ctg_opts_error(&spec, "--warning and --critical need --nagios");
	if (!r && o->no.warning > o->no.critical)
		r = ctg_opts_error(&spec,
				   "--warning %ld is above --critical %ld: the warning threshold "
				   "must not exceed the critical one (default 0)",
				   o->no.warning, o->no.critical);
	return r ? CTG_EXIT_USAGE : 0;
}

static int audit_run_with(struct ctg_cli *cli, struct audit_inputs *in, const struct audit_opts *o,
			  struct ctg_audit_report *rep)
{
	struct ctg_audit_input ai;
	double t0;
	int ret = audit_inputs_load(in, cli, "audit");

	if (ret)
		return ret;
	audit_inputs_fill(in, &ai);
	if (o->risk)
		ai.at_risk_timeout = o->risk;
	ai.keep_all = o->json;
	t0 = now_mono();
	ret = ctg_audit_run(&ai, rep);
	in->audit_seconds = now_mono() - t0;
	if (ret < 0) {
		fprintf(stderr, "%s audit: %s\n", cli->prog, strerror(-ret));
		return CTG_EXIT_ENV;
	}
	return CTG_EXIT_OK;
}

int cmd_audit(struct ctg_cli *cli, int argc, char **argv)
{
	struct audit_inputs in;
	struct audit_opts o = {0};
	struct ctg_audit_report rep = {0};
	int ret, prom_err = 0;

	audit_inputs_init(&in);
	ret = parse_args(cli, argc, argv, &in, &o);
	if (ret) {
		audit_inputs_release(&in);
		return ret < 0 ? CTG_EXIT_OK : ret;
	}
	ret = audit_run_with(cli, &in, &o, &rep);
	if (ret) {
		if (o.nagios)
			printf("CTGUARD UNKNOWN - cannot read the inputs (exit %d)\n", ret);
		audit_inputs_release(&in);
		return o.nagios ? 3 : ret;
	}
	if (o.prom && (prom_err = -prom_write_file(&rep, &in, o.prom)))
		fprintf(stderr, "%s audit: writing %s: %s\n", cli->prog, o.prom,
			strerror(prom_err));
	if (o.timing || cli->verbose)
		fprintf(stderr,
			"audit: inputs %.3f s, analysis %.3f s (%zu entries, %zu sockets)\n",
			in.load_seconds, in.audit_seconds, rep.entries, rep.sockets);
	if (o.nagios && prom_err) /* the metrics are stale: the monitoring must know */
		printf("CTGUARD UNKNOWN - cannot write %s: %s; %zu orphaned connection%s\n", o.prom,
		       strerror(prom_err), rep.orphans, rep.orphans == 1 ? "" : "s");
	else if (o.nagios)
		ret = print_nagios(&rep, &o.no, stdout);
	else if (o.json)
		ret = print_json(&rep, stdout) < 0 ? CTG_EXIT_ENV : 0;
	else
		audit_print_text(&rep, o.detail, stdout);
	if (!o.nagios && !ret)
		ret = rep.orphans ? CTG_EXIT_FINDINGS : CTG_EXIT_OK;
	if (prom_err)
		ret = CTG_EXIT_ENV; /* 3, also Nagios UNKNOWN */
	ctg_audit_report_release(&rep);
	audit_inputs_release(&in);
	return ret;
}
