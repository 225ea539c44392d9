// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Text reader for `ss -tuanpH` (Netid column) and `ss -tanpH` / `ss -uanpH` (no Netid):
 *   tcp ESTAB 0 0 10.0.0.1:3306 10.0.0.2:41234 users:(("mariadbd",pid=812,fd=31)) [uid:0 ino:123]
 */
#include <ctguard/source.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fileio.h"
#include "source_int.h"

struct ss_line {
	const char *p, *end, *line;
	const char *err;
	size_t err_col;
	bool skip;
};

static const char *const state_names[] = {
	[CTG_SK_ESTABLISHED] = "ESTAB",	   [CTG_SK_SYN_SENT] = "SYN-SENT",
	[CTG_SK_SYN_RECV] = "SYN-RECV",	   [CTG_SK_FIN_WAIT1] = "FIN-WAIT-1",
	[CTG_SK_FIN_WAIT2] = "FIN-WAIT-2", [CTG_SK_TIME_WAIT] = "TIME-WAIT",
	[CTG_SK_CLOSE] = "UNCONN",	   [CTG_SK_CLOSE_WAIT] = "CLOSE-WAIT",
	[CTG_SK_LAST_ACK] = "LAST-ACK",	   [CTG_SK_LISTEN] = "LISTEN",
	[CTG_SK_CLOSING] = "CLOSING",
};

static bool word(struct ss_line *l, const char **s, size_t *n)
{
	while (l->p < l->end && (*l->p == ' ' || *l->p == '\t'))
		l->p++;
	if (l->p >= l->end)
		return false;
	*s = l->p;
	while (l->p < l->end && *l->p != ' ' && *l->p != '\t')
		l->p++;
	*n = (size_t)(l->p - *s);
	return true;
}

static int fail(struct ss_line *l, const char *at, const char *msg)
{
	l->err = msg;
	l->err_col = at ? (size_t)(at - l->line) + 1 : 0;
	return -1;
}

static int state_parse(const char *s, size_t n)
{
	for (size_t i = 1; i < sizeof(state_names) / sizeof(state_names[0]); i++)
		if (strlen(state_names[i]) == n && !memcmp(state_names[i], s, n))
			return (int)i;
	if ((n == 5 && !memcmp(s, "CLOSE", 5)) || (n == 6 && !memcmp(s, "CLOSED", 6)))
		return CTG_SK_CLOSE;
	return -1;
}

/* "10.0.0.1:22", "[::1]:22", "*:22", "0.0.0.0:*", "10.0.0.1%eth0:53" */
static int endpoint(struct ss_line *l, const char *s, size_t n, uint8_t *fam, struct ctg_addr *a,
		    uint16_t *port)
{
	const char *colon = NULL, *as = s, *ae, *pct;
	uint32_t v = 0;

	for (size_t i = n; i > 0; i--)
		if (s[i - 1] == ':') {
			colon = s + i - 1;
			break;
		}
	if (!colon)
		return fail(l, s, "expected ADDRESS:PORT");
	if (!(colon + 2 == s + n && colon[1] == '*') &&
	    ctg_src_parse_u32(colon + 1, (size_t)(s + n - colon - 1), 65535, &v))
		return fail(l, colon + 1, "bad port");
	*port = (uint16_t)v;
	ae = colon;
	pct = memchr(as, '%', (size_t)(ae - as));
	if (pct)
		ae = pct;
	if (ae > as && *as == '[' && ae[-1] == ']')
		as++, ae--;
	if (ae - as == 1 && *as == '*') {
		memset(a, 0, sizeof(*a));
		*fam = *fam ? *fam : 10;
		return 0;
	}
	*fam = memchr(as, ':', (size_t)(ae - as)) ? 10 : 2;
	if (ctg_src_parse_addr(*fam, as, (size_t)(ae - as), a))
		return fail(l, s, "bad address");
	return 0;
}

/* Leading decimal digits of [s, end), capped at max; 0 when none. */
static uint64_t digits(const char *s, const char *end, uint64_t max)
{
	uint64_t v = 0;

	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return max;
	}
	return v;
}

/* users:(("mariadbd",pid=812,fd=31),...): first process only. */
static void users(struct ss_line *l, const char *s, struct ctg_sock *sk)
{
	const char *q1 = memchr(s, '"', (size_t)(l->end - s)), *q2, *pid, *close;
	size_t n;

	close = memmem(s, (size_t)(l->end - s), "))", 2);
	l->p = close ? close + 2 : l->end;
	if (!q1 || q1 >= l->p)
		return;
	q2 = memchr(q1 + 1, '"', (size_t)(l->p - q1 - 1));
	if (!q2)
		return;
	n = (size_t)(q2 - q1 - 1);
	n = n < sizeof(sk->comm) - 1 ? n : sizeof(sk->comm) - 1;
	memcpy(sk->comm, q1 + 1, n);
	sk->comm[n] = '\0';
	pid = memmem(q2, (size_t)(l->p - q2), "pid=", 4);
	if (pid)
		sk->pid = (int32_t)digits(pid + 4, l->p, INT32_MAX);
}

static void extras(struct ss_line *l, struct ctg_sock *sk)
{
	const char *s;
	size_t n;
	uint32_t v;

	while (word(l, &s, &n)) {
		if (n > 7 && !memcmp(s, "users:(", 7))
			users(l, s, sk);
		else if (n > 4 && !memcmp(s, "uid:", 4) &&
			 !ctg_src_parse_u32(s + 4, n - 4, UINT32_MAX, &v))
			sk->uid = v;
		else if (n > 4 && !memcmp(s, "ino:", 4))
			sk->inode = digits(s + 4, s + n, UINT64_MAX / 10 - 1);
	}
}

/* The netids of ss other than tcp/udp: their sockets are not ours (skipped, no error). */
static bool other_netid(const char *s, size_t n)
{
	static const char *const ids[] = {"u_str", "u_dgr", "u_seq", "u_nts", "raw",   "mptcp",
					  "nl",	   "p_raw", "p_dgr", "v_str", "v_dgr", "xdp",
					  "sctp",  "tipc",  "icmp6", "dccp",  "???"};

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (strlen(ids[i]) == n && !memcmp(ids[i], s, n))
			return true;
	return false;
}

static int proto_col(struct ss_line *l, const char **s, size_t *n, struct ctg_sock *sk)
{
	if (*n == 3 && !memcmp(*s, "tcp", 3))
		sk->l4proto = 6;
	else if (*n == 3 && !memcmp(*s, "udp", 3))
		sk->l4proto = 17;
	else if (state_parse(*s, *n) < 0) {
		if (!other_netid(*s, *n))
			return fail(l, *s, "not ss output: expected a netid (tcp, udp) or a state");
		l->skip = true; /* u_str, raw, mptcp, ...: not ours */
		return 0;
	}
	if (sk->l4proto && !word(l, s, n))
		return fail(l, NULL, "missing state");
	return 0;
}

static int parse_line(struct ss_line *l, struct ctg_sock *sk)
{
	const char *s;
	size_t n;
	uint32_t q;
	uint8_t pfam;
	int st;

	if (!word(l, &s, &n) || proto_col(l, &s, &n, sk) || l->skip)
		return l->skip ? 0 : -1;
	st = state_parse(s, n);
	if (st < 0)
		return fail(l, s, "unknown socket state");
	sk->state = (uint8_t)st;
	if (!sk->l4proto)
		sk->l4proto = st == CTG_SK_CLOSE ? 17 : 6;
	for (int i = 0; i < 2; i++)
		if (!word(l, &s, &n) || ctg_src_parse_u32(s, n, UINT32_MAX, &q))
			return fail(l, l->p < l->end ? s : NULL, "bad queue size");
	if (!word(l, &s, &n) || endpoint(l, s, n, &sk->family, &sk->laddr, &sk->lport))
		return l->err ? -1 : fail(l, NULL, "missing local address");
	pfam = sk->family;
	if (!word(l, &s, &n) || endpoint(l, s, n, &pfam, &sk->paddr, &sk->pport))
		return l->err ? -1 : fail(l, NULL, "missing peer address");
	if (pfam != sk->family)
		return fail(l, s, "peer address family differs from the local one");
	extras(l, sk);
	ctg_src_sock_unmap(sk);
	return 0;
}

static int report(struct ctg_diags *d, const char *name, uint32_t lineno, const struct ss_line *l,
		  size_t *ndiag)
{
	struct ctg_src_bad_line b = {.code = "bad-ss-line", .msg = l->err, .err_col = l->err_col};

	return ctg_src_report_line(d, name, lineno, l->line, (size_t)(l->end - l->line), &b, ndiag);
}

int ctg_sock_read_ss_text(struct ctg_sock_table *t, const char *text, size_t len, const char *name,
			  struct ctg_diags *diags)
{
	const char *p = text, *end = text + len;
	uint32_t lineno = 0;
	size_t ndiag = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct ss_line l = {.p = p, .line = p, .end = nl ? nl : end};
		const char *s;
		size_t n;
		struct ctg_sock *sk;

		lineno++;
		p = nl ? nl + 1 : end;
		if (l.end > l.line && l.end[-1] == '\r')
			l.end--;
		if (!word(&l, &s, &n) || s[0] == '#' || (n == 5 && !memcmp(s, "Netid", 5)) ||
		    (n == 5 && !memcmp(s, "State", 5)))
			continue;
		l.p = l.line;
		sk = ctg_sock_table_push(t);
		if (!sk)
			return -ENOMEM;
		sk->pid = -1;
		if (parse_line(&l, sk) || l.skip) {
			t->n--;
			if (!l.skip && report(diags, name, lineno, &l, &ndiag))
				return -ENOMEM;
		}
	}
	return 0;
}

int ctg_sock_read_ss_file(struct ctg_sock_table *t, const char *path, struct ctg_diags *diags)
{
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	struct ctg_text_guard g;
	char *buf;
	size_t len;
	int ret;

	ctg_text_guard_init(&g);
	ret = ctg_file_read_text(path, &buf, &len, &g);
	if (ret == -EBADMSG && diags)
		return ctg_text_guard_diag(&g, name, diags);
	if (ret)
		return ret;
	ret = ctg_sock_read_ss_text(t, buf, len, name, diags);
	free(buf);
	return ret;
}
