// SPDX-License-Identifier: GPL-2.0-or-later
/* The option tables of the commands: getopt_long, --help and option errors (see opts.h). */
#include "opts.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "inputs.h"

const struct ctg_cli_opt ctg_input_opts[] = {
	{"rules", CTG_OPT_RULES, "FILE", "IPv4 ruleset (iptables-save format, - = stdin)"},
	{"rules6", CTG_OPT_RULES6, "FILE", "IPv6 ruleset (ip6tables-save format)"},
	{"conntrack", CTG_OPT_CONNTRACK, "FILE",
	 "conntrack -L [-o extended] or /proc/net/nf_conntrack text"},
	{"sockets", CTG_OPT_SOCKETS, "FILE", "ss -tuanpH output"},
	{"routes", CTG_OPT_ROUTES, "FILE",
	 "routing for interfaces: ip -j route show table all; ip -j rule;\n"
	 "ip -6 -j rule (default: kernel route lookups when conntrack and\n"
	 "sockets are live, else interfaces are unknown)"},
	{"sysctl", CTG_OPT_SYSCTL, "NAME=VALUE", "override a sysctl (repeatable)"},
	{0},
};

static const struct ctg_cli_opt help_opt = {"help", 'h', NULL, "show this help"};

#define HELP_COL 28 /* column of the help text */

static bool has_short(int id)
{
	return id > 0 && id < 128 && isalnum(id);
}

static void print_help_text(const char *help, int col, FILE *f)
{
	const char *nl;

	while ((nl = strchr(help, '\n'))) {
		fprintf(f, "%*s%.*s\n", col > 0 ? col : 0, "", (int)(nl - help), help);
		help = nl + 1;
		col = HELP_COL;
	}
	fprintf(f, "%*s%s\n", col > 0 ? col : 0, "", help);
}

static void print_opt(const struct ctg_cli_opt *o, FILE *f)
{
	int n;

	if (!o->help)
		return;
	if (has_short(o->id))
		n = fprintf(f, "  -%c, --%s", o->id, o->name);
	else
		n = fprintf(f, "      --%s", o->name);
	if (o->arg)
		n += fprintf(f, " %s", o->arg);
	if (n + 2 > HELP_COL) {
		fputc('\n', f);
		n = 0;
	}
	print_help_text(o->help, HELP_COL - n, f);
}

void ctg_opts_help(const struct ctg_cmd_spec *spec, FILE *f)
{
	const char *s = spec->synopsis, *nl;
	bool first = true;

	for (;;) {
		nl = strchr(s, '\n');
		fprintf(f, "%s ctguard %s%s%.*s\n", first ? "Usage:" : "      ", spec->name,
			*s ? " " : "", nl ? (int)(nl - s) : (int)strlen(s), s);
		if (!nl)
			break;
		s = nl + 1; /* never NULL + 1 */
		first = false;
	}
	fprintf(f, "\n%s\n\nOptions:\n", spec->about);
	for (const struct ctg_cli_opt *o = spec->opts; o && o->name; o++)
		print_opt(o, f);
	print_opt(&help_opt, f);
	if (spec->inputs) {
		fprintf(f, "\nInput options (absent = read the live host):\n");
		for (const struct ctg_cli_opt *o = ctg_input_opts; o->name; o++)
			print_opt(o, f);
	}
	if (spec->exit)
		fprintf(f, "\n%s\n", spec->exit);
}

int ctg_opts_error(const struct ctg_cmd_spec *spec, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ctguard %s: ", spec->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'ctguard %s --help'.\n", spec->name);
	return -1;
}

/* ---------------------------------------------------------------- parsing */

struct table {
	const struct ctg_cli_opt **opt; /* parallel to lo */
	struct option *lo;
	bool *seen;
	size_t n;
	char shorts[64];
};

static void add(struct table *t, const struct ctg_cli_opt *o)
{
	size_t len = strlen(t->shorts);

	t->opt[t->n] = o;
	t->lo[t->n] =
		(struct option){o->name, o->arg ? required_argument : no_argument, NULL, o->id};
	t->n++;
	if (has_short(o->id) && len + 3 < sizeof(t->shorts)) {
		t->shorts[len++] = (char)o->id;
		if (o->arg)
			t->shorts[len++] = ':';
		t->shorts[len] = '\0';
	}
}

static int table_build(struct table *t, const struct ctg_cmd_spec *spec)
{
	size_t n = 2;

	for (const struct ctg_cli_opt *o = spec->opts; o && o->name; o++)
		n++;
	for (const struct ctg_cli_opt *o = ctg_input_opts; spec->inputs && o->name; o++)
		n++;
	memset(t, 0, sizeof(*t));
	t->opt = calloc(n, sizeof(*t->opt));
	t->lo = calloc(n, sizeof(*t->lo));
	t->seen = calloc(n, sizeof(*t->seen));
	if (!t->opt || !t->lo || !t->seen)
		return -ENOMEM;
	strcpy(t->shorts, ":"); /* ':' reports a missing value apart from an unknown option */
	for (const struct ctg_cli_opt *o = spec->opts; o && o->name; o++)
		add(t, o);
	for (const struct ctg_cli_opt *o = ctg_input_opts; spec->inputs && o->name; o++)
		add(t, o);
	add(t, &help_opt);
	return 0;
}

static void table_free(struct table *t)
{
	free(t->opt);
	free(t->lo);
	free(t->seen);
}

static ssize_t find_id(const struct table *t, int id)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->opt[i]->id == id)
			return (ssize_t)i;
	return -1;
}

static ssize_t find_name(const struct table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->opt[i]->name, name))
			return (ssize_t)i;
	return -1;
}

/* getopt_long returned '?' or ':' for the word before optind. */
static int bad_option(const struct ctg_cmd_spec *spec, const struct table *t, int c,
		      const char *word)
{
	ssize_t i = optopt ? find_id(t, optopt) : -1;

	if (c == ':' && i >= 0)
		return ctg_opts_error(spec, "--%s needs a value (%s)", t->opt[i]->name,
				      t->opt[i]->arg);
	if (i >= 0 && !t->opt[i]->arg && !strncmp(word, "--", 2))
		return ctg_opts_error(spec, "--%s takes no value (\"%s\")", t->opt[i]->name, word);
	if (optopt && (!word || strncmp(word, "--", 2)))
		return ctg_opts_error(spec, "unknown option \"-%c\"", optopt);
	return ctg_opts_error(spec, "unknown or ambiguous option \"%s\"", word ? word : "?");
}

static int bad_value(const struct ctg_cmd_spec *spec, const struct ctg_cli_opt *o, const char *arg)
{
	return ctg_opts_error(spec, "--%s: invalid value \"%s\" (expected %s)", o->name, arg,
			      o->arg);
}

/* Only one input can be standard input. */
static int check_stdin(const struct ctg_cmd_spec *spec, const struct ctg_cli_opt *o,
		       const char *arg, const struct ctg_cli_opt **prev)
{
	if (!arg || strcmp(arg, "-") || !strstr(o->arg, "FILE"))
		return 0;
	if (*prev)
		return ctg_opts_error(spec,
				      "--%s and --%s both read standard input (\"-\"); only "
				      "one input can",
				      (*prev)->name, o->name);
	*prev = o;
	return 0;
}

static int check_conflicts(const struct ctg_cmd_spec *spec, const struct table *t)
{
	for (const char *const *p = spec->conflicts; p && p[0] && p[1]; p += 2) {
		ssize_t a = find_name(t, p[0]), b = find_name(t, p[1]);

		if (a >= 0 && b >= 0 && t->seen[a] && t->seen[b])
			return ctg_opts_error(spec, "--%s and --%s cannot be combined", p[0], p[1]);
	}
	return 0;
}

static int parse_loop(const struct ctg_cmd_spec *spec, struct table *t, int argc, char **argv,
		      ctg_opt_fn fn, void *ctx)
{
	const struct ctg_cli_opt *stdin_opt = NULL;
	int c, li = -1;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, t->shorts, t->lo, &li)) != -1) {
		ssize_t i = li >= 0 ? li : find_id(t, c);
		int r;

		li = -1;
		if (c == '?' || c == ':' || i < 0)
			return bad_option(spec, t, c, argv[optind - 1]);
		if (t->opt[i] == &help_opt) {
			ctg_opts_help(spec, stdout);
			return 1;
		}
		t->seen[i] = true;
		if (check_stdin(spec, t->opt[i], optarg, &stdin_opt))
			return -1;
		r = fn(ctx, c, optarg);
		if (r == -EINVAL)
			return bad_value(spec, t->opt[i], optarg ? optarg : "");
		if (r == -ENOENT && optarg) /* NAME=VALUE with a NAME nobody knows */
			return ctg_opts_error(spec, "--%s: unknown name \"%.*s\"", t->opt[i]->name,
					      (int)strcspn(optarg, "="), optarg);
		if (r < 0)
			return -1;
	}
	return check_conflicts(spec, t);
}

int ctg_opts_parse(const struct ctg_cmd_spec *spec, int argc, char **argv, ctg_opt_fn fn, void *ctx)
{
	struct table t;
	int r;

	if (table_build(&t, spec)) {
		table_free(&t);
		fprintf(stderr, "ctguard %s: out of memory\n", spec->name);
		return -1;
	}
	r = parse_loop(spec, &t, argc, argv, fn, ctx);
	table_free(&t);
	return r;
}
