/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Splitting one iptables-restore line into words, quoting as iptables-restore does it. */
#ifndef CTG_LEX_H
#define CTG_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctg_word {
	const char *s;	  /* unquoted, unescaped, NUL-terminated */
	uint16_t col;	  /* 1-based first column in the line */
	uint16_t end_col; /* inclusive last column */
	bool quoted;	  /* some part was in double quotes: never an option or "!" */
};

/* An unquoted "!" (negation). */
static inline bool ctg_word_is_bang(const struct ctg_word *w)
{
	return !w->quoted && w->s[0] == '!' && !w->s[1];
}

/* An unquoted word starting with '-' (an option, or a negative number). */
static inline bool ctg_word_is_opt(const struct ctg_word *w)
{
	return !w->quoted && w->s[0] == '-';
}

struct ctg_lexline {
	struct ctg_word *w;
	size_t n, cap;
	char *buf; /* storage for the words */
	size_t bcap;
};

void ctg_lex_init(struct ctg_lexline *l);
void ctg_lex_release(struct ctg_lexline *l);
/*
 * Splits line[0..len) into words. Double quotes group, and inside them a backslash
 * escapes the next character (add_param_to_argv). line need not be NUL-terminated. Returns
 * 0, -ENOMEM, -EINVAL for an unterminated quote (*err_col = column of the opening quote), or
 * -EILSEQ for a NUL byte (*err_col = its column).
 */
int ctg_lex_line(struct ctg_lexline *l, const char *line, size_t len, unsigned *err_col);
/* Inserts a word at position at (words after it move up). 0 or -ENOMEM. */
int ctg_lex_insert(struct ctg_lexline *l, size_t at, const struct ctg_word *w);

#endif
