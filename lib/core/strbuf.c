// SPDX-License-Identifier: GPL-2.0-or-later
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ctg_sb_init(struct ctg_strbuf *sb)
{
	memset(sb, 0, sizeof(*sb));
}

void ctg_sb_release(struct ctg_strbuf *sb)
{
	free(sb->buf);
	ctg_sb_init(sb);
}

void ctg_sb_reset(struct ctg_strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

static bool reserve(struct ctg_strbuf *sb, size_t extra)
{
	size_t ncap;
	char *nb;

	if (sb->oom)
		return false;
	if (sb->len + extra + 1 <= sb->cap)
		return true;
	ncap = sb->cap ? sb->cap : 64;
	while (ncap < sb->len + extra + 1)
		ncap *= 2;
	nb = realloc(sb->buf, ncap);
	if (!nb) {
		sb->oom = true;
		return false;
	}
	sb->buf = nb;
	sb->cap = ncap;
	return true;
}

void ctg_sb_putn(struct ctg_strbuf *sb, const char *s, size_t n)
{
	if (!reserve(sb, n))
		return;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void ctg_sb_puts(struct ctg_strbuf *sb, const char *s)
{
	ctg_sb_putn(sb, s, strlen(s));
}

void ctg_sb_putc(struct ctg_strbuf *sb, char c)
{
	ctg_sb_putn(sb, &c, 1);
}

void ctg_sb_printf(struct ctg_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

char *ctg_sb_take(struct ctg_strbuf *sb)
{
	char *s;

	if (sb->oom) {
		ctg_sb_release(sb);
		return NULL;
	}
	if (!sb->buf && !reserve(sb, 0))
		return NULL;
	if (sb->len == 0)
		sb->buf[0] = '\0';
	s = sb->buf;
	ctg_sb_init(sb);
	return s;
}
