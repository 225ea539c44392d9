// SPDX-License-Identifier: GPL-2.0-or-later
/* ctguard: keep firewall changes from silently killing live connections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctguard/diag.h>

#include "cli.h"

static int cmd_help(struct ctg_cli *cli, int argc, char **argv);
static int cmd_version(struct ctg_cli *cli, int argc, char **argv);

static const struct ctg_command commands[] = {
	{"apply", cmd_apply, "apply a ruleset atomically, heal lost entries, confirm or roll back"},
	{"audit", cmd_audit, "find connections the current ruleset already orphaned"},
	{"check", cmd_check,
	 "predict which live connections a reload would cut (--fix: rules that save them)"},
	{"conns", cmd_conns, "list connections: sockets joined with conntrack entries"},
	{"demo", cmd_demo, "the lost-replica story, live, in throwaway network namespaces"},
	{"fmt", cmd_fmt, "parse, validate and print a ruleset canonically"},
	{"heal", cmd_heal, "re-insert the conntrack entries of orphaned connections"},
	{"help", cmd_help, "list commands, or show help for one"},
	{"trace", cmd_trace, "explain one packet's fate through every table"},
	{"version", cmd_version, "print the version"},
	{"watch", cmd_watch,
	 "guard live connections: audit (and --heal) the moment conntrack is wiped or the rules "
	 "change"},
};

static const struct ctg_command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: ctguard COMMAND [OPTIONS]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'ctguard COMMAND --help' for a command's options; see ctguard(8).\n");
}

static int cmd_help(struct ctg_cli *cli, int argc, char **argv)
{
	const struct ctg_command *c;
	char *hargv[] = {NULL, "--help", NULL};

	if (argc < 2) {
		usage(stdout);
		return CTG_EXIT_OK;
	}
	c = find_command(argv[1]);
	if (!c || c->fn == cmd_help || c->fn == cmd_version) {
		if (!c) {
			fprintf(stderr, "%s: unknown command \"%s\"\n", cli->prog, argv[1]);
			return CTG_EXIT_USAGE;
		}
		printf("ctguard %s: %s\n", c->name, c->summary);
		return CTG_EXIT_OK;
	}
	hargv[0] = argv[1];
	return c->fn(cli, 2, hargv);
}

static int cmd_version(struct ctg_cli *cli, int argc, char **argv)
{
	printf("ctguard %s\n", CTG_VERSION);
	return CTG_EXIT_OK;
}

size_t ctg_cli_print_diags(const struct ctg_diags *d, FILE *f)
{
	size_t n = ctg_diags_count(d), shown = n < CTG_CLI_MAX_DIAGS ? n : CTG_CLI_MAX_DIAGS;
	size_t errors = 0;
	char buf[4096];

	for (size_t i = 0; i < shown; i++) {
		const struct ctg_diag *dg = ctg_diags_get(d, i);
		size_t len = ctg_diag_render(dg, buf, sizeof(buf));

		errors += dg->severity == CTG_SEV_ERROR;
		fputs(buf, f);
		if (len >= sizeof(buf))
			fputs("...\n", f);
	}
	if (shown < n) {
		size_t e = ctg_diags_errors(d) - errors, w = n - shown - e;

		fprintf(f, "... and %zu more error%s", e, e == 1 ? "" : "s");
		if (w)
			fprintf(f, " and %zu more warning%s", w, w == 1 ? "" : "s");
		fprintf(f, " (the first %d are shown)\n", CTG_CLI_MAX_DIAGS);
	}
	return ctg_diags_errors(d);
}

int main(int argc, char **argv)
{
	struct ctg_cli cli = {.prog = "ctguard"};
	const struct ctg_command *c;

	if (argc < 2) {
		usage(stderr);
		return CTG_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return CTG_EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))
		return cmd_version(&cli, 0, NULL);
	c = find_command(argv[1]);
	if (!c) {
		const char *names[sizeof(commands) / sizeof(commands[0])];
		const char *s;

		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			names[i] = commands[i].name;
		s = ctg_misspell_suggest(argv[1], names, sizeof(names) / sizeof(names[0]));
		fprintf(stderr, "%s: unknown command \"%s\"%s%s%s\n", cli.prog, argv[1],
			s ? " (did you mean \"" : "", s ? s : "", s ? "\"?)" : "");
		usage(stderr);
		return CTG_EXIT_USAGE;
	}
	return c->fn(&cli, argc - 1, argv + 1);
}
