// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctguard conns [--format text|json] [input options]: one row per connection, sockets
 * joined with conntrack entries (ctg_conns_join).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include <ctguard/conns.h>
#include <ctguard/source.h>

#include "cli.h"
#include "common/inputs.h"
#include "common/opts.h"
#include "common/report.h"

static const struct ctg_cli_opt opts[] = {
	{"format", 'f', "text|json", "output format (default text)"},
	{0},
};

static const struct ctg_cmd_spec spec = {
	.name = "conns",
	.synopsis = "[OPTIONS] [INPUT OPTIONS]",
	.about = "One row per connection: sockets joined with conntrack entries (NAT through\n"
		 "the reply tuple); entries without a socket are rows too (role forward when\n"
		 "no local address is involved).",
	.opts = opts,
	.inputs = true,
	.exit = "Exit: 0 listed, 2 usage or parse error, 3 environment error.",
};

static const char *service(const struct ctg_conn *c)
{
	const char *s = NULL;

	if (c->role != CTG_ROLE_SERVER)
		s = ctg_service_name(c->l4proto, c->pport);
	if (!s && c->role != CTG_ROLE_CLIENT)
		s = ctg_service_name(c->l4proto, c->lport);
	return s;
}

static void endpoint(const struct ctg_conn *c, const struct ctg_addr *a, uint16_t port, char *buf,
		     size_t size)
{
	char ab[CTG_ADDRSTRLEN];

	ctg_addr_format(c->family, a, ab, sizeof(ab));
	if (c->l4proto != 6 && c->l4proto != 17 && c->l4proto != 132)
		snprintf(buf, size, "%s", ab); /* icmp id/type are not ports */
	else
		snprintf(buf, size, c->family == 10 ? "[%s]:%u" : "%s:%u", ab, port);
}

static long long age_s(const struct ctg_ct_entry *e)
{
	struct timespec ts;

	if (!e || !e->start_ns)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((long long)ts.tv_sec * 1000000000LL + ts.tv_nsec - (long long)e->start_ns) /
	       1000000000LL;
}

static void print_text(const struct ctg_conn_table *t)
{
	printf("%-5s %-40s %-40s %-7s %-14s %-12s %-9s %s\n", "PROTO", "LOCAL", "PEER", "ROLE",
	       "SERVICE", "CT-STATE", "TIMEOUT", "PROCESS");
	for (size_t i = 0; i < t->n; i++) {
		const struct ctg_conn *c = &t->v[i];
		const char *svc = service(c);
		char l[64], p[64], to[24] = "-", proc[40] = "-";

		endpoint(c, &c->laddr, c->lport, l, sizeof(l));
		endpoint(c, &c->paddr, c->pport, p, sizeof(p));
		if (c->ct)
			snprintf(to, sizeof(to), "%us", c->ct->timeout);
		if (c->sock && c->sock->comm[0])
			snprintf(proc, sizeof(proc), "%s[%d]", c->sock->comm, c->sock->pid);
		printf("%-5s %-40s %-40s %-7s %-14s %-12s %-9s %s\n", ctg_report_proto(c->l4proto),
		       l, p, ctg_conn_role_name(c->role), svc ? svc : "-", ctg_conn_ct_state(c), to,
		       proc);
	}
}

static json_t *json_addr(int family, const struct ctg_addr *a)
{
	char ab[CTG_ADDRSTRLEN];

	return json_string(ctg_addr_format(family, a, ab, sizeof(ab)));
}

static json_t *json_tuple(int family, const struct ctg_tuple *tu)
{
	return json_pack("{s:o, s:o, s:i, s:i}", "src", json_addr(family, &tu->src), "dst",
			 json_addr(family, &tu->dst), "sport", tu->sport, "dport", tu->dport);
}

static json_t *json_status(uint32_t st)
{
	static const char *const names[] = {
		"EXPECTED",	"SEEN_REPLY", "ASSURED",       "CONFIRMED",
		"SRC_NAT",	"DST_NAT",    "SEQ_ADJUST",    "SRC_NAT_DONE",
		"DST_NAT_DONE", "DYING",      "FIXED_TIMEOUT", "TEMPLATE",
		"UNTRACKED",	"HELPER",     "OFFLOAD",       "HW_OFFLOAD",
	};
	json_t *a = json_array();

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (st & (1u << i))
			json_array_append_new(a, json_string(names[i]));
	return a;
}

static json_t *json_ct(const struct ctg_conn *c)
{
	const struct ctg_ct_entry *e = c->ct;
	long long age = age_s(e);
	json_t *o;

	if (!e)
		return json_null();
	o = json_pack("{s:s, s:I, s:o, s:I, s:i, s:I, s:s, s:o, s:o}", "state",
		      ctg_conn_ct_state(c), "timeout", (json_int_t)e->timeout, "status",
		      json_status(e->status), "mark", (json_int_t)e->mark, "zone", e->zone, "id",
		      (json_int_t)e->id, "direction", c->ct_dir_reply ? "reply" : "original",
		      "orig", json_tuple(e->family, &e->orig), "reply",
		      json_tuple(e->family, &e->reply));
	if (e->l4proto == 6)
		json_object_set_new(o, "tcp_flags",
				    json_pack("[i,i]", e->tcp_flags[0], e->tcp_flags[1]));
	json_object_set_new(o, "age", age >= 0 ? json_integer(age) : json_null());
	return o;
}

static json_t *json_sock(const struct ctg_sock *s)
{
	if (!s)
		return json_null();
	return json_pack("{s:s, s:I, s:I, s:o, s:o}", "state", ctg_sk_state_name(s->state), "inode",
			 (json_int_t)s->inode, "uid", (json_int_t)s->uid, "pid",
			 s->pid >= 0 ? json_integer(s->pid) : json_null(), "process",
			 s->comm[0] ? json_string(s->comm) : json_null());
}

/* The common keys (report.h), then the socket and the conntrack entry in full. */
static json_t *json_conn(const struct ctg_conn *c)
{
	struct ctg_conn row = *c;
	json_t *o;

	row.service = service(c);
	o = ctg_report_conn_json(&row);
	json_object_set_new(o, "socket", json_sock(c->sock));
	json_object_set_new(o, "conntrack", json_ct(c));
	return o;
}

static int print_json(const struct ctg_conn_table *t, const struct ctg_inputs *in)
{
	json_t *root = json_object(), *arr = json_array();
	uint16_t lo = in->sysctls.port_lo, hi = in->sysctls.port_hi;
	int ret;

	for (size_t i = 0; i < t->n; i++)
		json_array_append_new(arr, json_conn(&t->v[i]));
	json_object_set_new(root, "command", json_string("conns"));
	json_object_set_new(root, "summary",
			    json_pack("{s:I, s:I, s:I}", "connections", (json_int_t)t->n,
				      "conntrack_entries", (json_int_t)in->ct.n, "sockets",
				      (json_int_t)in->socks.n));
	json_object_set_new(root, "connections", arr);
	json_object_set_new(root, "sources",
			    json_pack("{s:s, s:s, s:[i,i]}", "conntrack",
				      in->ct_path ? in->ct_path : "netlink", "sockets",
				      in->socks_path ? in->socks_path : "sock_diag",
				      "ip_local_port_range", lo, hi));
	ret = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(root);
	return ret ? CTG_EXIT_ENV : CTG_EXIT_OK;
}

static int run(struct ctg_inputs *in, bool json)
{
	struct ctg_conn_table t;
	int rc;

	rc = ctg_cli_inputs_load(in, CTG_IN_CT | CTG_IN_SOCKS | CTG_IN_SYSCTLS | CTG_IN_LOCALS,
				 "ctguard conns", stderr);
	if (rc)
		return rc;
	ctg_conn_table_init(&t);
	if (ctg_conns_join(&in->socks, &in->ct, in->locals_live ? &in->locals : NULL,
			   in->sysctls.port_lo, in->sysctls.port_hi, &t)) {
		fprintf(stderr, "ctguard conns: out of memory\n");
		return CTG_EXIT_ENV;
	}
	if (json)
		rc = print_json(&t, in);
	else
		print_text(&t);
	ctg_conn_table_release(&t);
	return rc;
}

struct conns_ctx {
	struct ctg_inputs in;
	bool json;
};

static int conns_opt(void *ctx, int c, const char *arg)
{
	struct conns_ctx *x = ctx;

	if (c != 'f')
		return ctg_inputs_take(&x->in, c, arg);
	if (strcmp(arg, "text") && strcmp(arg, "json"))
		return -EINVAL;
	x->json = !strcmp(arg, "json");
	return 0;
}

int cmd_conns(struct ctg_cli *cli, int argc, char **argv)
{
	struct conns_ctx x = {.json = false};
	int rc;

	ctg_cli_inputs_init(&x.in);
	rc = ctg_opts_parse(&spec, argc, argv, conns_opt, &x);
	if (!rc && optind < argc)
		rc = ctg_opts_error(&spec, "unexpected argument \"%s\"", argv[optind]);
	if (!rc)
		rc = run(&x.in, x.json);
	else
		rc = rc > 0 ? CTG_EXIT_OK : CTG_EXIT_USAGE;
	ctg_inputs_release(&x.in);
	return rc;
}
