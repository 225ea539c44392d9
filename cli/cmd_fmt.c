// SPDX-License-Identifier: GPL-2.0-or-later
/* ctguard fmt: parse, validate and print an iptables-save ruleset canonically. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctguard/diag.h>
#include <ctguard/ruleset.h>

#include "cli.h"
#include "common/opts.h"

static const struct ctg_cli_opt opts[] = {
	{"check", 'c', NULL, "only validate; print diagnostics, no output"},
	{"counters", LONG('C'), NULL, "keep [packets:bytes] counters"},
	{"strict", LONG('S'), NULL,
	 "errors instead of warnings for what the installed\n"
	 "iptables-restore (1.8.9) would refuse to load: CRLF line\n"
	 "ends, lines of blanks, \"COMMIT \", blanks before a\n"
	 "declaration, old negation \"-d ! X\"; and for what current\n"
	 "iptables refuses although the kernel runs it (udp port\n"
	 "range 9:2)"},
	{"ipv6", '6', NULL, "the input is ip6tables-save text"},
	{"ipv4", '4', NULL, "the input is iptables-save text (default)"},
	{0},
};

static const char *const conflicts[] = {
	"ipv4", "ipv6", "check", "counters", NULL,
};

static const struct ctg_cmd_spec spec = {
	.name = "fmt",
	.synopsis = "[OPTIONS] FILE|-",
	.about = "Parse an iptables-save / iptables-restore file and print it the way\n"
		 "iptables-save would print it after loading it into the kernel.",
	.opts = opts,
	.conflicts = conflicts,
	.exit = "Exit: 0 ok (warnings allowed), 2 parse errors or bad usage, 3 I/O error.",
};

struct fmt_opts {
	enum ctg_family fam;
	bool check;
	unsigned flags, pflags;
};

static int fmt_opt(void *ctx, int c, const char *arg)
{
	struct fmt_opts *o = ctx;

	switch (c) {
	case 'c':
		o->check = true;
		break;
	case LONG('C'):
		o->flags |= CTG_EMIT_COUNTERS;
		break;
	case LONG('S'):
		o->pflags |= CTG_PARSE_STRICT;
		break;
	case '6':
		o->fam = CTG_FAMILY_IPV6;
		break;
	case '4':
		o->fam = CTG_FAMILY_IPV4;
		break;
	}
	return 0;
}

int cmd_fmt(struct ctg_cli *cli, int argc, char **argv)
{
	struct fmt_opts o = {.fam = CTG_FAMILY_IPV4};
	struct ctg_diags *d;
	struct ctg_ruleset *rs;
	int rc = ctg_opts_parse(&spec, argc, argv, fmt_opt, &o);

	if (rc)
		return rc > 0 ? CTG_EXIT_OK : CTG_EXIT_USAGE;
	if (optind != argc - 1) {
		ctg_opts_error(&spec, "expected one FILE (or - for standard input), got %d",
			       argc - optind);
		return CTG_EXIT_USAGE;
	}
	d = ctg_diags_new();
	if (!d)
		return CTG_EXIT_ENV;
	rs = ctg_ruleset_parse_file_ex(argv[optind], o.fam, o.pflags, d);
	if (!rs) {
		fprintf(stderr, "%s fmt: %s: %s\n", cli->prog, argv[optind], strerror(errno));
		ctg_diags_free(d);
		return CTG_EXIT_ENV;
	}
	if (ctg_cli_print_diags(d, stderr))
		rc = CTG_EXIT_USAGE;
	else if (!o.check && ctg_ruleset_emit_file(rs, o.flags, stdout))
		rc = CTG_EXIT_ENV;
	if (rc == CTG_EXIT_OK && fflush(stdout))
		rc = CTG_EXIT_ENV;
	ctg_ruleset_free(rs);
	ctg_diags_free(d);
	return rc;
}
