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

static void fmt_usage(FILE *f)
{
	fprintf(f, "Usage: ctguard fmt [--check] [--counters] [--strict] [-6] FILE|-\n"
		   "\n"
		   "Parse an iptables-save / iptables-restore file and print it the way\n"
		   "iptables-save would print it after loading it into the kernel.\n"
		   "\n"
		   "  -c, --check     only validate; print diagnostics, no output\n"
		   "      --counters  keep [packets:bytes] counters\n"
		   "      --strict    refuse what current iptables refuses although the\n"
		   "                  kernel runs it (udp port range 9:2: a warning by default)\n"
		   "  -6, --ipv6      the input is ip6tables-save text\n"
		   "  -4, --ipv4      the input is iptables-save text (default)\n"
		   "  -h, --help      show this help\n"
		   "\n"
		   "Exit status: 0 ok (warnings allowed), 2 parse errors or bad usage, 3 I/O "
		   "error.\n");
}

int cmd_fmt(struct ctg_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"check", no_argument, NULL, 'c'},
		{"counters", no_argument, NULL, 'C'},
		{"ipv6", no_argument, NULL, '6'},
		{"ipv4", no_argument, NULL, '4'},
		{"strict", no_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum ctg_family fam = CTG_FAMILY_IPV4;
	bool check = false;
	unsigned flags = 0, pflags = 0;
	struct ctg_diags *d;
	struct ctg_ruleset *rs;
	int c, rc = CTG_EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c64h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			check = true;
			break;
		case 'C':
			flags |= CTG_EMIT_COUNTERS;
			break;
		case 'S':
			pflags |= CTG_PARSE_STRICT;
			break;
		case '6':
			fam = CTG_FAMILY_IPV6;
			break;
		case '4':
			fam = CTG_FAMILY_IPV4;
			break;
		case 'h':
			fmt_usage(stdout);
			return CTG_EXIT_OK;
		default:
			fmt_usage(stderr);
			return CTG_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fmt_usage(stderr);
		return CTG_EXIT_USAGE;
	}
	d = ctg_diags_new();
	if (!d)
		return CTG_EXIT_ENV;
	rs = ctg_ruleset_parse_file_ex(argv[optind], fam, pflags, d);
	if (!rs) {
		fprintf(stderr, "%s fmt: %s: %s\n", cli->prog, argv[optind], strerror(errno));
		ctg_diags_free(d);
		return CTG_EXIT_ENV;
	}
	if (ctg_cli_print_diags(d, stderr))
		rc = CTG_EXIT_USAGE;
	else if (!check && ctg_ruleset_emit_file(rs, flags, stdout))
		rc = CTG_EXIT_ENV;
	if (rc == CTG_EXIT_OK && fflush(stdout))
		rc = CTG_EXIT_ENV;
	ctg_ruleset_free(rs);
	ctg_diags_free(d);
	return rc;
}
