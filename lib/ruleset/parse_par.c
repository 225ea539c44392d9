// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A big table's rule lines in several threads. iptables-save declares every chain of a
 * table before its first rule, so the lines from the first rule to COMMIT only read the
 * chain set. That block is cut at line boundaries into one slice per online CPU (at most
 * PAR_MAX, at least PAR_MIN_SLICE bytes each). The calling thread parses the first
 * (shorter) slice as usual, sorts the chains for COMMIT, then takes the second half of what
 * the last worker has left (steal()). Each worker parses its slice into its own rule array,
 * arena and diagnostics, appending only. Workers are adopted in file order and their rule
 * arrays kept as they are (segments), so rules, chain runs, line numbers and diagnostics
 * come out exactly as a serial parse makes them. A worker that meets a line it cannot take
 * alone (":", "*", COMMIT change the chain set; -I depends on rule positions) is dropped
 * with every later one, and the serial parse goes on from its slice.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "parse.h"

#define PAR_MAX	      CTG_PAR_MAX
#define PAR_MIN_SLICE ((size_t)1 << 20)	  /* smaller slices do not pay for a thread */
#define PAR_PREFAULT  ((size_t)4 << 20)	  /* inputs from this size on */
#define LIDX_STEP     ((size_t)256 << 10) /* line index: an entry per piece of text */
#define STEAL_MIN     ((size_t)64 << 10)  /* nor does stealing less than this */

int ctg_parse_par_threads;
size_t ctg_parse_par_min_slice;

/* Threads a big table's rules are parsed by: one per online CPU, 1 to PAR_MAX. */
static int threads(void)
{
	long cpus = ctg_parse_par_threads ? ctg_parse_par_threads : sysconf(_SC_NPROCESSORS_ONLN);

	return cpus < 1 ? 1 : cpus > PAR_MAX ? PAR_MAX : (int)cpus;
}

struct worker {
	struct parser p;
	pthread_t th;
	const char *text;
	size_t from, start, end; /* its first line number counts from `from`; parses [start, end) */
	size_t done_at;		 /* where it stopped: end, or a bail or the limit */
	atomic_size_t limit;	 /* stops before the line starting here (stealing lowers it) */
	_Atomic uint64_t at;	 /* the line it is on: start << 32 | lines before it */
	bool give_back;		 /* gives back the pages it counts lines in (lines_before) */
	atomic_bool done;
};

static size_t count_lines(const char *s, size_t n)
{
	size_t c = 0, i = 0;

#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n'), z = _mm_setzero_si128();

	while (i + 16 <= n) {
		__m128i acc = z; /* per byte lane: up to 255 newlines, then summed */

		for (size_t k = 0; k < 255 && i + 16 <= n; k++, i += 16)
			acc = _mm_sub_epi8(
				acc, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(s + i)), nl));
		acc = _mm_sad_epu8(acc, z);
		c += (size_t)_mm_cvtsi128_si32(acc) +
		     (size_t)_mm_cvtsi128_si32(_mm_srli_si128(acc, 8));
	}
#endif
	for (; i < n; i++)
		c += s[i] == '\n';
	return c;
}

/*
 * Lines of text[from, to): the worker's first line number. A mapped file's pages of
 * another thread's slice are given back after counting (1 MiB at a time), so that they are
 * not all resident at once before that thread reaches them.
 */
static size_t lines_before(const struct worker *w, size_t from, size_t to)
{
	const size_t step = (size_t)1 << 20;
	size_t n = 0;

	for (size_t a = from; a < to; a += step) {
		size_t b = to - a < step ? to : a + step;

		n += count_lines(w->text + a, b - a);
		if (w->give_back && w->p.priv->text_mapped)
			ctg_parse_madvise(w->text + a, b - a, MADV_DONTNEED);
	}
	return n;
}

/* Lines in text[index start, at) from the table's line index (made by the prefault thread
 * as it looked for the table's end); -1 when it is not there or does not reach at. */
static long lines_to(const struct worker *w, size_t at)
{
	const struct lineidx *x = w->p.lidx;
	size_t i, from;

	if (!x || !atomic_load_explicit(&x->ready, memory_order_acquire) || at < x->pos)
		return -1;
	i = (at - x->pos) / LIDX_STEP;
	if (i >= x->n)
		return -1;
	from = x->pos + i * LIDX_STEP;
	return (long)x->lines[i] + (long)count_lines(w->text + from, at - from);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	long a = lines_to(w, w->from), b = a < 0 ? -1 : lines_to(w, w->start);

	w->p.lineno += b >= 0 ? (uint32_t)(b - a) : (uint32_t)lines_before(w, w->from, w->start);
	w->done_at = ctg_parse_lines(&w->p, w->text, w->start, w->end);
	atomic_store(&w->done, true);
	return NULL;
}

static void release_worker(struct worker *w)
{
	struct parser *q = &w->p;

	ctg_lex_release(&q->lx);
	free(q->linebuf);
	free(q->rc);
	free(q->mv);
	free(q->seen_opts);
	free(q->trules);
	free(q->rchain);
	ctg_diags_free(q->diags);
	ctg_arena_free(q->arena);
}

/* An arena for the rules of `bytes` of input: chunks of 4 MiB at least, which the arena
 * backs with huge pages (fewer faults). */
static struct ctg_arena *arena_for(size_t bytes)
{
	return ctg_arena_new(bytes / 2 > ((size_t)4 << 20) ? bytes / 2 : ((size_t)4 << 20));
}

/* A copy of the parser that shares the table's chains (read-only) and owns the rest. */
static int init_worker(struct worker *w, const struct parser *p, const char *text, size_t from,
		       size_t start, size_t end)
{
	struct parser *q = &w->p;

	*q = *p;
	w->text = text;
	w->from = from;
	w->start = start;
	w->end = end;
	w->done_at = start;
	atomic_init(&w->limit, end);
	atomic_init(&w->at, UINT64_MAX); /* not started: its first line number is not known */
	w->give_back = true;
	atomic_init(&w->done, false);
	q->limit = &w->limit;
	q->at = &w->at;
	ctg_lex_init(&q->lx);
	q->linebuf = NULL;
	q->linecap = 0;
	q->line = NULL;
	q->rc = NULL;
	q->mv = NULL;
	q->seen_opts = NULL;
	q->capm = 0;
	memset(q->mcache, 0, sizeof(q->mcache));
	q->tcache = NULL;
	q->trules = NULL;
	q->rchain = NULL;
	q->line_off = NULL;
	q->order = NULL;
	q->nsegs = q->nmain = 0;
	q->prefaulting = false;
	memset(q->pre, 0, sizeof(q->pre)); /* the owner's, not this one's */
	q->nline_off = 0;
	q->ntr = q->captr = 0;
	q->errors = 0;
	q->last_chain = -1;
	q->uses_ct = false;
	q->worker = q->serial = q->par_tried = true;
	q->restricted = q->stopped = q->bail = q->nomem = false;
	q->size_hint = end - start;
	q->released = start; /* pages of its own slice, as it goes (release_parsed) */
	q->diags = ctg_diags_new();
	q->arena = arena_for(q->size_hint);
	if (!q->diags || !q->arena) {
		release_worker(w);
		return -1;
	}
	return 0;
}

#ifdef __SSE2__
/* Bit k set: t[i + k] is a newline and t[i + k + 1] is c (reads t[i, i + 17)). */
static inline unsigned newline_then(const char *t, size_t i, char c)
{
	__m128i a = _mm_loadu_si128((const __m128i *)(t + i)),
		b = _mm_loadu_si128((const __m128i *)(t + i + 1));

	return (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8('\n')),
							 _mm_cmpeq_epi8(b, _mm_set1_epi8(c))));
}
#endif

/* Where the table's rule block ends: the start of the first line from pos that starts with
 * "COMMIT", or end. Looks for a 'C' after a newline 16 bytes at a time. */
static size_t block_end(const char *text, size_t pos, size_t end)
{
	size_t i = pos;

#ifdef __SSE2__
	for (; i + 17 <= end; i += 16)
		for (unsigned bits = newline_then(text, i, 'C'); bits; bits &= bits - 1) {
			size_t at = i + (size_t)__builtin_ctz(bits) + 1;

			if (end - at >= 6 && !memcmp(text + at, "COMMIT", 6))
				return at;
		}
#endif
	for (; i + 1 < end; i++)
		if (text[i] == '\n' && end - (i + 1) >= 6 && !memcmp(text + i + 1, "COMMIT", 6))
			return i + 1;
	return end;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/* Lines starting with ':' in text[a, b) (a newline then a colon; a at a line start). */
static size_t count_decls(const char *t, size_t a, size_t b)
{
	size_t n = a < b && t[a] == ':', i = a;

#ifdef __SSE2__
	for (; i + 17 <= b; i += 16)
		for (unsigned bits = newline_then(t, i, ':'); bits; bits &= bits - 1)
			n++;
#endif
	for (; i + 1 < b; i++)
		n += t[i] == '\n' && t[i + 1] == ':';
	return n;
}

/* COMMIT's chain array for the table, made and faulted in ahead (ctg_parse_take_chains). */
static void make_chains(struct lineidx *x, size_t decls)
{
	x->nchains = decls + CTG_HOOK_MAX + 1;
	x->chains = malloc(x->nchains * sizeof(*x->chains));
	if (!x->chains)
		x->nchains = 0;
}

/*
 * The size of the table from pf_pos to its COMMIT; on the way, the line index and COMMIT's
 * chain array (*chains, *nchains). A mapped file's pages are given back after looking at
 * them, but for the first piece (the parser is reading those).
 */
static size_t table_bytes(const struct parser *p, struct ctg_chain **chains, size_t *nchains)
{
	struct lineidx *x = p->lidx;
	size_t a, decls = 0;

	x->pos = p->pf_pos;
	x->lines[0] = 0;
	x->n = 1;
	for (a = p->pf_pos; a < p->pf_end; a += LIDX_STEP) {
		size_t b = p->pf_end - a < LIDX_STEP ? p->pf_end : a + LIDX_STEP;
		/* a look 7 bytes past the piece: a COMMIT line across its end is found */
		size_t lim = b + 7 < p->pf_end ? b + 7 : p->pf_end,
		       c = block_end(p->pf_text, a, lim);

		decls += count_decls(p->pf_text, a, c < lim ? c : b);
		if (c < lim) {
			x->end = c;
			make_chains(x, decls);
			*chains = x->chains; /* before ready: then it is the parser's to take */
			*nchains = x->nchains;
			atomic_store_explicit(&x->ready, true, memory_order_release);
			return c - p->pf_pos;
		}
		if (x->n < LIDX_MAX) { /* line numbers for the workers (work()) */
			x->lines[x->n] =
				x->lines[x->n - 1] + (uint32_t)count_lines(p->pf_text + a, b - a);
			x->n++;
		}
		if (p->priv->text_mapped && a > p->pf_pos)
			ctg_parse_madvise(p->pf_text + a, b - a, MADV_DONTNEED);
	}
	x->end = p->pf_end;
	make_chains(x, decls);
	*chains = x->chains;
	*nchains = x->nchains;
	atomic_store_explicit(&x->ready, true, memory_order_release);
	return p->pf_end - p->pf_pos;
}

/* Faults in the whole pages of [addr, addr + len) without writing them (older kernels:
 * EINVAL, no harm; an array moved by realloc meanwhile: ENOMEM or someone's pages, no harm
 * either). */
static void populate(const void *addr, size_t len)
{
	ctg_parse_madvise(addr, len, MADV_POPULATE_WRITE);
}

static void *prefault(void *arg)
{
	const struct parser *p = arg; /* read only: the parser goes on meanwhile */
	struct ctg_chain *chains;
	size_t nchains;
	/* each thread's share of the table's rules (rule arrays in even slots, arenas in odd) */
	size_t bytes = table_bytes(p, &chains, &nchains), share = bytes / 250 / p->pf_threads;
	const size_t most[2] = {share * sizeof(struct ctg_rule), share * 200};

	populate(chains, nchains * sizeof(*chains));
	if (bytes < PAR_PREFAULT)
		return NULL;
	for (size_t k = 0; k < sizeof(p->pf) / sizeof(p->pf[0]); k++)
		populate(p->pf[k].addr, p->pf[k].len < most[k % 2] ? p->pf[k].len : most[k % 2]);
	return NULL;
}

/* A worker's rule array and arena, made ahead. 0 or -ENOMEM. */
static int prealloc(struct parser *p, size_t k, size_t bytes)
{
	struct parser tmp = {.worker = true, .size_hint = bytes};
	size_t spare;

	tmp.arena = arena_for(bytes);
	if (!tmp.arena || !ctg_arena_alloc(tmp.arena, 0) || ctg_rules_reserve(&tmp, 1)) {
		ctg_arena_free(tmp.arena);
		free(tmp.trules);
		free(tmp.rchain);
		return -ENOMEM;
	}
	p->pre[k].trules = tmp.trules;
	p->pre[k].rchain = tmp.rchain;
	p->pre[k].cap = tmp.captr;
	p->pre[k].arena = tmp.arena;
	p->pf[2 * k].addr = tmp.trules;
	p->pf[2 * k].len = tmp.captr * sizeof(*tmp.trules);
	p->pf[2 * k + 1].addr = ctg_arena_spare(tmp.arena, &spare);
	p->pf[2 * k + 1].len = spare;
	return 0;
}

void ctg_parse_prealloc_release(struct parser *p)
{
	for (size_t k = 0; k < CTG_PAR_MAX; k++) {
		free(p->pre[k].trules);
		free(p->pre[k].rchain);
		ctg_arena_free(p->pre[k].arena);
		memset(&p->pre[k], 0, sizeof(p->pre[k]));
	}
}

/*
 * While this thread reads a big table's chain declarations (kube-proxy: a third of its
 * lines), another one faults in the memory each thread's share of the rules will fill: this
 * thread's rule array and arena chunk, and those made ahead for the workers (rules of 250
 * bytes of input or more, 200 bytes of arena each; it first finds where the table ends).
 * Faulting in never writes, so it may overlap the parse's writes.
 */
void ctg_parse_prefault_start(struct parser *p, const char *text, size_t pos, size_t end)
{
	size_t n = (size_t)threads();

	if (p->serial || p->worker || p->prefaulting || n < 2 || end - pos < PAR_PREFAULT ||
	    ctg_rules_reserve(p, 1))
		return;
	if (!(p->lidx = calloc(1, sizeof(*p->lidx))))
		return;
	memset(p->pf, 0, sizeof(p->pf));
	p->pf_text = text;
	p->pf_pos = pos;
	p->pf_end = end;
	p->pf_threads = n;
	p->pf[0].addr = p->trules + p->ntr;
	p->pf[0].len = (p->captr - p->ntr) * sizeof(*p->trules);
	p->pf[1].addr = ctg_arena_spare(p->arena, &p->pf[1].len);
	for (size_t k = 1; k < n; k++)
		if (prealloc(p, k, (end - pos) / n))
			break;
	p->prefaulting = !pthread_create(&p->prefault, NULL, prefault, p);
}

void ctg_parse_prefault_join(struct parser *p)
{
	if (p->prefaulting) {
		pthread_join(p->prefault, NULL);
		p->prefaulting = false;
	}
}

void ctg_parse_lidx_release(struct parser *p)
{
	ctg_parse_prefault_join(p);
	if (p->lidx)
		free(p->lidx->chains);
	free(p->lidx);
	p->lidx = NULL;
}

struct ctg_chain *ctg_parse_take_chains(struct parser *p, size_t n)
{
	struct lineidx *x = p->lidx;
	struct ctg_chain *c;

	if (!x || !atomic_load_explicit(&x->ready, memory_order_acquire) || x->nchains < n)
		return NULL;
	c = x->chains;
	x->chains = NULL;
	x->nchains = 0;
	return c;
}

/* The worker takes the rule array and arena made ahead for it, if any. */
static void take_prealloc(struct parser *q, struct parser *p, size_t k)
{
	if (!p->pre[k].trules)
		return;
	q->trules = p->pre[k].trules;
	q->rchain = p->pre[k].rchain;
	q->captr = p->pre[k].cap;
	ctg_arena_free(q->arena);
	q->arena = p->pre[k].arena;
	memset(&p->pre[k], 0, sizeof(p->pre[k]));
	memset(q->pre, 0, sizeof(q->pre));
}

/* The worker's rules, diagnostics and memory become the parser's. 0 or -1 (ENOMEM). */
static int adopt(struct parser *p, struct worker *w)
{
	struct parser *q = &w->p;

	if (ctg_parse_adopt_rules(p, q) || ctg_diags_move(p->diags, q->diags) ||
	    ctg_arena_adopt(p->arena, q->arena))
		return -1;
	q->arena = NULL;
	p->errors += q->errors;
	p->uses_ct |= q->uses_ct;
	p->lineno = q->lineno;
	p->last_chain = -1;
	release_worker(w);
	return 0;
}

/*
 * Cuts [pos, stop) into n slices at line starts: cut[0] = pos ... cut[n] = stop. The first
 * slice (the calling thread's) is `lighter` bytes shorter: that thread sorts the chains
 * after it, and takes back from the last worker what it finishes early (steal()).
 */
static void cut_slices(const char *text, size_t pos, size_t stop, int n, size_t lighter,
		       size_t *cut)
{
	size_t total = stop - pos, first;

	if (lighter > total / (size_t)n / 2)
		lighter = total / (size_t)n / 2;
	first = total / (size_t)n - lighter;
	cut[0] = pos;
	cut[n] = stop;
	for (int k = 1; k < n; k++) {
		size_t at = pos + first + (total - first) / (size_t)(n - 1) * (size_t)(k - 1);
		const char *nl = at < cut[k - 1] ? NULL : memchr(text + at, '\n', stop - at);

		cut[k] = nl ? (size_t)(nl - text) + 1 : stop;
		if (cut[k] < cut[k - 1])
			cut[k] = cut[k - 1];
	}
}

/*
 * The calling thread is done with its slice: it takes the second half of what worker w has
 * left, as worker s, parsed right here. w stops before the line at m; when w was already
 * past m (it read the limit too late) nothing is taken and w finishes its slice. Returns
 * whether s was parsed. Protocol: w publishes `at` and then reads `limit` before each line;
 * here `limit` is written and then `at` read (sequentially consistent), so if at < m is
 * seen, w will read the new limit when it reaches m.
 */
static bool steal(struct parser *p, struct worker *w, struct worker *s, size_t least)
{
	uint64_t at;
	size_t a, half, m;
	const char *nl;

	if (atomic_load(&w->done) || w->end >> 32)
		return false; /* finished, or positions do not fit in `at` */
	at = atomic_load(&w->at);
	if (at == UINT64_MAX)
		return false;
	a = (size_t)(at >> 32);
	half = a + (w->end - a) / 2;
	if (w->end - a < 2 * least || !(nl = memchr(w->text + half, '\n', w->end - half)))
		return false;
	m = (size_t)(nl - w->text) + 1;
	if (m >= w->end)
		return false;
	atomic_store(&w->limit, m);
	if ((size_t)(atomic_load(&w->at) >> 32) >= m || init_worker(s, p, w->text, a, m, w->end))
		return false;
	s->p.lineno = (uint32_t)at; /* lines before a; it counts those in [a, m) */
	s->p.limit = NULL;	    /* nobody steals from it */
	s->p.at = NULL;
	s->give_back = false; /* w is reading those pages */
	work(s);
	return true;
}

/* Where the rule block from pos ends: found by the prefault thread already, or looked for. */
static size_t table_end(const struct parser *p, const char *text, size_t pos, size_t end)
{
	const struct lineidx *x = p->lidx;

	if (x && atomic_load_explicit(&x->ready, memory_order_acquire) && x->pos <= pos &&
	    pos <= x->end && x->end <= end)
		return x->end;
	return block_end(text, pos, end);
}

size_t ctg_parse_parallel(struct parser *p, const char *text, size_t pos, size_t end)
{
	struct worker ws[PAR_MAX + 1], *v[PAR_MAX + 1];
	size_t stop = table_end(p, text, pos, end), cut[PAR_MAX + 1], next;
	size_t min = ctg_parse_par_min_slice ? ctg_parse_par_min_slice : PAR_MIN_SLICE;
	int n = threads(), started = 0, nv, i;

	while (n > 1 && (stop - pos) / (size_t)n < min)
		n--;
	if (n < 2)
		return pos;
	/* sorting a chain name costs about as much as parsing 32 bytes of rules */
	cut_slices(text, pos, stop, n, 32 * p->nchains, cut);
	for (int k = 1; k < n; k++) {
		if (init_worker(&ws[k], p, text, pos, cut[k], cut[k + 1]))
			break;
		take_prealloc(&ws[k].p, p, (size_t)k);
		if (pthread_create(&ws[k].th, NULL, work, &ws[k])) {
			release_worker(&ws[k]);
			break;
		}
		started = k;
	}
	/* the first slice here, with the chain set fixed while the workers read it */
	p->restricted = true;
	next = ctg_parse_lines(p, text, pos, cut[1]);
	p->restricted = false;
	nv = 0;
	for (int k = 1; k <= started; k++)
		v[nv++] = &ws[k];
	if (!p->stopped && !p->nomem && started) {
		ctg_table_presort(p); /* COMMIT's sort, while the workers go on */
		if (steal(p, &ws[started], &ws[0], min < STEAL_MIN ? min : STEAL_MIN))
			v[nv++] = &ws[0];
	}
	for (int k = 1; k <= started; k++) {
		if (p->stopped || p->nomem) /* their work is dropped: stop them early */
			atomic_store(&ws[k].limit, 0);
		pthread_join(ws[k].th, NULL);
	}
	i = 0;
	if (p->nomem) {
		next = end;
	} else if (p->stopped) {
		p->stopped = false; /* the serial parse takes that line and the rest */
	} else {
		/* in file order; the first one that did not take its whole slice ends it */
		for (; i < nv && !v[i]->p.bail && !v[i]->p.nomem && v[i]->start == next; i++) {
			if (adopt(p, v[i])) {
				p->nomem = true;
				next = end;
				break;
			}
			next = v[i]->done_at;
		}
	}
	for (; i < nv; i++)
		release_worker(v[i]);
	return next;
}
