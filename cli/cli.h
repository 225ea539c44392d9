/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CTG_CLI_H
#define CTG_CLI_H

#include <stdio.h>

/* Exit codes shared by every command. */
enum {
	CTG_EXIT_OK = 0,
	CTG_EXIT_FINDINGS = 1,
	CTG_EXIT_USAGE = 2,
	CTG_EXIT_ENV = 3,
};

struct ctg_cli {
	const char *prog; /* argv[0] basename */
	int verbose;
};

struct ctg_command {
	const char *name;
	int (*fn)(struct ctg_cli *cli, int argc, char **argv);
	const char *summary;
};

/* Each command lives in cmd_<name>.c. argv[0] is the command name. */
int cmd_fmt(struct ctg_cli *cli, int argc, char **argv);
int cmd_trace(struct ctg_cli *cli, int argc, char **argv);
int cmd_conns(struct ctg_cli *cli, int argc, char **argv);
int cmd_check(struct ctg_cli *cli, int argc, char **argv);
int cmd_audit(struct ctg_cli *cli, int argc, char **argv);
int cmd_heal(struct ctg_cli *cli, int argc, char **argv);
int cmd_demo(struct ctg_cli *cli, int argc, char **argv);
int cmd_apply(struct ctg_cli *cli, int argc, char **argv);
int cmd_watch(struct ctg_cli *cli, int argc, char **argv);

/* Diagnostics printed at most; the rest are counted. */
#define CTG_CLI_MAX_DIAGS 25

/* Prints the first CTG_CLI_MAX_DIAGS diagnostics to f, counts the rest; returns the number
 * of errors. */
struct ctg_diags;
size_t ctg_cli_print_diags(const struct ctg_diags *d, FILE *f);

#endif
