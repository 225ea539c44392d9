// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctguard heal: re-insert the conntrack entry of each orphaned connection that still has
 * a live local socket. Plan from an audit; every insert is re-checked against a fresh
 * sock_diag dump first, and made with NLM_F_EXCL so no existing entry is ever touched.
 */
#include "cmd_audit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/heal.h"
#include "apply/heal_nl.h"

struct heal_opts {
	bool dry_run, have_peer, peer_port;
	uint8_t peer_family;
	struct ctg_addr peer;
	uint16_t port;
};

struct heal_counts {
	size_t planned, inserted, refused, failed, skipped;
};

static const struct ctg_cli_opt opts[] = {
	{"dry-run", 'n', NULL, "print the plan as conntrack -I commands, change nothing"},
	{"peer", LONG('p'), "ADDR[:PORT]", "only connections to/from this peer ([v6addr]:port)"},
	{0},
};

static const struct ctg_cmd_spec spec = {
	.name = "heal",
	.synopsis = "[OPTIONS] [INPUT OPTIONS]",
	.about =
		"Re-inserts the conntrack entry of each orphaned connection (see ctguard audit)\n"
		"that still has a live local socket (ESTABLISHED TCP, connected UDP): original\n"
		"direction from the opener, SEEN_REPLY|ASSURED, TCP state ESTABLISHED, the\n"
		"established (UDP: stream) timeout. Never creates an entry without a live socket;\n"
		"NAT-lost connections are listed, not healed (a plain entry has no NAT mapping).",
	.opts = opts,
	.inputs = true,
	.exit = "Exit: 0 done (or nothing to do), 1 some entry not inserted, 2 usage,\n"
		"3 environment.",
};

static int parse_peer(const char *s, struct heal_opts *o)
{
	char buf[CTG_ADDRSTRLEN + 8], *colon;
	char *end;
	unsigned long port;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	colon = NULL;
	if (buf[0] == '[') {
		char *rb = strchr(buf, ']');

		if (!rb || (rb[1] && rb[1] != ':'))
			return -1;
		*rb = 0;
		colon = rb[1] ? rb + 1 : NULL;
		memmove(buf, buf + 1, strlen(buf));
	} else if (strchr(buf, ':') == strrchr(buf, ':')) {
		colon = strchr(buf, ':');
	}
	if (colon) {
		*colon = 0;
		port = strtoul(colon + 1, &end, 10);
		if (*end || !port || port > 65535)
			return -1;
		o->peer_port = true;
		o->port = (uint16_t)port;
	}
	if (ctg_addr_parse(2, buf, &o->peer) == 0)
		o->peer_family = 2;
	else if (ctg_addr_parse(10, buf, &o->peer) == 0)
		o->peer_family = 10;
	else
		return -1;
	o->have_peer = true;
	return 0;
}

static bool peer_selected(const struct heal_opts *o, const struct ctg_conn *c)
{
	if (!o->have_peer)
		return true;
	return c->family == o->peer_family && ctg_addr_eq(&c->paddr, &o->peer) &&
	       (!o->peer_port || c->pport == o->port);
}

/* The live socket table still has this exact ESTABLISHED connection. */
static bool socket_alive(const struct ctg_sock_table *live, const struct ctg_sock *sk)
{
	for (size_t i = 0; i < live->n; i++) {
		const struct ctg_sock *s = &live->v[i];

		if (s->l4proto == sk->l4proto && s->state == CTG_SK_ESTABLISHED &&
		    s->family == sk->family && s->lport == sk->lport && s->pport == sk->pport &&
		    ctg_addr_eq(&s->laddr, &sk->laddr) && ctg_addr_eq(&s->paddr, &sk->paddr))
			return true;
	}
	return false;
}

static void heal_one(struct ctg_cli *cli, const struct heal_opts *o,
		     const struct ctg_sock_table *live, const struct ctg_audit_item *it,
		     const struct ctg_sysctls *sc, struct heal_counts *n)
{
	uint32_t timeout = it->conn.l4proto == 6 ? ctg_audit_sysctls_established_timeout(sc)
						 : ctg_audit_sysctls_udp_stream_timeout(sc);
	const struct ctg_conn *c = &it->conn;
	struct ctg_strbuf sb;
	struct ctg_ct_entry e;
	int ret;

	if (ctg_heal_entry_for_sock(c->sock, c->role == CTG_AUDIT_ROLE_SERVER, timeout, &e) < 0) {
		n->skipped++;
		return;
	}
	n->planned++;
	ctg_sb_init(&sb);
	ctg_heal_format_cmd(&e, &sb);
	if (o->dry_run) {
		printf("%s\n", ctg_sb_str(&sb));
	} else if (!socket_alive(live, c->sock)) {
		printf("refused: %s\n    no ESTABLISHED local socket for this connection\n",
		       ctg_sb_str(&sb));
		n->refused++;
	} else if ((ret = ctg_heal_nl_insert(&e)) == 0) {
		printf("healed: %s\n", ctg_sb_str(&sb));
		n->inserted++;
	} else {
		printf("failed: %s\n    %s\n", ctg_sb_str(&sb),
		       ret == -EEXIST ? "an entry with this tuple exists already" : strerror(-ret));
		n->failed++;
	}
	ctg_sb_release(&sb);
	(void)cli;
}

static int heal_report(struct ctg_cli *cli, const struct heal_opts *o,
		       const struct ctg_audit_report *rep, const struct ctg_sysctls *sc)
{
	struct ctg_sock_table live;
	struct heal_counts n = {0};
	int ret = 0;

	ctg_sock_table_init(&live);
	if (!o->dry_run && (ret = ctg_sock_read_diag(&live, CTG_SOCK_TCP | CTG_SOCK_UDP)) < 0) {
		fprintf(stderr, "%s heal: reading sockets: %s\n", cli->prog, strerror(-ret));
		ctg_sock_table_release(&live);
		return CTG_EXIT_ENV;
	}
	for (size_t i = 0; i < rep->n; i++) {
		const struct ctg_audit_item *it = &rep->v[i];

		if (!ctg_audit_is_orphan(it) || !peer_selected(o, &it->conn))
			continue;
		if (it->kind != CTG_AUDIT_NO_ENTRY || !it->conn.sock) {
			printf("not healable (%s):\n    ",
			       it->kind == CTG_AUDIT_NAT_LOST
				       ? "a plain entry cannot restore the lost NAT mapping"
				       : "its conntrack entry exists; the ruleset drops it");
			audit_print_item(it, stdout);
			continue;
		}
		if (!it->certain) {
			n.skipped++;
			continue;
		}
		heal_one(cli, o, &live, it, sc, &n);
	}
	ctg_sock_table_release(&live);
	if (o->dry_run)
		printf("%zu entr%s would be inserted\n", n.planned, n.planned == 1 ? "y" : "ies");
	else
		printf("%zu inserted, %zu refused, %zu failed, %zu skipped (uncertain)\n",
		       n.inserted, n.refused, n.failed, n.skipped);
	return n.refused || n.failed ? CTG_EXIT_FINDINGS : CTG_EXIT_OK;
}

struct heal_ctx {
	struct audit_inputs *in;
	struct heal_opts *o;
};

static int heal_opt(void *ctx, int c, const char *arg)
{
	struct heal_ctx *x = ctx;

	if (c == 'n') {
		x->o->dry_run = true;
		return 0;
	}
	if (c == LONG('p'))
		return parse_peer(arg, x->o) < 0 ? -EINVAL : 0;
	return ctg_inputs_take(&x->in->in, c, arg);
}

static int parse_args(struct ctg_cli *cli, int argc, char **argv, struct audit_inputs *in,
		      struct heal_opts *o)
{
	struct heal_ctx x = {in, o};
	int r = ctg_opts_parse(&spec, argc, argv, heal_opt, &x);

	if (r > 0)
		return -1;
	if (!r && optind < argc)
		r = ctg_opts_error(&spec, "unexpected argument \"%s\"", argv[optind]);
	return r ? CTG_EXIT_USAGE : 0;
}

int cmd_heal(struct ctg_cli *cli, int argc, char **argv)
{
	struct audit_inputs in;
	struct heal_opts o = {0};
	struct ctg_audit_report rep = {0};
	int ret;

	audit_inputs_init(&in);
	ret = parse_args(cli, argc, argv, &in, &o);
	if (!ret)
		ret = audit_inputs_run(&in, cli, "heal", &rep);
	if (!ret)
		ret = heal_report(cli, &o, &rep, &in.in.sysctls);
	ctg_audit_report_release(&rep);
	audit_inputs_release(&in);
	return ret < 0 ? CTG_EXIT_OK : ret;
}
