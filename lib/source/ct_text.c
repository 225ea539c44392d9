// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Text readers for conntrack tables: `conntrack -L` (plain, -o extended, -o id,ktimestamp)
 * and /proc/net/nf_conntrack. One line per entry; formats in netfilter-semantics.md §10.
 */
#include <ctguard/source.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "../core/fileio.h"
#include "source_int.h"

struct tok {
	const char *s;
	const char *eq; /* first '=' or NULL */
	size_t n;
	size_t col; /* 1-based */
};

struct line_ctx {
	const char *p, *end, *line;
	struct ctg_ct_entry *e;
	int tuple;     /* -1 before the first src=, 0 orig, 1 reply */
	unsigned seen; /* SEEN_* bits */
	bool unreplied;
	const char *err;
	size_t err_col, err_len;
	const char *hint;
	char hint_buf[64];
};

enum {
	SEEN_SRC0 = 1 << 0,
	SEEN_DST0 = 1 << 1,
	SEEN_SRC1 = 1 << 2,
	SEEN_DST1 = 1 << 3,
	SEEN_ID0 = 1 << 4,
	SEEN_ID1 = 1 << 5,
};

/* The next blank-separated word; notes its first '=' on the way (one pass per byte). */
static bool next_tok(struct line_ctx *c, struct tok *t)
{
	const char *p = c->p, *end = c->end, *eq = NULL;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	c->p = p;
	if (p >= end)
		return false;
	t->s = p;
	t->col = (size_t)(p - c->line) + 1;
	for (; p < end && *p != ' ' && *p != '\t'; p++)
		if (*p == '=' && !eq)
			eq = p;
	t->eq = eq;
	t->n = (size_t)(p - t->s);
	c->p = p;
	return true;
}

static bool tok_is(const struct tok *t, const char *w)
{
	size_t n = strlen(w);

	return t->n == n && !memcmp(t->s, w, n);
}

static int fail(struct line_ctx *c, const struct tok *t, const char *msg)
{
	c->err = msg;
	c->err_col = t ? t->col : 0;
	c->err_len = t ? t->n : 0;
	return -1;
}

static int parse_addr(struct line_ctx *c, const struct tok *t, const char *v, size_t n,
		      struct ctg_addr *a)
{
	int fam = 2;

	for (size_t i = 0; i < n && fam == 2; i++)
		if (v[i] == ':')
			fam = 10;

	if (c->e->family && c->e->family != fam)
		return fail(c, t, "address family does not match the entry");
	if (ctg_src_parse_addr(fam, v, n, a))
		return fail(c, t, "bad address");
	c->e->family = (uint8_t)fam;
	return 0;
}

static struct ctg_tuple *cur_tuple(struct line_ctx *c)
{
	return c->tuple == 1 ? &c->e->reply : &c->e->orig;
}

static int kv_tuple(struct line_ctx *c, const struct tok *t, const char *k, size_t kn,
		    const char *v, size_t vn)
{
	struct ctg_tuple *tu;
	uint32_t x;

	if (kn == 3 && !memcmp(k, "src", 3)) {
		if (c->tuple >= 1)
			return fail(c, t, "more than two tuples");
		c->tuple++;
		c->seen |= c->tuple ? SEEN_SRC1 : SEEN_SRC0;
		return parse_addr(c, t, v, vn, &cur_tuple(c)->src);
	}
	if (c->tuple < 0)
		return fail(c, t, "tuple field before src=");
	tu = cur_tuple(c);
	if (kn == 3 && !memcmp(k, "dst", 3)) {
		c->seen |= c->tuple ? SEEN_DST1 : SEEN_DST0;
		return parse_addr(c, t, v, vn, &tu->dst);
	}
	if (ctg_src_parse_u32(v, vn, 65535, &x))
		return fail(c, t, "bad number");
	if ((kn == 5 && !memcmp(k, "sport", 5)) || (kn == 2 && !memcmp(k, "id", 2)))
		tu->sport = (uint16_t)x;
	else if (kn == 5 && !memcmp(k, "dport", 5))
		tu->dport = (uint16_t)x;
	else if (kn == 4 && !memcmp(k, "type", 4) && x <= 255)
		tu->dport = (uint16_t)((tu->dport & 0xff) | x << 8);
	else if (kn == 4 && !memcmp(k, "code", 4) && x <= 255)
		tu->dport = (uint16_t)((tu->dport & 0xff00) | x);
	else
		return fail(c, t, "bad tuple field");
	return 0;
}

static bool is_tuple_key(const char *k, size_t kn)
{
	switch (kn) {
	case 3:
		return (k[0] == 's' && k[1] == 'r' && k[2] == 'c') ||
		       (k[0] == 'd' && k[1] == 's' && k[2] == 't');
	case 4:
		return !memcmp(k, "type", 4) || !memcmp(k, "code", 4);
	case 5:
		return (k[0] == 's' || k[0] == 'd') && !memcmp(k + 1, "port", 4);
	default:
		return false;
	}
}

static int kv(struct line_ctx *c, const struct tok *t)
{
	const char *eq = t->eq;
	size_t kn = (size_t)(eq - t->s), vn = t->n - kn - 1;
	const char *v = eq + 1;
	uint32_t x;

	if (is_tuple_key(t->s, kn))
		return kv_tuple(c, t, t->s, kn, v, vn);
	if (kn == 2 && !memcmp(t->s, "id", 2)) {
		/* id= inside an ICMP tuple is the ICMP id; otherwise the entry id (-o id) */
		unsigned bit = c->tuple == 1 ? SEEN_ID1 : SEEN_ID0;

		if ((c->e->l4proto == 1 || c->e->l4proto == 58) && c->tuple >= 0 &&
		    !(c->seen & bit)) {
			c->seen |= bit;
			return kv_tuple(c, t, t->s, kn, v, vn);
		}
		if (ctg_src_parse_u32(v, vn, UINT32_MAX, &x))
			return fail(c, t, "bad id");
		c->e->id = x;
		return 0;
	}
	if (kn == 4 && !memcmp(t->s, "mark", 4)) {
		if (ctg_src_parse_u32(v, vn, UINT32_MAX, &x))
			return fail(c, t, "bad mark");
		c->e->mark = x;
	} else if (kn == 4 && !memcmp(t->s, "zone", 4)) {
		if (ctg_src_parse_u32(v, vn, 65535, &x))
			return fail(c, t, "bad zone");
		c->e->zone = (uint16_t)x;
	}
	/* packets=, bytes=, use=, secctx=, labels=, delta-time=, helper=, ...: ignored */
	return 0;
}

static int flag(struct line_ctx *c, struct tok *t)
{
	if (tok_is(t, "[UNREPLIED]"))
		c->unreplied = true;
	else if (tok_is(t, "[ASSURED]"))
		c->e->status |= CTG_IPS_ASSURED;
	else if (tok_is(t, "[OFFLOAD]"))
		c->e->status |= CTG_IPS_OFFLOAD;
	else if (tok_is(t, "[HW_OFFLOAD]"))
		c->e->status |= CTG_IPS_HW_OFFLOAD;
	else if (!memchr(t->s, ']', t->n)) {
		/* "[start=Thu Nov 26 ...]": a bracket spanning several words */
		struct tok w;

		do {
			if (!next_tok(c, &w))
				return fail(c, t, "unterminated '['");
		} while (!memchr(w.s, ']', w.n));
	}
	return 0;
}

static int head(struct line_ctx *c)
{
	struct tok t;
	uint32_t x;

	if (!next_tok(c, &t))
		return fail(c, NULL, "empty line");
	if (tok_is(&t, "ipv4") || tok_is(&t, "ipv6")) {
		c->e->family = t.s[3] == '4' ? 2 : 10;
		if (!next_tok(c, &t) || ctg_src_parse_u32(t.s, t.n, 255, &x) || x != c->e->family)
			return fail(c, &t, "bad layer 3 protocol number");
		if (!next_tok(c, &t))
			return fail(c, NULL, "missing protocol");
	}
	if (t.n == 0 || t.eq)
		return fail(c, &t, "expected a protocol name");
	if (!next_tok(c, &t) || ctg_src_parse_u32(t.s, t.n, 255, &x))
		return fail(c, &t, "bad protocol number");
	c->e->l4proto = (uint8_t)x;
	if (!next_tok(c, &t) || ctg_src_parse_u32(t.s, t.n, UINT32_MAX, &x))
		return fail(c, &t, "bad timeout");
	c->e->timeout = x;
	return 0;
}

static int bad_state(struct line_ctx *c, const struct tok *t)
{
	const char *names[CTG_TCP_MAX];
	char word[32];
	const char *s;

	for (int i = 0; i < CTG_TCP_MAX; i++)
		names[i] = ctg_tcp_state_name((enum ctg_tcp_state)i);
	snprintf(word, sizeof(word), "%.*s", (int)(t->n < 31 ? t->n : 31), t->s);
	s = ctg_misspell_suggest(word, names, CTG_TCP_MAX);
	if (s) {
		snprintf(c->hint_buf, sizeof(c->hint_buf), "did you mean \"%s\"?", s);
		c->hint = c->hint_buf;
	}
	return fail(c, t, "unknown TCP state");
}

static int body(struct line_ctx *c)
{
	struct tok t;
	bool first = true;

	while (next_tok(c, &t)) {
		int ret = 0;

		if (t.s[0] == '[')
			ret = flag(c, &t);
		else if (t.eq)
			ret = kv(c, &t);
		else if (first && c->e->l4proto == 6) {
			int st = tok_is(&t, "ESTABLISHED") ? CTG_TCP_ESTABLISHED
							   : ctg_src_tcp_state_parse(t.s, t.n);

			if (st < 0)
				return bad_state(c, &t);
			c->e->tcp_state = (uint8_t)st;
		} else if (!first || c->e->l4proto == 6)
			return fail(c, &t, "unexpected word");
		first = false;
		if (ret)
			return ret;
	}
	if ((c->seen & 0xf) != 0xf)
		return fail(c, NULL, "incomplete tuples (need src= dst= twice)");
	return 0;
}

static void infer_status(struct ctg_ct_entry *e, bool unreplied)
{
	bool ports = e->l4proto == 6 || e->l4proto == 17 || e->l4proto == 132 || e->l4proto == 33 ||
		     e->l4proto == 136;

	e->status |= CTG_IPS_CONFIRMED;
	if (!unreplied)
		e->status |= CTG_IPS_SEEN_REPLY;
	if (!ctg_addr_eq(&e->reply.dst, &e->orig.src) || (ports && e->reply.dport != e->orig.sport))
		e->status |= CTG_IPS_SRC_NAT;
	if (!ctg_addr_eq(&e->reply.src, &e->orig.dst) || (ports && e->reply.sport != e->orig.dport))
		e->status |= CTG_IPS_DST_NAT;
}

static bool skip_line(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	if (s == end || *s == '#')
		return true;
	/* stderr trailer: "conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown." */
	return end - s >= 11 && !memcmp(s, "conntrack v", 11);
}

struct reader {
	struct ctg_ct_table *t;
	const char *name;
	struct ctg_diags *diags;
	uint32_t lineno;
	size_t ndiag;
};

/* Parses the lines of [p, end); the last one may lack its newline. */
static int report(struct ctg_diags *d, const char *name, uint32_t lineno, const char *line,
		  size_t len, const struct line_ctx *c, size_t *ndiag)
{
	struct ctg_src_bad_line b = {.code = "bad-conntrack-line",
				     .msg = c->err,
				     .hint = c->hint,
				     .err_col = c->err_col,
				     .err_len = c->err_len};

	return ctg_src_report_line(d, name, lineno, line, len, &b, ndiag);
}

static int parse_lines(struct reader *r, const char *p, const char *end)
{
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		struct line_ctx c = {.p = p, .line = p, .end = le, .tuple = -1};

		r->lineno++;
		if (le > p && le[-1] == '\r')
			c.end = --le;
		if (!skip_line(p, le)) {
			c.e = ctg_ct_table_push(r->t);
			if (!c.e)
				return -ENOMEM;
			if (head(&c) || body(&c)) {
				r->t->n--;
				if (report(r->diags, r->name, r->lineno, p, (size_t)(le - p), &c,
					   &r->ndiag))
					return -ENOMEM;
			} else {
				infer_status(c.e, c.unreplied);
			}
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int ctg_ct_read_text(struct ctg_ct_table *t, const char *text, size_t len, const char *name,
		     struct ctg_diags *diags)
{
	struct reader r = {.t = t, .name = name, .diags = diags};

	return parse_lines(&r, text, text + len);
}

#define CHUNK (1 << 20)

/* Streams fd through parse_lines in chunks: no copy of the whole input. */
static int read_fd(struct reader *r, int fd)
{
	size_t cap = CHUNK, have = 0;
	char *buf = malloc(cap);
	struct ctg_text_guard g;
	int ret = 0;

	ctg_text_guard_init(&g);
	while (buf && !ret) {
		ssize_t n = read(fd, buf + have, cap - have);
		char *last;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (n > 0 && ctg_text_guard_feed(&g, buf + have, (size_t)n)) {
			/* binary or a line too long: one error, read no more */
			ret = r->diags ? ctg_text_guard_diag(&g, r->name, r->diags) : -EBADMSG;
			break;
		}
		if (n == 0) {
			ret = parse_lines(r, buf, buf + have);
			break;
		}
		have += (size_t)n;
		last = memrchr(buf, '\n', have);
		if (last) {
			ret = parse_lines(r, buf, last + 1);
			have -= (size_t)(last + 1 - buf);
			memmove(buf, last + 1, have);
		} else if (have == cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	if (!buf)
		ret = -ENOMEM;
	free(buf);
	return ret;
}

static int read_path(struct ctg_ct_table *t, const char *path, const char *name,
		     struct ctg_diags *diags)
{
	struct reader r = {.t = t, .name = name, .diags = diags};
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	int ret;

	if (fd < 0)
		return -errno;
	ret = read_fd(&r, fd);
	if (fd)
		close(fd);
	return ret;
}

int ctg_ct_read_file(struct ctg_ct_table *t, const char *path, struct ctg_diags *diags)
{
	return read_path(t, path, strcmp(path, "-") ? path : "<stdin>", diags);
}

int ctg_ct_read_proc(struct ctg_ct_table *t, const char *proc_root, struct ctg_diags *diags)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/net/nf_conntrack", proc_root ? proc_root : "/proc");
	return read_path(t, path, path, diags);
}
