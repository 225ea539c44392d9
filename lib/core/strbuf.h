/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A growable string. On allocation failure it stays valid and records the error. */
#ifndef CTG_STRBUF_H
#define CTG_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct ctg_strbuf {
	char *buf;
	size_t len, cap;
	bool oom;
};

void ctg_sb_init(struct ctg_strbuf *sb);
void ctg_sb_release(struct ctg_strbuf *sb);
void ctg_sb_reset(struct ctg_strbuf *sb);
void ctg_sb_putc(struct ctg_strbuf *sb, char c);
void ctg_sb_puts(struct ctg_strbuf *sb, const char *s);
void ctg_sb_putn(struct ctg_strbuf *sb, const char *s, size_t n);
void ctg_sb_printf(struct ctg_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Takes the string (NUL-terminated, malloc'd); the buffer is reset. NULL if oom. */
char *ctg_sb_take(struct ctg_strbuf *sb);
static inline const char *ctg_sb_str(const struct ctg_strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

#endif
