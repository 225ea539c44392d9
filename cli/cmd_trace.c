// SPDX-License-Identifier: GPL-2.0-or-later
/* ctguard trace: one packet's fate through every table, like the kernel's TRACE. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include <ctguard/diag.h>
#include <ctguard/ruleset.h>

#include "cli.h"
#include "common/inputs.h"
#include "common/opts.h"
#include "eval/eval.h"

enum {
	OPT_HOOK = 0x1200,
	OPT_IN,
	OPT_OUT,
	OPT_FLAGS,
	OPT_ICMP_TYPE,
	OPT_ICMP_ID,
	OPT_INNER,
	OPT_MARK,
	OPT_LEN,
	OPT_TTL,
	OPT_CTSTATE,
	OPT_EMPTY_CT,
	OPT_ALL,
	OPT_FORMAT,
	OPT_IN_ADDR,
};

static const struct ctg_cli_opt opts[] = {
	{"ipv6", '6', NULL, "IPv6 packet (--rules then names an ip6tables-save file)"},
	{"hook", OPT_HOOK, "input|output|forward", "where the packet enters (default input)"},
	{"in", OPT_IN, "IF", "input interface (default: unknown, -i rules fork)"},
	{"out", OPT_OUT, "IF", "output interface (default: unknown, -o rules fork)"},
	{"flags", OPT_FLAGS, "F,F", "TCP flags (SYN,ACK,FIN,RST,PSH,URG,ECE,CWR; default ACK)"},
	{"icmp-type", OPT_ICMP_TYPE, "T[/C]", "ICMP type and code (default echo-request)"},
	{"icmp-id", OPT_ICMP_ID, "N", "ICMP echo id (default 0)"},
	{"inner", OPT_INNER, "'PROTO SRC DST'", "packet quoted by an ICMP error"},
	{"mark", OPT_MARK, "N", "packet mark"},
	{"len", OPT_LEN, "N", "IP total length"},
	{"ttl", OPT_TTL, "N",
	 "TTL / hop limit as on the wire when the packet arrives\n"
	 "(forward: FORWARD and POSTROUTING see N-1, as after\n"
	 "ip_forward; N <= 1 is dropped there); default 64"},
	{"in-addr", OPT_IN_ADDR, "ADDR",
	 "primary address of the --in interface (REDIRECT's\n"
	 "target; default unknown)"},
	{"ctstate", OPT_CTSTATE, "STATE",
	 "force the state (NEW, ESTABLISHED, RELATED, INVALID,\n"
	 "UNTRACKED); default: from the conntrack view"},
	{"empty-ct", OPT_EMPTY_CT, NULL, "conntrack view empty (as after conntrack -F)"},
	{"all", OPT_ALL, NULL, "list every rule evaluated, not only the matching ones"},
	{"format", OPT_FORMAT, "text|json", "output format (default text)"},
	{0},
};

static const char *const conflicts[] = {
	"ctstate",
	"empty-ct",
	NULL,
};

static const struct ctg_cmd_spec spec = {
	.name = "trace",
	.synopsis = "[OPTIONS] [INPUT OPTIONS] PROTO SRC[:PORT] DST[:PORT]",
	.about = "Explain one packet: the conntrack state it gets and every rule it meets,\n"
		 "table by table in kernel order, with the final verdict.\n"
		 "PROTO: tcp, udp, icmp, icmpv6 or a number. IPv6 with ports: [ADDR]:PORT.",
	.opts = opts,
	.inputs = true,
	.conflicts = conflicts,
	.exit = "Exit: 0 ok, 2 usage or parse error, 3 environment error.",
};

struct trace_opts {
	enum ctg_family fam;
	int path;
	const char *iif, *oif;
	const char *flags, *icmp_type, *icmp_id, *inner, *mark, *len, *ttl, *in_addr;
	int ctstate; /* -1 = from the view */
	bool empty_ct, all, json;
};

/* ---------------------------------------------------------------- packet parsing */

static int parse_proto(const char *s, enum ctg_family fam)
{
	char *end;
	long n;

	if (!strcasecmp(s, "tcp"))
		return 6;
	if (!strcasecmp(s, "udp"))
		return 17;
	if (!strcasecmp(s, "icmp"))
		return fam == CTG_FAMILY_IPV6 ? 58 : 1;
	if (!strcasecmp(s, "icmpv6") || !strcasecmp(s, "ipv6-icmp") || !strcasecmp(s, "icmp6"))
		return 58;
	if (!strcasecmp(s, "sctp"))
		return 132;
	if (!strcasecmp(s, "gre"))
		return 47;
	if (!strcasecmp(s, "esp"))
		return 50;
	n = strtol(s, &end, 10);
	return (*s && !*end && n >= 0 && n <= 255) ? (int)n : -1;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 0);
	return (errno || *end || *out > max) ? -EINVAL : 0;
}

/* "1.2.3.4", "1.2.3.4:80", "fd00::1", "[fd00::1]:80". */
static int parse_endpoint(const char *s, enum ctg_family fam, struct ctg_addr *a, uint16_t *port)
{
	char buf[128];
	const char *addr = buf, *p = NULL;
	unsigned long n;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if (buf[0] == '[') {
		char *rb = strchr(buf, ']');

		if (!rb)
			return -EINVAL;
		*rb = 0;
		addr = buf + 1;
		if (rb[1] == ':')
			p = rb + 2;
		else if (rb[1])
			return -EINVAL;
	} else if (fam == CTG_FAMILY_IPV4 && strchr(buf, ':')) {
		char *c = strchr(buf, ':');

		*c = 0;
		p = c + 1;
	}
	*port = 0;
	if (p) {
		if (parse_ulong(p, 65535, &n))
			return -EINVAL;
		*port = (uint16_t)n;
	}
	return ctg_addr_parse(fam, addr, a);
}

static int parse_flags(const char *s, uint8_t *out)
{
	static const char *const names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
	char buf[128], *save, *w;

	*out = 0;
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if (!strcasecmp(buf, "NONE"))
		return 0;
	for (w = strtok_r(buf, ",|", &save); w; w = strtok_r(NULL, ",|", &save)) {
		unsigned i;

		for (i = 0; i < 8 && strcasecmp(w, names[i]); i++)
			;
		if (i == 8)
			return -EINVAL;
		*out |= (uint8_t)(1u << i);
	}
	return 0;
}

static int parse_icmp_type(const char *s, struct ctg_pkt *p)
{
	unsigned long t, c = 0;
	char buf[32], *slash;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = 0;
		if (parse_ulong(slash + 1, 255, &c))
			return -EINVAL;
	}
	if (!strcasecmp(buf, "echo-request"))
		t = p->family == 10 ? 128 : 8;
	else if (!strcasecmp(buf, "echo-reply"))
		t = p->family == 10 ? 129 : 0;
	else if (!strcasecmp(buf, "port-unreachable"))
		t = p->family == 10 ? 1 : 3, c = p->family == 10 ? 4 : 3;
	else if (parse_ulong(buf, 255, &t))
		return -EINVAL;
	p->icmp_type = (uint8_t)t;
	p->icmp_code = (uint8_t)c;
	return 0;
}

/* "PROTO SRC[:PORT] DST[:PORT]" quoted by an ICMP error. */
static int parse_inner(const char *s, enum ctg_family fam, struct ctg_pkt *p)
{
	char buf[256], *save, *w[3];
	struct ctg_pkt q;
	int proto;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	w[0] = strtok_r(buf, " ", &save);
	w[1] = strtok_r(NULL, " ", &save);
	w[2] = strtok_r(NULL, " ", &save);
	if (!w[2] || (proto = parse_proto(w[0], fam)) < 0)
		return -EINVAL;
	memset(&q, 0, sizeof(q));
	q.family = (uint8_t)fam;
	q.l4proto = (uint8_t)proto;
	q.icmp_type = fam == CTG_FAMILY_IPV6 ? 128 : 8;
	if (parse_endpoint(w[1], fam, &q.src, &q.sport) ||
	    parse_endpoint(w[2], fam, &q.dst, &q.dport))
		return -EINVAL;
	p->has_inner = true;
	p->inner_l4proto = (uint8_t)proto;
	ctg_ct_pkt_tuple(&q, &p->inner);
	return 0;
}

static int parse_numbers(const struct trace_opts *o, struct ctg_pkt *p)
{
	unsigned long n;

	if (o->mark) {
		if (parse_ulong(o->mark, UINT32_MAX, &n))
			return -EINVAL;
		p->mark = (uint32_t)n;
	}
	p->mark_known = true;
	p->len = 60;
	if (o->len) {
		if (parse_ulong(o->len, 65535, &n))
			return -EINVAL;
		p->len = (uint16_t)n;
	}
	p->ttl = 64;
	if (o->ttl) {
		if (parse_ulong(o->ttl, 255, &n))
			return -EINVAL;
		p->ttl = (uint8_t)n;
	}
	if (o->icmp_id) {
		if (parse_ulong(o->icmp_id, 65535, &n))
			return -EINVAL;
		p->sport = (uint16_t)n;
	}
	return 0;
}

static int build_packet(const struct trace_opts *o, char **args, struct ctg_pkt *p)
{
	int proto = parse_proto(args[0], o->fam);

	memset(p, 0, sizeof(*p));
	p->family = (uint8_t)o->fam;
	if (proto < 0)
		return fprintf(stderr, "ctguard trace: unknown protocol \"%s\"\n", args[0]),
		       -EINVAL;
	p->l4proto = (uint8_t)proto;
	if (parse_endpoint(args[1], o->fam, &p->src, &p->sport) ||
	    parse_endpoint(args[2], o->fam, &p->dst, &p->dport))
		return fprintf(stderr, "ctguard trace: bad address \"%s\" or \"%s\"\n", args[1],
			       args[2]),
		       -EINVAL;
	p->tcp_flags = CTG_TH_ACK;
	if (o->flags && parse_flags(o->flags, &p->tcp_flags))
		return fprintf(stderr, "ctguard trace: bad --flags \"%s\"\n", o->flags), -EINVAL;
	if (proto == 1 || proto == 58) {
		p->sport = 0;
		p->dport = 0;
		if (parse_icmp_type(o->icmp_type ? o->icmp_type : "echo-request", p))
			return fprintf(stderr, "ctguard trace: bad --icmp-type\n"), -EINVAL;
	}
	if (o->inner && parse_inner(o->inner, o->fam, p))
		return fprintf(stderr, "ctguard trace: bad --inner \"%s\"\n", o->inner), -EINVAL;
	if (parse_numbers(o, p))
		return fprintf(stderr, "ctguard trace: bad --mark/--len/--ttl/--icmp-id\n"),
		       -EINVAL;
	p->iif = o->iif;
	p->oif = o->oif;
	p->iif_unknown = !o->iif;
	p->oif_unknown = !o->oif;
	/* without --in/--out: from routing when there is some (run), else unknown */
	p->route_iif = !o->iif && o->path != CTG_PATH_LOCAL_OUT;
	p->route_oif = !o->oif && o->path != CTG_PATH_LOCAL_IN;
	return 0;
}

/* ---------------------------------------------------------------- output */

/* The backend's ruleset a step's table came from (several backends loaded at once). */
static const struct ctg_ruleset *step_rs(const struct ctg_ruleset *rs,
					 const struct ctg_trace_step *s)
{
	for (const struct ctg_ruleset *r = rs; r; r = r->next)
		if (r->backend == s->backend)
			return r;
	return rs;
}

/* "filter", or "filter(legacy)" when more than one backend is loaded. */
static const char *step_table(const struct ctg_ruleset *rs, const struct ctg_trace_step *s,
			      char *buf, size_t size)
{
	static const char *const names[] = {"raw", "mangle", "nat", "filter", "security"};
	const char *t = s->table < 5 ? names[s->table] : "?";

	if (!rs->next)
		return t;
	snprintf(buf, size, "%s(%s)", t, ctg_ipt_backend_name(s->backend));
	return buf;
}

static char *source_line(const struct ctg_ruleset *rs, uint32_t line)
{
	const char *s = rs->text, *end = rs->text ? rs->text + rs->text_len : NULL, *nl;

	if (!s || !line)
		return NULL;
	for (uint32_t i = 1; i < line; i++) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			return NULL;
		s = nl + 1;
	}
	nl = memchr(s, '\n', (size_t)(end - s));
	return strndup(s, nl ? (size_t)(nl - s) : (size_t)(end - s));
}

static const char *step_kind(const struct ctg_trace_step *s)
{
	switch (s->kind) {
	case CTG_STEP_RULE:
		return "rule";
	case CTG_STEP_RETURN:
		return "return";
	case CTG_STEP_POLICY:
		return "policy";
	case CTG_STEP_NAT_SKIP:
		return "skip";
	case CTG_STEP_NAT:
		return "nat";
	case CTG_STEP_TTL:
		return "ttl-expired";
	case CTG_STEP_NATIVE:
		return "native-nft";
	default:
		return "ct";
	}
}

/* Rule number as TRACE prints it: policy/return = rules in the chain + 1. */
static uint32_t step_number(const struct ctg_ruleset *rs, const struct ctg_trace_step *s)
{
	if (s->kind == CTG_STEP_RULE || s->chain < 0)
		return s->rule;
	return step_rs(rs, s)->tables[s->table].chains[s->chain].nrules + 1;
}

static const char *step_action(const struct ctg_trace_step *s)
{
	if (s->kind == CTG_STEP_NAT_SKIP)
		return "SKIP";
	if (s->kind == CTG_STEP_RULE && s->action == CTG_V_JUMP)
		return s->r ? s->r->target.name : "JUMP";
	if (s->kind == CTG_STEP_RULE && s->action == CTG_V_CONTINUE && s->r && s->r->target.name &&
	    s->match != CTG_FALSE)
		return s->r->target.name;
	return s->match == CTG_FALSE ? "NOMATCH" : ctg_verdict_name(s->action);
}

static const char *hook_name(uint8_t h)
{
	static const char *const names[] = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT",
					    "POSTROUTING"};

	return h < 5 ? names[h] : "?";
}

static void print_step(const struct ctg_ruleset *rs, const struct ctg_trace_step *s)
{
	char *text = s->kind == CTG_STEP_RULE ? source_line(step_rs(rs, s), s->line) : NULL;
	char tb[48];

	if (s->kind == CTG_STEP_NAT || s->kind == CTG_STEP_TTL || s->kind == CTG_STEP_NATIVE) {
		printf("%s%s %s%s", s->branch ? "  " : "", hook_name(s->hook),
		       s->kind == CTG_STEP_NAT	 ? "packet translated (nat)"
		       : s->kind == CTG_STEP_TTL ? "TTL expired: dropped by ip_forward"
						 : "native nftables chains decide: unknown",
		       s->branch ? "" : "\n");
		if (s->branch)
			printf(" [branch %u]\n", s->branch);
		return;
	}

	printf("%s%s:%s:%s:%u %s%s", s->branch ? "  " : "", step_table(rs, s, tb, sizeof(tb)),
	       s->chain_name ? s->chain_name : "?", step_kind(s), step_number(rs, s),
	       step_action(s), s->match == CTG_UNKNOWN ? " (unknown match: fork)" : "");
	if (s->branch)
		printf(" [branch %u]", s->branch);
	if (text)
		printf("\n    %u: %s", s->line, text);
	printf("\n");
	free(text);
}

static void print_ct(const struct ctg_flow_result *f)
{
	char st[64];
	const struct ctg_ct_result *c = &f->ct;

	printf("conntrack: %s", ctg_ctstate_format(c->ctstate, st, sizeof(st)));
	if (c->reason)
		printf(" (%s)", c->reason);
	if (c->found)
		printf(", entry found, %s direction", c->reply_dir ? "reply" : "original");
	if (c->action == CTG_CT_ACT_CREATE || c->action == CTG_CT_ACT_REPLACE)
		printf(", new entry %s", f->eval.possible == CTG_VB_ACCEPT ? "would be confirmed"
					 : f->eval.possible & CTG_VB_ACCEPT
						 ? "maybe confirmed"
						 : "not kept (dropped before confirm)");
	if (c->tcp_new || c->tcp_old)
		printf(", tcp %s -> %s", ctg_tcp_state_name(c->tcp_old),
		       ctg_tcp_state_name(c->tcp_new));
	printf("\n");
}

static const char *if_text(const char *name, bool unknown)
{
	return unknown ? "unknown" : name && name[0] ? name : "none";
}

static void print_text(const struct ctg_ruleset *rs, const struct ctg_trace *t,
		       const struct ctg_flow_result *f, int path)
{
	char vb[64];

	print_ct(f);
	if (path != CTG_PATH_LOCAL_OUT)
		printf("in: %s\n", if_text(f->eval.iif, f->eval.iif_unknown));
	if (path != CTG_PATH_LOCAL_IN)
		printf("out: %s\n", if_text(f->eval.oif, f->eval.oif_unknown));
	for (size_t i = 0; i < t->n; i++)
		print_step(rs, &t->v[i]);
	if (f->eval.nat) {
		char a[CTG_ADDRSTRLEN], b[CTG_ADDRSTRLEN];
		const struct ctg_tuple *n = &f->eval.nat_pkt;

		printf("translated: %s:%u -> %s:%u\n",
		       ctg_addr_format(rs->family, &n->src, a, sizeof(a)), n->sport,
		       f->eval.nat_dst_unknown ? "?"
					       : ctg_addr_format(rs->family, &n->dst, b, sizeof(b)),
		       n->dport);
		if (f->eval.nat_dst_unknown)
			printf("  (? = address of the incoming interface: give it with "
			       "--in-addr)\n");
	}
	printf("verdict: %s (%s)\n", ctg_verdict_name(f->eval.verdict),
	       f->eval.certain ? "certain"
			       : ctg_verdict_bits_format(f->eval.possible, vb, sizeof(vb)));
	if (!f->eval.certain)
		printf("possible: %s%s\n",
		       ctg_verdict_bits_format(f->eval.possible, vb, sizeof(vb)),
		       f->eval.truncated ? " (branch limit reached)" : "");
}

static json_t *step_json(const struct ctg_ruleset *rs, const struct ctg_trace_step *s)
{
	static const char *const names[] = {"raw", "mangle", "nat", "filter", "security"};
	json_t *o = json_object();
	char *text = s->kind == CTG_STEP_RULE ? source_line(step_rs(rs, s), s->line) : NULL;
	bool no_table = s->kind == CTG_STEP_TTL || s->kind == CTG_STEP_NATIVE || s->table >= 5;

	json_object_set_new(o, "table", json_string(no_table ? "" : names[s->table]));
	if (s->backend)
		json_object_set_new(o, "backend", json_string(ctg_ipt_backend_name(s->backend)));
	if (s->kind == CTG_STEP_NAT || s->kind == CTG_STEP_TTL || s->kind == CTG_STEP_NATIVE)
		json_object_set_new(o, "hook", json_string(hook_name(s->hook)));
	json_object_set_new(o, "chain", json_string(s->chain_name ? s->chain_name : ""));
	json_object_set_new(o, "kind", json_string(step_kind(s)));
	json_object_set_new(o, "rule", json_integer(step_number(rs, s)));
	json_object_set_new(o, "line", json_integer(s->line));
	json_object_set_new(o, "action", json_string(step_action(s)));
	json_object_set_new(o, "match",
			    json_string(s->match == CTG_UNKNOWN ? "unknown"
					: s->match == CTG_FALSE ? "false"
								: "true"));
	json_object_set_new(o, "branch", json_integer(s->branch));
	if (text)
		json_object_set_new(o, "text", json_string(text));
	free(text);
	return o;
}

/* The packet as the last hook saw it after NAT (branch 0). */
static json_t *nat_json(const struct ctg_flow_result *f, uint8_t fam)
{
	json_t *o = json_object();
	char a[CTG_ADDRSTRLEN];
	const struct ctg_tuple *t = &f->eval.nat_pkt;

	ctg_addr_format(fam, &t->src, a, sizeof(a));
	json_object_set_new(o, "src", json_string(a));
	ctg_addr_format(fam, &t->dst, a, sizeof(a));
	json_object_set_new(o, "dst", json_string(f->eval.nat_dst_unknown ? "unknown" : a));
	json_object_set_new(o, "sport", json_integer(t->sport));
	json_object_set_new(o, "dport", json_integer(t->dport));
	return o;
}

static void print_json(const struct ctg_ruleset *rs, const struct ctg_trace *t,
		       const struct ctg_flow_result *f, int dir)
{
	json_t *o = json_object(), *path = json_array(), *poss = json_array();
	char buf[64];
	static const char *const vb[] = {"ACCEPT", "DROP", "REJECT", "QUEUE"};

	for (size_t i = 0; i < t->n; i++)
		json_array_append_new(path, step_json(rs, &t->v[i]));
	for (unsigned i = 0; i < 4; i++)
		if (f->eval.possible & (1u << i))
			json_array_append_new(poss, json_string(vb[i]));
	json_object_set_new(o, "verdict", json_string(ctg_verdict_name(f->eval.verdict)));
	json_object_set_new(o, "certain", json_boolean(f->eval.certain));
	json_object_set_new(o, "possible", poss);
	json_object_set_new(o, "ctstate",
			    json_string(ctg_ctstate_format(f->ct.ctstate, buf, sizeof(buf))));
	json_object_set_new(o, "ct_reason", json_string(f->ct.reason ? f->ct.reason : ""));
	json_object_set_new(o, "ct_reply_dir", json_boolean(f->ct.reply_dir));
	if (dir != CTG_PATH_LOCAL_OUT)
		json_object_set_new(o, "in",
				    f->eval.iif_unknown ? json_null()
							: json_string(if_text(f->eval.iif, false)));
	if (dir != CTG_PATH_LOCAL_IN)
		json_object_set_new(o, "out",
				    f->eval.oif_unknown ? json_null()
							: json_string(if_text(f->eval.oif, false)));
	if (f->eval.nat)
		json_object_set_new(o, "translated", nat_json(f, rs->family));
	json_object_set_new(o, "path", path);
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	printf("\n");
	json_decref(o);
}

/* ---------------------------------------------------------------- command */

static int trace_opt(struct trace_opts *o, int c, const char *arg)
{
	switch (c) {
	case '6':
		o->fam = CTG_FAMILY_IPV6;
		return 0;
	case OPT_HOOK:
		o->path = ctg_eval_path_parse(arg);
		return o->path < 0 ? -1 : 0;
	case OPT_IN:
		o->iif = arg;
		return 0;
	case OPT_OUT:
		o->oif = arg;
		return 0;
	case OPT_FLAGS:
		o->flags = arg;
		return 0;
	case OPT_ICMP_TYPE:
		o->icmp_type = arg;
		return 0;
	case OPT_ICMP_ID:
		o->icmp_id = arg;
		return 0;
	case OPT_INNER:
		o->inner = arg;
		return 0;
	case OPT_MARK:
		o->mark = arg;
		return 0;
	case OPT_LEN:
		o->len = arg;
		return 0;
	case OPT_TTL:
		o->ttl = arg;
		return 0;
	case OPT_IN_ADDR:
		o->in_addr = arg;
		return 0;
	case OPT_CTSTATE:
		o->ctstate = ctg_ctstate_parse(arg);
		return o->ctstate < 0 ? -1 : 0;
	case OPT_EMPTY_CT:
		o->empty_ct = true;
		return 0;
	case OPT_ALL:
		o->all = true;
		return 0;
	case OPT_FORMAT:
		o->json = !strcmp(arg, "json");
		return (o->json || !strcmp(arg, "text")) ? 0 : -1;
	}
	return -1;
}

struct trace_ctx {
	struct ctg_inputs *in;
	struct trace_opts *o;
};

static int trace_opt_cb(void *ctx, int c, const char *arg)
{
	struct trace_ctx *x = ctx;

	if (c >= CTG_OPT_RULES && c <= CTG_OPT_SYSCTL)
		return ctg_inputs_take(x->in, c, arg);
	return trace_opt(x->o, c, arg) ? -EINVAL : 0;
}

static int parse_args(struct ctg_inputs *in, struct trace_opts *o, int argc, char **argv)
{
	struct trace_ctx x = {in, o};
	int r = ctg_opts_parse(&spec, argc, argv, trace_opt_cb, &x);

	if (r)
		return r > 0 ? -1 : CTG_EXIT_USAGE;
	if (argc - optind != 3) {
		ctg_opts_error(&spec, "expected PROTO SRC[:PORT] DST[:PORT], got %d argument%s",
			       argc - optind, argc - optind == 1 ? "" : "s");
		return CTG_EXIT_USAGE;
	}
	if (o->fam == CTG_FAMILY_IPV6 && in->rules4_path && !in->rules6_path) {
		in->rules6_path = in->rules4_path;
		in->rules4_path = NULL;
	}
	return CTG_EXIT_OK;
}

static void make_env(const struct ctg_inputs *in, const struct trace_opts *o,
		     struct ctg_eval_env *env, struct ctg_local_addr **locals,
		     struct ctg_iface_addr *inaddr)
{
	ctg_eval_env_init(env);
	env->sysctls = in->sysctls;
	env->all_rules = o->all;
	if (in->routes) {
		env->route = ctg_routes_eval_cb;
		env->route_arg = in->routes;
	}
	if (o->in_addr && o->iif) {
		inaddr->ifname = o->iif;
		inaddr->family = (uint8_t)o->fam;
		if (!ctg_addr_parse(o->fam, o->in_addr, &inaddr->addr)) {
			env->ifaddr = inaddr;
			env->nifaddr = 1;
		}
	}
	*locals = in->locals.n ? calloc(in->locals.n, sizeof(**locals)) : NULL;
	if (!*locals)
		return;
	for (size_t i = 0; i < in->locals.n; i++) {
		(*locals)[i].family = in->locals.v[i].family;
		(*locals)[i].addr = in->locals.v[i].a;
	}
	env->local = *locals;
	env->nlocal = in->locals.n;
	env->local_known = in->locals_live;
}

static int run(const struct ctg_ruleset *rs, const struct ctg_inputs *in,
	       const struct trace_opts *o, const struct ctg_pkt *p)
{
	struct ctg_eval_env env;
	struct ctg_local_addr *locals;
	struct ctg_iface_addr inaddr;
	struct ctg_trace t;
	struct ctg_flow_result f;
	struct ctg_ct_view *v = NULL;
	int rc;

	make_env(in, o, &env, &locals, &inaddr);
	ctg_trace_init(&t);
	memset(&f, 0, sizeof(f));
	if (o->ctstate >= 0) {
		struct ctg_pkt q = *p;

		q.ctstate = (uint8_t)o->ctstate;
		rc = ctg_eval_packet(rs, (enum ctg_eval_path)o->path, &q, &env, &t, &f.eval);
		f.ct.ctstate = q.ctstate;
		f.ct.reason = "forced";
	} else {
		v = ctg_ct_view_new(o->empty_ct ? NULL : &in->ct);
		rc = v ? ctg_eval_flow_packet(rs, v, &env, (enum ctg_eval_path)o->path, p, false,
					      &t, &f)
		       : -ENOMEM;
	}
	if (!rc) {
		if (o->json)
			print_json(rs, &t, &f, o->path);
		else
			print_text(rs, &t, &f, o->path);
	} else {
		fprintf(stderr, "ctguard trace: %s\n", strerror(-rc));
	}
	ctg_ct_view_free(v);
	ctg_trace_release(&t);
	free(locals);
	return rc ? CTG_EXIT_ENV : CTG_EXIT_OK;
}

int cmd_trace(struct ctg_cli *cli, int argc, char **argv)
{
	struct trace_opts o = {.fam = CTG_FAMILY_IPV4, .path = CTG_PATH_LOCAL_IN, .ctstate = -1};
	struct ctg_inputs in;
	struct ctg_pkt p;
	unsigned need;
	int rc;

	ctg_cli_inputs_init(&in);
	rc = parse_args(&in, &o, argc, argv);
	if (rc) {
		ctg_inputs_release(&in);
		return rc < 0 ? CTG_EXIT_OK : rc;
	}
	if (o.in_addr) {
		struct ctg_addr a;

		if (!o.iif || ctg_addr_parse(o.fam, o.in_addr, &a)) {
			fprintf(stderr, "ctguard trace: --in-addr needs --in and an address of "
					"the packet's family\n");
			ctg_inputs_release(&in);
			return CTG_EXIT_USAGE;
		}
	}
	if (build_packet(&o, argv + optind, &p)) {
		ctg_inputs_release(&in);
		return CTG_EXIT_USAGE;
	}
	need = CTG_IN_SYSCTLS | CTG_IN_ROUTES |
	       (o.fam == CTG_FAMILY_IPV6 ? CTG_IN_RULES6 : CTG_IN_RULES4);
	if (o.ctstate < 0 && !o.empty_ct)
		need |= CTG_IN_CT | CTG_IN_LOCALS;
	rc = ctg_cli_inputs_load(&in, need, "ctguard trace", stderr);
	if (!rc)
		rc = run(o.fam == CTG_FAMILY_IPV6 ? in.rules6 : in.rules4, &in, &o, &p);
	ctg_inputs_release(&in);
	return rc;
}
