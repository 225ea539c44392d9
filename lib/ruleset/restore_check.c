// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iptables-restore's own reading of a file, line by line (xtables_restore_parse_line):
 *  - an empty line or one starting with '#' is skipped (a CR in a comment is harmless);
 *  - in a table, a line is COMMIT only when it is exactly "COMMIT" (nothing after it);
 *  - '*' at column 1 outside a table starts one: the name is the first token split on
 *    " \t\n", so "filter\r" is an unknown table;
 *  - ':' at column 1 in a table declares a chain;
 *  - any other line in a table is a rule, split into arguments on ' ', '\t', '\n':
 *    a CR sticks to the last argument ("ACCEPT\r") or stands alone (""), a line of
 *    blanks is "no command specified", "COMMIT " or " :INPUT" are bad arguments;
 *  - any other line outside a table: "line N failed".
 * In a rule, "!" after an option that takes a value ("-d ! 10.0.0.1", "--dport ! 22":
 * the pre-1.4.3 negation) is read as the value and refused.
 */
#include "restore_check.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_FINDINGS 100

struct rc {
	const char *src;
	bool strict;
	struct ctg_diags *d;
	unsigned n;
	int err;
	const char *line;
	size_t len;
	uint32_t lineno;
	uint32_t crs; /* CR findings: the first is reported, the others counted */
	bool last;    /* the line has no '\n' after it */
};

static void report(struct rc *c, size_t col, size_t width, const char *code, const char *hint,
		   const char *msg)
{
	struct ctg_loc loc = {.src = c->src, .line = c->lineno};
	char text[512];
	size_t n = c->len < sizeof(text) - 1 ? c->len : sizeof(text) - 1;

	if (!strcmp(code, "restore-crlf") && c->crs++)
		return;
	if (c->err || c->n >= MAX_FINDINGS)
		return;
	c->n++;
	memcpy(text, c->line, n);
	text[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (text[i] == '\r' || text[i] == '\t')
			text[i] = ' '; /* shown as blanks, the caret stays aligned */
	loc.col = (uint16_t)(col + 1 > 65535 ? 0 : col + 1);
	loc.end_col = (uint16_t)(loc.col && width && col + width <= 65535 ? col + width : 0);
	if (ctg_diags_add(c->d, c->strict ? CTG_SEV_ERROR : CTG_SEV_WARNING, code, &loc, text, hint,
			  "%s", msg) < 0)
		c->err = -ENOMEM;
}

/* What only the legacy variant refuses: a warning, also with strict (nft accepts it). */
static void legacy_note(struct rc *c)
{
	struct ctg_loc loc = {.src = c->src, .line = c->lineno, .col = 1, .end_col = 6};

	if (!c->err && ctg_diags_add(c->d, CTG_SEV_WARNING, "restore-legacy-commit", &loc, "COMMIT",
				     "end the file with a newline",
				     "no newline after the last COMMIT: iptables-legacy-restore "
				     "refuses it (iptables-nft-restore accepts it)") < 0)
		c->err = -ENOMEM;
}

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* add_param_to_argv's separators (quotes aside, which keep a "!" from being one). */
static bool argsep(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* The argument starting at i: its end (quotes kept together). */
static size_t arg_end(const char *s, size_t len, size_t i)
{
	bool q = false;

	for (; i < len && (q || !argsep(s[i])); i++)
		if (s[i] == '"' && (i == 0 || s[i - 1] != '\\'))
			q = !q;
	return i;
}

static bool is_option(const char *s, size_t n)
{
	return n >= 2 && s[0] == '-';
}

static void check_old_negation(struct rc *c)
{
	size_t i = 0, pb = 0, pe = 0; /* previous argument [pb, pe) */
	bool have_prev = false;

	while (i < c->len) {
		size_t b, e;

		while (i < c->len && argsep(c->line[i]))
			i++;
		if (i >= c->len)
			break;
		b = i;
		e = arg_end(c->line, c->len, i);
		if (e - b == 1 && c->line[b] == '!' && have_prev &&
		    is_option(c->line + pb, pe - pb)) {
			size_t nb = e, ne;

			while (nb < c->len && argsep(c->line[nb]))
				nb++;
			ne = arg_end(c->line, c->len, nb);
			if (ne > nb && c->line[nb] != '-' && c->line[nb] != '\r') {
				char msg[160], hint[200];

				snprintf(msg, sizeof(msg),
					 "old negation \"%.*s ! %.*s\": iptables-restore 1.8.9 "
					 "reads \"!\" as the value and refuses the line",
					 (int)(pe - pb > 40 ? 40 : pe - pb), c->line + pb,
					 (int)(ne - nb > 40 ? 40 : ne - nb), c->line + nb);
				snprintf(hint, sizeof(hint), "write \"! %.*s %.*s\"",
					 (int)(pe - pb > 40 ? 40 : pe - pb), c->line + pb,
					 (int)(ne - nb > 40 ? 40 : ne - nb), c->line + nb);
				report(c, b, 1, "restore-old-negation", hint, msg);
			}
		}
		pb = b;
		pe = e;
		have_prev = true;
		i = e;
	}
}

/* A line in a table that iptables-restore hands to the rule parser. */
static void check_rule_line(struct rc *c)
{
	size_t i = 0;
	const char *cr = memchr(c->line, '\r', c->len);

	while (i < c->len && blank(c->line[i]))
		i++;
	if (i == c->len) {
		report(c, 0, c->len, "restore-blank-line", NULL,
		       "a line of blanks in a table: iptables-restore reads it as a rule and "
		       "refuses it (\"no command specified\")");
		return;
	}
	if (cr) {
		report(c, (size_t)(cr - c->line), 1, "restore-crlf",
		       "convert the file to LF line ends (dos2unix, or sed -i 's/\\r$//')",
		       "carriage return (CRLF line end): iptables-restore keeps it in the "
		       "rule's last argument and refuses the line");
		return;
	}
	if (!strncmp(c->line + i, "COMMIT", 6)) {
		report(c, 0, c->len, "restore-commit", "COMMIT alone on its line",
		       "COMMIT with blanks around it: iptables-restore reads it as a rule "
		       "(\"Bad argument COMMIT\") and the table stays open");
		return;
	}
	if (i && (c->line[i] == ':' || c->line[i] == '*' || c->line[i] == '#')) {
		report(c, 0, i, "restore-leading-blank", NULL,
		       "blanks before a declaration, table or comment: iptables-restore reads "
		       "the line as a rule and refuses it");
		return;
	}
	check_old_negation(c);
}

/* One line, without its '\n'; returns whether a table is open after it. */
static bool check_line(struct rc *c, bool in_table)
{
	const char *s = c->line;
	size_t n = c->len;

	if (n == 0 || s[0] == '#')
		return in_table;
	if (in_table && n == 6 && !memcmp(s, "COMMIT", 6)) {
		if (c->last) /* iptables-legacy-restore compares with "COMMIT\n" */
			legacy_note(c);
		return false;
	}
	if (s[0] == '*' && !in_table) {
		size_t e = 1;

		while (e < n && !blank(s[e]))
			e++;
		if (memchr(s, '\r', e))
			report(c, (size_t)((const char *)memchr(s, '\r', e) - s), 1, "restore-crlf",
			       "convert the file to LF line ends (dos2unix, or sed -i 's/\\r$//')",
			       "carriage return (CRLF line end) in the table name: "
			       "iptables-restore "
			       "refuses the table");
		return true;
	}
	if (s[0] == ':' && in_table)
		return true; /* iptables-restore takes the name, policy and counters as they are */
	if (in_table) {
		check_rule_line(c);
		return true;
	}
	{
		size_t i = 0;

		while (i < n && (blank(s[i]) || s[i] == '\r'))
			i++;
		in_table = i < n && s[i] == '*'; /* " *filter": ctguard reads on in the table */
		if (i == n)
			report(c, 0, n, "restore-blank-line", NULL,
			       "a line of blanks outside a table: iptables-restore refuses it "
			       "(\"line N failed\")");
		else if (s[i] == '*' || s[i] == '#')
			report(c, 0, i, "restore-leading-blank", NULL,
			       "blanks before a table header or comment: iptables-restore refuses "
			       "the line (\"line N failed\")");
		/* anything else outside a table is the parser's "outside-table" error */
	}
	return in_table;
}

int ctg_restore_check(const char *text, size_t len, const char *src, bool strict,
		      struct ctg_diags *d)
{
	struct rc c = {.src = src, .strict = strict, .d = d};
	bool in_table = false;
	size_t pos = 0;

	while (pos < len && !c.err && c.n < MAX_FINDINGS) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;

		c.line = text + pos;
		c.len = end - pos;
		c.lineno++;
		c.last = !nl;
		in_table = check_line(&c, in_table);
		pos = end + 1;
	}
	if (!c.err && c.crs > 1) {
		struct ctg_loc loc = {.src = src, .line = 0};

		if (ctg_diags_add(d, CTG_SEV_NOTE, "restore-crlf", &loc, NULL, NULL,
				  "%u more lines end in a carriage return", c.crs - 1) < 0)
			c.err = -ENOMEM;
	}
	return c.err;
}
