/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One option table per command: getopt_long's tables, `--help` and the errors about
 * options all come from it, and tests/cli/options.sh checks man/ctguard.8 against the
 * `--help` it prints (every option in both, per command).
 *
 *	static const struct ctg_cli_opt opts[] = {
 *		{"format", 'f', "text|json", "output format (default text)"},
 *		{"no-memo", OPT_NO_MEMO, NULL, NULL},          // hidden
 *		{0},
 *	};
 *	static const struct ctg_cmd_spec spec = {
 *		.name = "conns", .synopsis = "[OPTIONS] [INPUT OPTIONS]", .about = "...",
 *		.opts = opts, .inputs = true, .exit = "Exit: ...",
 *	};
 *	rc = ctg_opts_parse(&spec, argc, argv, on_opt, &ctx);   // then operands from optind
 *
 * An id below 128 that is a letter or digit is also the short option (-f); LONG('f') is
 * an id for an option without one.
 */
#ifndef CTG_CLI_OPTS_H
#define CTG_CLI_OPTS_H

#include <stdbool.h>
#include <stdio.h>

#define LONG(c) (0x100 | (c))

/*
 * @arg: the argument's metavar ("FILE", "text|json"), NULL when the option takes none.
 *       A metavar with '|' lists the accepted values (quoted in "invalid value" errors).
 * @help: one line of help ('\n' continues it); NULL hides the option.
 */
struct ctg_cli_opt {
	const char *name;
	int id;
	const char *arg;
	const char *help;
};

/*
 * @synopsis: what follows "Usage: ctguard NAME " ('\n' starts another usage line).
 * @inputs: also takes the input options (common/inputs.h), ids CTG_OPT_RULES...
 * @conflicts: pairs of long names that cannot be given together, NULL-terminated.
 * @exit: the last paragraph (exit statuses).
 */
struct ctg_cmd_spec {
	const char *name;
	const char *synopsis;
	const char *about;
	const struct ctg_cli_opt *opts;
	bool inputs;
	const char *const *conflicts;
	const char *exit;
};

/* The input options (common/inputs.h), for --help and for the table test. */
extern const struct ctg_cli_opt ctg_input_opts[];

/*
 * Called once per option given. Returns 0, -EINVAL (the value is bad: the parser prints
 * "ctguard CMD: --NAME: invalid value ..."), -ENOENT (NAME=VALUE with an unknown NAME:
 * the parser says so), or another negative value when the callback printed its own
 * message.
 */
typedef int (*ctg_opt_fn)(void *ctx, int id, const char *arg);

/*
 * Parses the options of argv (argv[0] is the command name). Operands remain from optind.
 * Unknown options, missing values, bad values, conflicting options and two options
 * reading standard input ("-") are errors naming the option.
 * Returns 0, 1 (--help printed to stdout) or -1 (usage error printed to stderr).
 */
int ctg_opts_parse(const struct ctg_cmd_spec *spec, int argc, char **argv, ctg_opt_fn fn,
		   void *ctx);

/* Prints the command's --help. */
void ctg_opts_help(const struct ctg_cmd_spec *spec, FILE *f);

/* Prints "ctguard CMD: MESSAGE\nTry 'ctguard CMD --help'.\n" to stderr; returns -1. */
int ctg_opts_error(const struct ctg_cmd_spec *spec, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
