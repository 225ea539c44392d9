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

struct heal_opts {
	struct ctg_heal_opts h;
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
		o->h.peer_port = (uint16_t)port;
	}
	if (ctg_addr_parse(2, buf, &o->h.peer) == 0)
		o->h.peer_family = 2;
	else if (ctg_addr_parse(10, buf, &o->h.peer) == 0)
		o->h.peer_family = 10;
	else
		return -1;
	return 0;
}

/* Renders one result of the library's heal (nothing for the uncertain and unbuildable). */
static void print_item(const struct ctg_heal_item *h)
{
	struct ctg_strbuf sb;

	if (h->status == CTG_HEAL_NOT_HEALABLE) {
		printf("not healable (%s):\n    ",
		       h->it->kind == CTG_AUDIT_NAT_LOST
			       ? "a plain entry cannot restore the lost NAT mapping"
			       : "its conntrack entry exists; the ruleset drops it");
		audit_print_item(h->it, stdout);
		return;
	}
	if (h->status < CTG_HEAL_PLANNED)
		return;
	ctg_sb_init(&sb);
	ctg_heal_format_cmd(&h->entry, &sb);
	if (h->status == CTG_HEAL_PLANNED)
		printf("%s\n", ctg_sb_str(&sb));
	else if (h->status == CTG_HEAL_REFUSED)
		printf("refused: %s\n    no ESTABLISHED local socket for this connection\n",
		       ctg_sb_str(&sb));
	else if (h->status == CTG_HEAL_INSERTED)
		printf("healed: %s\n", ctg_sb_str(&sb));
	else
		printf("failed: %s\n    %s\n", ctg_sb_str(&sb),
		       h->err == -EEXIST ? "an entry with this tuple exists already"
					 : strerror(-h->err));
	ctg_sb_release(&sb);
}

static int heal_report(struct ctg_cli *cli, const struct heal_opts *o,
		       const struct ctg_audit_report *rep, const struct ctg_sysctls *sc)
{
	struct ctg_heal_report r;
	int ret = ctg_heal_run(rep, sc, &o->h, &r);

	if (ret < 0) {
		fprintf(stderr, "%s heal: reading sockets: %s\n", cli->prog, strerror(-ret));
		return CTG_EXIT_ENV;
	}
	for (size_t i = 0; i < r.n; i++)
		print_item(&r.v[i]);
	if (o->h.dry_run)
		printf("%zu entr%s would be inserted\n", r.planned, r.planned == 1 ? "y" : "ies");
	else
		printf("%zu inserted, %zu refused, %zu failed, %zu skipped (uncertain)\n",
		       r.inserted, r.refused, r.failed, r.skipped);
	ret = r.refused || r.failed ? CTG_EXIT_FINDINGS : CTG_EXIT_OK;
	ctg_heal_report_release(&r);
	return ret;
}

struct heal_ctx {
	struct audit_inputs *in;
	struct heal_opts *o;
};

static int heal_opt(void *ctx, int c, const char *arg)
{
	struct heal_ctx *x = ctx;

	if (c == 'n') {
		x->o->h.dry_run = true;
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
