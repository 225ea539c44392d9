// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The iptables-restore lexer. Mirrors add_param_to_argv() in iptables/xshared.c: words are
 * separated by blanks; '"' opens and closes a quoted part (the closing quote also ends the
 * word); inside quotes '\' takes the next character literally. Outside quotes a backslash
 * is an ordinary character.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"

void ctg_lex_init(struct ctg_lexline *l)
{
	memset(l, 0, sizeof(*l));
}

void ctg_lex_release(struct ctg_lexline *l)
{
	free(l->w);
	free(l->buf);
	memset(l, 0, sizeof(*l));
}

static uint16_t clamp_col(size_t c)
{
	return c > UINT16_MAX ? UINT16_MAX : (uint16_t)c;
}

static int reserve(struct ctg_lexline *l, size_t len)
{
	size_t need = 2 * len + 2; /* every word needs at most its bytes + NUL */

	if (need > l->bcap) {
		char *nb = realloc(l->buf, need);

		if (!nb)
			return -ENOMEM;
		l->buf = nb;
		l->bcap = need;
	}
	return 0;
}

static int push_word(struct ctg_lexline *l, const char *s, size_t start, size_t end, bool quoted)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 32;
		struct ctg_word *nw = realloc(l->w, ncap * sizeof(*nw));

		if (!nw)
			return -ENOMEM;
		l->w = nw;
		l->cap = ncap;
	}
	l->w[l->n].s = s;
	l->w[l->n].col = clamp_col(start + 1);
	l->w[l->n].end_col = clamp_col(end + 1);
	l->w[l->n].quoted = quoted;
	l->n++;
	return 0;
}

int ctg_lex_insert(struct ctg_lexline *l, size_t at, const struct ctg_word *w)
{
	if (push_word(l, w->s, 0, 0, false))
		return -ENOMEM;
	memmove(&l->w[at + 1], &l->w[at], (l->n - 1 - at) * sizeof(*l->w));
	l->w[at] = *w;
	return 0;
}

/* 1 = blank, 2 = '"', 0 = ordinary */
static const uint8_t cls[256] = {
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, ['\v'] = 1, ['\f'] = 1, ['"'] = 2,
};

int ctg_lex_line(struct ctg_lexline *l, const char *line, size_t len, unsigned *err_col)
{
	bool quote = false, escaped = false, inword = false, wq = false;
	size_t start = 0, qstart = 0, o = 0, wbeg = 0;

	l->n = 0;
	if (reserve(l, len))
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		char c = line[i];

		if (quote) {
			if (escaped) {
				l->buf[o++] = c;
				escaped = false;
			} else if (c == '\\') {
				escaped = true;
			} else if (c == '"') {
				quote = false;
				l->buf[o++] = '\0';
				if (push_word(l, l->buf + wbeg, start, i, true))
					return -ENOMEM;
				wbeg = o;
				inword = false;
				wq = false;
			} else {
				l->buf[o++] = c;
			}
			continue;
		}
		switch (cls[(unsigned char)c]) {
		case 2:
			quote = true;
			wq = true;
			qstart = i;
			if (!inword) {
				inword = true;
				start = i;
			}
			continue;
		case 1:
			if (inword) {
				l->buf[o++] = '\0';
				if (push_word(l, l->buf + wbeg, start, i - 1, wq))
					return -ENOMEM;
				wbeg = o;
				inword = false;
			}
			continue;
		default: {
			/* a run of ordinary characters in one go */
			size_t j = i + 1;

			while (j < len && !cls[(unsigned char)line[j]])
				j++;
			if (!inword) {
				inword = true;
				start = i;
			}
			memcpy(l->buf + o, line + i, j - i);
			o += j - i;
			i = j - 1;
		}
		}
	}
	if (quote) {
		*err_col = (unsigned)qstart + 1;
		return -EINVAL;
	}
	if (inword) {
		l->buf[o++] = '\0';
		if (push_word(l, l->buf + wbeg, start, len - 1, wq))
			return -ENOMEM;
	}
	return 0;
}
