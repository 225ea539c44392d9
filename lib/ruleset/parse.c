// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iptables-save / iptables-restore input: lines, tables, chain declarations, COMMIT.
 * Rules are parsed by parse_rule.c; a table becomes IR at its COMMIT (commit.c).
 * After an error the parser skips to the next line, so one run reports every error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/fileio.h"
#include "parse.h"
#include "restore_check.h"

void ctg_table_commit(struct parser *p);
void ctg_table_discard(struct parser *p);
int ctg_parse_counters(const char *s, uint64_t *pkts, uint64_t *bytes);

struct ctg_loc ctg_parse_loc(const struct parser *p, unsigned col, unsigned end_col)
{
	struct ctg_loc l = {.src = p->src, .line = p->lineno};

	l.col = col > UINT16_MAX ? UINT16_MAX : (uint16_t)col;
	l.end_col = end_col > UINT16_MAX ? UINT16_MAX : (uint16_t)end_col;
	return l;
}

static void vreport(struct parser *p, enum ctg_severity sev, const char *code, unsigned col,
		    unsigned end_col, const char *hint, const char *fmt, va_list ap)
{
	char msg[512];
	struct ctg_loc l = ctg_parse_loc(p, col, end_col);

	vsnprintf(msg, sizeof(msg), fmt, ap);
	ctg_diags_add(p->diags, sev, code, &l, ctg_parse_line_text(p), hint, "%s", msg);
	if (sev == CTG_SEV_ERROR)
		p->errors++;
}

void ctg_parse_error(struct parser *p, const char *code, unsigned col, unsigned end_col,
		     const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p, CTG_SEV_ERROR, code, col, end_col, hint, fmt, ap);
	va_end(ap);
}

void ctg_parse_warn(struct parser *p, const char *code, unsigned col, unsigned end_col,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p, CTG_SEV_WARNING, code, col, end_col, NULL, fmt, ap);
	va_end(ap);
}

/* "[pkts:bytes]" */
int ctg_parse_counters(const char *s, uint64_t *pkts, uint64_t *bytes)
{
	uint64_t v[2] = {0, 0};

	if (*s++ != '[')
		return -EINVAL;
	for (int i = 0; i < 2; i++) {
		const char *start = s;

		for (; *s >= '0' && *s <= '9'; s++) {
			if (v[i] > (UINT64_MAX - 9) / 10)
				return -EINVAL;
			v[i] = v[i] * 10 + (uint64_t)(*s - '0');
		}
		if (s == start || *s++ != (i ? ']' : ':'))
			return -EINVAL;
	}
	if (*s)
		return -EINVAL;
	*pkts = v[0];
	*bytes = v[1];
	return 0;
}

static void table_line(struct parser *p)
{
	const struct ctg_word *w = &p->lx.w[0];
	int t = ctg_table_lookup(w->s + 1);

	if (p->table != -1) {
		ctg_parse_error(p, "missing-commit", w->col, w->end_col, NULL,
				"table \"%s\" is not closed with COMMIT before this table",
				p->table >= 0 ? ctg_table_name(p->table) : "?");
		if (p->table >= 0)
			ctg_table_commit(p); /* still resolves jumps, to report every error */
		p->table = -1;
	}
	if (t < 0) {
		static const char *const names[] = {"filter", "nat", "mangle", "raw", "security"};
		const char *s = ctg_misspell_suggest(w->s + 1, names, 5);
		char hint[64];

		if (s)
			snprintf(hint, sizeof(hint), "did you mean \"%s\"?", s);
		ctg_parse_error(p, "unknown-table", w->col, w->end_col, s ? hint : NULL,
				"unknown table \"%s\"", w->s + 1);
		p->table = -2; /* skip until COMMIT */
		return;
	}
	if (p->lx.n > 1)
		ctg_parse_error(p, "unexpected-argument", p->lx.w[1].col,
				p->lx.w[p->lx.n - 1].end_col, NULL,
				"unexpected text after the table name");
	if (p->seen[t])
		ctg_parse_error(p, "duplicate-table", w->col, w->end_col, NULL,
				"table \"%s\" appears twice", w->s + 1);
	p->seen[t] = true;
	p->table = t;
	p->table_loc = ctg_parse_loc(p, w->col, w->end_col);
}

/* A new chain (not in the map yet; h = ctg_chainmap_hash(name)). NULL on ENOMEM. */
static struct pchain *add_chain(struct parser *p, const char *name, uint32_t h)
{
	struct pchain *c;

	if (p->nchains == p->capchains) {
		/* a big input declares many chains: kube-proxy one per 420 bytes of input */
		size_t ncap = p->capchains ? p->capchains * 2 : 16 + p->size_hint / 256;
		struct pchain *nc = realloc(p->chains, ncap * sizeof(*nc));

		if (!nc)
			return NULL;
		p->chains = nc;
		p->capchains = ncap;
		if (ctg_chainmap_reserve(&p->map, ncap / 2))
			return NULL;
	}
	if (ctg_chainmap_put_h(&p->map, name, h, (uint32_t)p->nchains))
		return NULL;
	c = &p->chains[p->nchains++];
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->policy = CTG_V_ACCEPT;
	return c;
}

/* Creates the table's built-in chains so that rules can be appended to them. */
static int open_builtins(struct parser *p)
{
	unsigned hooks = ctg_table_hooks(p->table, p->rs->family);

	for (int h = 0; h < CTG_HOOK_MAX; h++) {
		struct pchain *c;

		if (!(hooks & (1u << h)))
			continue;
		const char *name =
			ctg_arena_intern(p->rs->arena, ctg_hook_name(h), strlen(ctg_hook_name(h)));

		c = name ? add_chain(p, name, ctg_chainmap_hash(name)) : NULL;
		if (!c)
			return -ENOMEM;
		c->builtin = true;
		c->hook = h;
	}
	return 0;
}

static void chain_policy(struct parser *p, struct pchain *c, const struct ctg_word *w)
{
	if (!c->builtin) {
		if (strcmp(w->s, "-"))
			ctg_parse_error(p, "bad-policy", w->col, w->end_col, NULL,
					"user chain \"%s\" cannot have a policy", c->name);
		return;
	}
	if (!strcmp(w->s, "ACCEPT"))
		c->policy = CTG_V_ACCEPT;
	else if (!strcmp(w->s, "DROP"))
		c->policy = CTG_V_DROP;
	else if (strcmp(w->s, "-"))
		ctg_parse_error(p, "bad-policy", w->col, w->end_col,
				"a built-in chain's policy is ACCEPT or DROP",
				"bad policy \"%s\" for built-in chain %s", w->s, c->name);
}

static void chain_line(struct parser *p)
{
	const struct ctg_word *w = p->lx.w;
	const char *name = w[0].s + 1;
	struct pchain *c;
	uint32_t h;
	int idx;

	if (!*name) {
		ctg_parse_error(p, "bad-chain", w[0].col, w[0].end_col, NULL, "missing chain name");
		return;
	}
	if (strlen(name) > 28) {
		ctg_parse_error(p, "bad-chain", w[0].col, w[0].end_col, NULL,
				"chain name \"%s\" is longer than 28 characters", name);
		return;
	}
	if (p->lx.n < 2) {
		ctg_parse_error(p, "bad-chain", w[0].col, w[0].end_col, NULL,
				"chain line needs a policy (\"-\" for user chains)");
		return;
	}
	h = ctg_chainmap_hash(name);
	idx = ctg_chainmap_get_h(&p->map, name, h);
	if (idx < 0 && !(name = ctg_arena_strndup(p->rs->arena, name, strlen(name)))) {
		p->nomem = true; /* names are unique in a table: a copy is enough */
		return;
	}
	if (idx >= 0 && p->chains[idx].declared) {
		ctg_parse_error(p, "duplicate-chain", w[0].col, w[0].end_col, NULL,
				"chain \"%s\" is declared twice", name);
		return;
	}
	c = idx >= 0 ? &p->chains[idx] : add_chain(p, name, h);
	if (!c) {
		p->nomem = true;
		return;
	}
	c->declared = true;
	c->loc = ctg_parse_loc(p, w[0].col, w[0].end_col);
	chain_policy(p, c, &w[1]);
	if (p->lx.n >= 3 && ctg_parse_counters(w[2].s, &c->ppkts, &c->pbytes))
		ctg_parse_error(p, "bad-counters", w[2].col, w[2].end_col, NULL,
				"bad counters \"%s\" (expected [packets:bytes])", w[2].s);
	if (p->lx.n > 3)
		ctg_parse_error(p, "unexpected-argument", w[3].col, w[p->lx.n - 1].end_col, NULL,
				"unexpected text after the chain counters");
}

static void dispatch_line(struct parser *p)
{
	const struct ctg_word *w = p->lx.w;

	if (w[0].s[0] == '*' && w[0].s[1]) {
		table_line(p);
		if (p->table >= 0 && open_builtins(p))
			p->nomem = true;
		return;
	}
	if (!strcmp(w[0].s, "COMMIT")) {
		if (p->table == -1)
			ctg_parse_error(p, "commit-outside-table", w[0].col, w[0].end_col, NULL,
					"COMMIT without a table");
		else if (p->table == -2)
			p->table = -1;
		else
			ctg_table_commit(p);
		if (p->lx.n > 1)
			ctg_parse_error(p, "unexpected-argument", w[1].col, w[p->lx.n - 1].end_col,
					NULL, "unexpected text after COMMIT");
		return;
	}
	if (p->table == -2)
		return;
	if (p->table == -1) {
		ctg_parse_error(p, "outside-table", w[0].col, w[p->lx.n - 1].end_col,
				"start a table with a line like \"*filter\"",
				"line outside a table");
		return;
	}
	if (w[0].s[0] == ':')
		chain_line(p);
	else
		ctg_parse_rule(p);
}

/* The current line: text[0, n) without trailing CRs. Not copied: see ctg_parse_line_text(). */
static void set_line(struct parser *p, const char *s, size_t n)
{
	while (n && (s[n - 1] == '\r'))
		n--;
	p->line = s;
	p->line_len = n;
	p->line_copied = false;
}

const char *ctg_parse_line_text(struct parser *p)
{
	if (!p->line)
		return NULL;
	if (p->line_copied)
		return p->linebuf;
	if (p->line_len + 1 > p->linecap) {
		size_t ncap = p->line_len + 256;
		char *nb = realloc(p->linebuf, ncap);

		if (!nb)
			return NULL; /* the diagnostic goes without its line */
		p->linebuf = nb;
		p->linecap = ncap;
	}
	memcpy(p->linebuf, p->line, p->line_len);
	p->linebuf[p->line_len] = '\0';
	p->line_copied = true;
	return p->linebuf;
}

static void one_line(struct parser *p)
{
	size_t i = 0;
	unsigned ecol = 0;
	int r;

	while (i < p->line_len && (p->line[i] == ' ' || p->line[i] == '\t'))
		i++;
	if (i == p->line_len || p->line[i] == '#')
		return;
	r = ctg_lex_line(&p->lx, p->line, p->line_len, &ecol);
	if (r == -EILSEQ) {
		ctg_parse_error(p, "bad-character", ecol, 0, NULL, "NUL byte in line");
		return;
	}
	if (r == -EINVAL) {
		ctg_parse_error(p, "unterminated-quote", ecol, (unsigned)p->line_len, NULL,
				"missing closing quote");
		return;
	}
	if (r || p->lx.n == 0) {
		if (r)
			p->nomem = true;
		return;
	}
	dispatch_line(p);
}

static void run(struct parser *p, const char *text, size_t len)
{
	for (size_t pos = 0; pos < len && !p->nomem;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

		p->lineno++;
		set_line(p, text + pos, n);
		one_line(p);
		pos += n + 1;
	}
	p->line = NULL;
	if (p->table >= 0) {
		ctg_diags_add(p->diags, CTG_SEV_ERROR, "missing-commit", &p->table_loc, NULL, NULL,
			      "table \"%s\" is not closed with COMMIT", ctg_table_name(p->table));
		ctg_table_commit(p);
	} else if (p->table == -2) {
		p->table = -1;
	}
}

/* Parses text (malloc'd, NUL-terminated, len bytes before the NUL; the ruleset keeps it). */
static struct ctg_ruleset *parse_owned(char *text, size_t len, const char *name,
				       enum ctg_family family, unsigned flags,
				       struct ctg_diags *diags)
{
	struct rs_priv *priv = calloc(1, sizeof(*priv));
	struct parser p = {
		.diags = diags, .table = -1, .strict = flags & CTG_PARSE_STRICT, .size_hint = len};

	if (!priv) {
		free(text);
		errno = ENOMEM;
		return NULL;
	}
	priv->rs.arena = ctg_arena_new(len / 2 + 4096);
	if (!priv->rs.arena) {
		free(text);
		free(priv);
		errno = ENOMEM;
		return NULL;
	}
	priv->rs.family = family;
	priv->rs.text = text;
	priv->rs.text_len = len;
	priv->rs.name = ctg_arena_strdup(priv->rs.arena, name ? name : "<input>");
	p.priv = priv;
	p.rs = &priv->rs;
	p.arena = priv->rs.arena;
	p.src = priv->rs.name;
	ctg_lex_init(&p.lx);
	if (ctg_restore_check(text, len, p.src, p.strict, diags) < 0)
		p.nomem = true;
	run(&p, text, len);
	priv->rs.uses_ct = p.uses_ct;
	ctg_lex_release(&p.lx);
	free(p.linebuf);
	free(p.chains);
	free(p.rc);
	free(p.mv);
	free(p.seen_opts);
	free(p.line_off);
	if (p.nomem) { /* a ruleset with rules missing is no answer */
		ctg_ruleset_free(&priv->rs);
		errno = ENOMEM;
		return NULL;
	}
	return &priv->rs;
}

struct ctg_ruleset *ctg_ruleset_parse(const char *text, size_t len, const char *name,
				      enum ctg_family family, struct ctg_diags *diags)
{
	return ctg_ruleset_parse_ex(text, len, name, family, 0, diags);
}

struct ctg_ruleset *ctg_ruleset_parse_ex(const char *text, size_t len, const char *name,
					 enum ctg_family family, unsigned flags,
					 struct ctg_diags *diags)
{
	char *copy = malloc(len + 1);

	if (!copy) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	return parse_owned(copy, len, name, family, flags, diags);
}

/*
 * The whole of fd into a malloc'd NUL-terminated buffer (*len bytes before the NUL). The
 * text is read, not mapped: a file truncated or rewritten meanwhile yields what read(2)
 * returned, never a fault. NULL with errno on failure (EBADMSG: g found binary data or a
 * line too long).
 */
static char *read_all(int fd, size_t *len, struct ctg_text_guard *g)
{
	struct stat st;
	size_t cap = 1 << 16, n = 0;
	char *buf, *nb;
	ssize_t r;
	int err;

	/* a regular file: one exact buffer (the text is kept for diagnostics) */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 2;
	if (!(buf = ctg_huge_alloc(cap)))
		return NULL;
	for (;;) {
		if (n + 1 == cap) {
			if (!(nb = ctg_huge_realloc(buf, n, cap * 2)))
				break;
			buf = nb;
			cap *= 2;
		}
		/* at most 1 MiB a read, so the guard stops a bad input early */
		r = read(fd, buf + n, cap - n - 1 < (1 << 20) ? cap - n - 1 : (1 << 20));
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0 && ctg_text_guard_feed(g, buf + n, (size_t)r)) {
			errno = EBADMSG; /* binary, or a line longer than any rule: read no more */
			break;
		}
		if (r <= 0) {
			if (r < 0)
				break;
			buf[n] = '\0';
			*len = n;
			return buf;
		}
		n += (size_t)r;
	}
	err = errno;
	free(buf);
	errno = err;
	return NULL;
}

struct ctg_ruleset *ctg_ruleset_parse_file(const char *path, enum ctg_family family,
					   struct ctg_diags *diags)
{
	return ctg_ruleset_parse_file_ex(path, family, 0, diags);
}

struct ctg_ruleset *ctg_ruleset_parse_file_ex(const char *path, enum ctg_family family,
					      unsigned flags, struct ctg_diags *diags)
{
	bool is_stdin = !strcmp(path, "-");
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC), err;
	const char *name = is_stdin ? "<stdin>" : path;
	struct ctg_text_guard g;
	size_t len = 0;
	char *text;

	if (fd < 0)
		return NULL;
	ctg_text_guard_init(&g);
	text = read_all(fd, &len, &g);
	err = errno;
	if (!is_stdin)
		close(fd);
	if (!text && err == EBADMSG && diags) { /* one error, an empty ruleset */
		if (ctg_text_guard_diag(&g, name, diags) || !(text = strdup("")))
			return NULL;
		return parse_owned(text, 0, name, family, flags, diags);
	}
	if (!text) {
		errno = err;
		return NULL;
	}
	return parse_owned(text, len, name, family, flags, diags);
}

void ctg_ruleset_free(struct ctg_ruleset *rs)
{
	struct rs_priv *priv = (struct rs_priv *)rs;

	if (!rs)
		return;
	ctg_ruleset_free(rs->next);
	for (size_t i = 0; i < priv->nallocs; i++)
		free(priv->allocs[i]);
	free(priv->allocs);
	free(rs->text);
	ctg_arena_free(rs->arena);
	free(priv);
}

enum ctg_family ctg_ruleset_family(const struct ctg_ruleset *rs)
{
	return rs->family;
}

size_t ctg_ruleset_rule_count(const struct ctg_ruleset *rs)
{
	return rs->nrules;
}
