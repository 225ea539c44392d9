// SPDX-License-Identifier: GPL-2.0-or-later
#include "apply.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/fileio.h"
#include "../core/strbuf.h"

/* Drops "# ..." comment lines (dates) so snapshots compare byte for byte. */
static char *strip_comments(const char *in, size_t *len)
{
	struct ctg_strbuf sb;
	const char *p = in;

	ctg_sb_init(&sb);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);

		if (*p != '#')
			ctg_sb_putn(&sb, p, n);
		p += n;
	}
	*len = sb.len;
	return ctg_sb_take(&sb);
}

int ctg_snapshot_take(enum ctg_ipt_backend b, struct ctg_rules_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < 2; i++) {
		char *text;
		size_t len;
		int rc = ctg_rules_capture(b, i ? CTG_FAMILY_IPV6 : CTG_FAMILY_IPV4, &text, &len);

		if (rc) {
			if (i == 0) {
				ctg_snapshot_release(s);
				return rc;
			}
			continue; /* no IPv6 support: v4 only */
		}
		s->text[i] = strip_comments(text, &s->len[i]);
		free(text);
		if (!s->text[i]) {
			ctg_snapshot_release(s);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Skips a "[packets:bytes]" counter at p: the length, or 0 when there is none. */
static size_t counter_len(const char *p, const char *end)
{
	const char *q = p + 1, *d = q;

	if (*p != '[')
		return 0;
	while (q < end && *q >= '0' && *q <= '9')
		q++;
	if (q == d || q >= end || *q != ':')
		return 0;
	d = ++q;
	while (q < end && *q >= '0' && *q <= '9')
		q++;
	if (q == d || q >= end || *q != ']')
		return 0;
	return (size_t)(q + 1 - p);
}

/* Equal texts with counters ignored (they move with traffic, the rules do not). */
static bool text_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;

	while (a < ae && b < be) {
		size_t ca = counter_len(a, ae), cb = counter_len(b, be);

		if (ca && cb) {
			a += ca;
			b += cb;
			continue;
		}
		if (*a++ != *b++)
			return false;
	}
	return a == ae && b == be;
}

bool ctg_snapshot_equal(const struct ctg_rules_snapshot *a, const struct ctg_rules_snapshot *b)
{
	for (int i = 0; i < 2; i++) {
		if (!a->text[i] != !b->text[i])
			return false;
		if (a->text[i] && !text_equal(a->text[i], a->len[i], b->text[i], b->len[i]))
			return false;
	}
	return true;
}

void ctg_snapshot_release(struct ctg_rules_snapshot *s)
{
	free(s->text[0]);
	free(s->text[1]);
	memset(s, 0, sizeof(*s));
}

int ctg_snapshot_write(const struct ctg_rules_snapshot *s, const char *dir)
{
	static const char *const names[2] = {"rules.v4", "rules.v6"};
	char path[4096];

	for (int i = 0; i < 2; i++) {
		int rc;

		if (!s->text[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		rc = ctg_file_write_atomic(path, s->text[i], s->len[i], 0600);
		if (rc)
			return rc;
	}
	return 0;
}

int ctg_rules_restore(enum ctg_ipt_backend b, int family, const char *text, size_t len, bool test,
		      struct ctg_exec_result *res)
{
	const char *argv[] = {ctg_ipt_tool(b, family, true), test ? "--test" : NULL, NULL};
	int rc;

	memset(res, 0, sizeof(*res));
	if (!ctg_have_net_admin()) /* the tool would blame the file: "line N failed" */
		return -EPERM;
	rc = ctg_exec(argv, text, len, res);

	if (rc)
		return rc;
	return res->status ? -EINVAL : 0;
}

/* Tables present in text ("*name" lines), as a bitmask over names. */
static const char *const table_names[] = {"filter", "nat", "mangle", "raw", "security"};

static unsigned tables_in(const char *text)
{
	unsigned m = 0;

	for (const char *p = text; p && *p;) {
		if (*p == '*') {
			for (unsigned i = 0; i < 5; i++) {
				size_t n = strlen(table_names[i]);

				if (!strncmp(p + 1, table_names[i], n) &&
				    (p[1 + n] == '\n' || p[1 + n] == '\r' || !p[1 + n]))
					m |= 1u << i;
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return m;
}

static const char *empty_table(unsigned i)
{
	switch (i) {
	case 0:
		return "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT "
		       "[0:0]\nCOMMIT\n";
	case 1:
		return "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
		       ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n";
	case 2:
		return "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT "
		       "[0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n";
	case 3:
		return "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n";
	default:
		return "*security\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT "
		       "[0:0]\nCOMMIT\n";
	}
}

/* nft backend: a table that did not exist before is deleted, so iptables-save matches. */
static void nft_delete_table(int family, const char *name)
{
	const char *argv[] = {"nft", "delete", "table", family == 10 ? "ip6" : "ip", name, NULL};
	struct ctg_exec_result r;

	ctg_exec(argv, NULL, 0, &r);
	ctg_exec_result_release(&r);
}

int ctg_snapshot_restore(enum ctg_ipt_backend b, const struct ctg_rules_snapshot *s,
			 struct ctg_exec_result *res)
{
	memset(res, 0, sizeof(*res));
	for (int i = 0; i < 2; i++) {
		int family = i ? 10 : 2;
		struct ctg_rules_snapshot now;
		unsigned extra;
		struct ctg_strbuf sb;
		int rc;

		if (!s->text[i])
			continue;
		if (ctg_snapshot_take(b, &now))
			memset(&now, 0, sizeof(now));
		extra = tables_in(now.text[i]) & ~tables_in(s->text[i]);
		ctg_snapshot_release(&now);
		ctg_sb_init(&sb);
		ctg_sb_putn(&sb, s->text[i], s->len[i]);
		for (unsigned t = 0; t < 5; t++)
			if (extra & (1u << t))
				ctg_sb_puts(&sb, empty_table(t));
		if (sb.oom) {
			ctg_sb_release(&sb);
			return -ENOMEM;
		}
		ctg_exec_result_release(res);
		rc = ctg_rules_restore(b, family, ctg_sb_str(&sb), sb.len, false, res);
		ctg_sb_release(&sb);
		if (rc)
			return rc;
		if (b == CTG_IPT_NFT)
			for (unsigned t = 0; t < 5; t++)
				if (extra & (1u << t))
					nft_delete_table(family, table_names[t]);
	}
	return 0;
}

unsigned ctg_restore_error_line(const char *err)
{
	const char *p = err ? strstr(err, "line ") : NULL;

	while (p) {
		char *end;
		unsigned long n = strtoul(p + 5, &end, 10);

		if (end != p + 5 && (!strncmp(end, " failed", 7) || !strncmp(end, ":", 1)))
			return (unsigned)n;
		p = strstr(p + 5, "line ");
	}
	return 0;
}
