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
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
	size_t need = 2 * len + 2 + 32; /* every word needs at most its bytes + NUL; the copy
					   stores 16 bytes at a time */
	size_t nw = len / 2 + 2;	/* words are separated by blanks or quotes */

	if (need > l->bcap) {
		char *nb = realloc(l->buf, need);

		if (!nb)
			return -ENOMEM;
		l->buf = nb;
		l->bcap = need;
	}
	if (nw > l->cap) {
		struct ctg_word *w = realloc(l->w, nw * sizeof(*w));

		if (!w)
			return -ENOMEM;
		l->w = w;
		l->cap = nw;
	}
	return 0;
}

/* A word of the line being lexed: reserve() made room for every word it can have. */
static inline void add_word(struct ctg_lexline *l, const char *s, size_t start, size_t end,
			    bool quoted)
{
	struct ctg_word *w = &l->w[l->n++];

	w->s = s;
	w->col = clamp_col(start + 1);
	w->end_col = clamp_col(end + 1);
	w->quoted = quoted;
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

/* 1 = blank, 2 = '"', 3 = NUL (refused), 0 = ordinary */
static const uint8_t cls[256] = {
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, ['\v'] = 1, ['\f'] = 1, ['"'] = 2, [0] = 3,
};

/*
 * Copies the run of ordinary characters at line[*i] to out[*o] and advances both to the
 * first blank, quote or NUL (or the end). The vector loop stores whole 16-byte blocks while
 * it scans them: bytes past the run are overwritten later or lie past the word's NUL.
 */
static inline void ordinary_run(const char *line, size_t len, char *out, size_t *i, size_t *o)
{
	size_t a = *i, b = *o;

#ifdef __SSE2__
	const __m128i sp = _mm_set1_epi8(' '), dq = _mm_set1_epi8('"'), z = _mm_setzero_si128();
	const __m128i off = _mm_set1_epi8((char)(0x80 - '\t')), lim = _mm_set1_epi8(-128 + 5);

	for (; a + 16 <= len; a += 16, b += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(line + a));
		/* '\t' '\n' '\v' '\f' '\r' are 9..13: one unsigned range test */
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, sp), _mm_cmpeq_epi8(v, dq)),
					 _mm_or_si128(_mm_cmplt_epi8(_mm_add_epi8(v, off), lim),
						      _mm_cmpeq_epi8(v, z)));
		unsigned bits = (unsigned)_mm_movemask_epi8(m);

		_mm_storeu_si128((__m128i *)(out + b), v);
		if (bits) {
			unsigned k = (unsigned)__builtin_ctz(bits);

			*i = a + k;
			*o = b + k;
			return;
		}
	}
#endif
	while (a < len && !cls[(unsigned char)line[a]])
		out[b++] = line[a++];
	*i = a;
	*o = b;
}

/* Inside quotes: first j >= i (or len) where line[j] is '"', a backslash or NUL. */
static inline size_t quoted_end(const char *line, size_t i, size_t len)
{
#ifdef __SSE2__
	const __m128i dq = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), z = _mm_setzero_si128();

	for (; i + 16 <= len; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(line + i));
		unsigned bits = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, dq), _mm_cmpeq_epi8(v, bs)),
				     _mm_cmpeq_epi8(v, z)));

		if (bits)
			return i + (size_t)__builtin_ctz(bits);
	}
#endif
	while (i < len && line[i] != '"' && line[i] != '\\' && line[i])
		i++;
	return i;
}

int ctg_lex_line(struct ctg_lexline *l, const char *line, size_t len, unsigned *err_col)
{
	size_t i = 0, o = 0;

	l->n = 0;
	if (reserve(l, len))
		return -ENOMEM;
	while (i < len) {
		size_t start = i, wbeg = o, end;
		bool wq = false;

		if (cls[(unsigned char)line[i]] == 1) {
			i++;
			continue;
		}
		for (;;) {
			size_t j, qstart;

			ordinary_run(line, len, l->buf, &i, &o);
			if (i == len || cls[(unsigned char)line[i]] == 1) {
				end = i - 1; /* a blank or the end of the line ends the word */
				break;
			}
			if (!line[i]) {
				*err_col = (unsigned)i + 1;
				return -EILSEQ;
			}
			/* '"': quoted part; a backslash takes the next character literally */
			wq = true;
			qstart = i++;
			for (;;) {
				j = quoted_end(line, i, len);
				memcpy(l->buf + o, line + i, j - i);
				o += j - i;
				i = j;
				if (i < len && !line[i]) {
					*err_col = (unsigned)i + 1;
					return -EILSEQ;
				}
				if (i < len && line[i] == '\\' && i + 1 < len && !line[i + 1]) {
					*err_col = (unsigned)i + 2;
					return -EILSEQ;
				}
				if (i < len && line[i] == '\\' && i + 1 < len) {
					l->buf[o++] = line[i + 1];
					i += 2;
					continue;
				}
				if (i >= len || line[i] == '\\') {
					*err_col = (unsigned)qstart + 1;
					return -EINVAL;
				}
				break; /* the closing quote */
			}
			end = i++; /* the closing quote also ends the word */
			break;
		}
		l->buf[o++] = '\0';
		add_word(l, l->buf + wbeg, start, end, wq);
	}
	return 0;
}
