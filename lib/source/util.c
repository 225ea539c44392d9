// SPDX-License-Identifier: GPL-2.0-or-later
/* Small parsing and I/O helpers for the readers. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <ctguard/ct.h>
#include <ctguard/sock.h>

#include "source_int.h"

static int parse_v4(const char *s, size_t n, struct ctg_addr *a)
{
	unsigned part = 0, val = 0, digits = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (!digits || val > 255 || part > 3)
				return -EINVAL;
			a->b[part++] = (uint8_t)val;
			val = digits = 0;
		} else if (s[i] >= '0' && s[i] <= '9' && digits < 3) {
			val = val * 10 + (unsigned)(s[i] - '0');
			digits++;
		} else {
			return -EINVAL;
		}
	}
	return part == 4 ? 0 : -EINVAL;
}

int ctg_src_parse_addr(int family, const char *s, size_t n, struct ctg_addr *a)
{
	char buf[INET6_ADDRSTRLEN + 1];

	memset(a, 0, sizeof(*a));
	if (family == 2)
		return parse_v4(s, n, a);
	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, a->b) == 1 ? 0 : -EINVAL;
}

int ctg_src_parse_u32(const char *s, size_t n, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 10)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int ctg_src_tcp_state_parse(const char *s, size_t n)
{
	for (int i = 0; i < CTG_TCP_MAX; i++) {
		const char *name = ctg_tcp_state_name((enum ctg_tcp_state)i);

		if (strlen(name) == n && !memcmp(name, s, n))
			return i;
	}
	return -1;
}

static bool is_mapped(const struct ctg_addr *a)
{
	static const uint8_t pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return !memcmp(a->b, pfx, 12);
}

static void unmap(struct ctg_addr *a)
{
	a->w[0] = a->w[3];
	a->w[1] = a->w[2] = a->w[3] = 0;
}

void ctg_src_sock_unmap(struct ctg_sock *s)
{
	static const struct ctg_addr zero;

	if (s->family != 10 || !is_mapped(&s->laddr))
		return;
	if (!is_mapped(&s->paddr) && !ctg_addr_eq(&s->paddr, &zero))
		return;
	unmap(&s->laddr);
	if (is_mapped(&s->paddr))
		unmap(&s->paddr);
	s->family = 2;
}

#define MAX_LINE_DIAGS 100

int ctg_src_report_line(struct ctg_diags *d, const char *name, uint32_t lineno, const char *line,
			size_t len, const struct ctg_src_bad_line *b, size_t *ndiag)
{
	struct ctg_loc loc = {.src = name, .line = lineno};
	size_t tlen;
	char *text;
	int ret;

	if (!d || ++*ndiag > MAX_LINE_DIAGS)
		return 0;
	if (*ndiag == MAX_LINE_DIAGS)
		return ctg_diags_add(d, CTG_SEV_ERROR, "too-many-errors", &loc, NULL, NULL,
				     "too many bad lines, not reporting more");
	text = strndup(line, len > 4096 ? 4096 : len);
	if (!text)
		return -ENOMEM;
	for (char *q = text; *q; q++)
		if ((unsigned char)*q < 0x20 && *q != '\t')
			*q = '?';
	/* the caret must stay inside the text (NUL bytes or truncation shorten it) */
	tlen = strlen(text);
	if (b->err_col <= tlen && b->err_col < 65535) {
		loc.col = (uint16_t)b->err_col;
		if (b->err_len > 1 && b->err_col + b->err_len - 1 <= tlen)
			loc.end_col = (uint16_t)(b->err_col + b->err_len - 1);
	}
	ret = ctg_diags_add(d, CTG_SEV_ERROR, b->code, &loc, text, b->hint, "%s", b->msg);
	free(text);
	return ret;
}
