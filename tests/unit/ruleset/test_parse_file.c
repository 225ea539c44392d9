// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Files are read, not mapped: ctg_ruleset_parse_file gives what ctg_ruleset_parse gives on
 * the same bytes (a big generated file with errors, -I, late chain declarations,
 * interleaved chains, address lists, CRLF and NUL bytes; the same through a pipe on stdin),
 * a file truncated while it is parsed changes nothing (a mapping would fault, SIGBUS), and
 * a file truncated while it is read is parsed as the bytes read(2) returned.
 * The test links with --wrap=read and --wrap=ctg_lex_line to truncate at those moments.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <ctguard/diag.h>
#include <ctguard/ruleset.h>

#include "ruleset/ir.h"
#include "ruleset/lex.h"

enum {
	V_ERRORS = 1 << 0,     /* unknown options, bad addresses, unknown chains, NUL bytes */
	V_INSERT = 1 << 1,     /* -I lines among the rules */
	V_LATE_CHAIN = 1 << 2, /* a chain declared after rules */
	V_INTERLEAVE = 1 << 3, /* a chain's rules spread over the file */
};

struct text {
	char *s;
	size_t n, cap;
};

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
		va_end(ap);
		assert_true(k >= 0);
		if ((size_t)k < t->cap - t->n)
			break;
		t->cap = t->cap * 2 + (size_t)k + 1;
		t->s = realloc(t->s, t->cap);
		assert_non_null(t->s);
	}
	t->n += (size_t)k;
}

static uint32_t rnd(uint32_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 17;
	*st ^= *st << 5;
	return *st;
}

static void rule(struct text *t, uint32_t *st, const char *chain, int nchains, unsigned v)
{
	uint32_t r = rnd(st) % 100;

	if ((v & V_ERRORS) && r < 3) {
		static const char *const bad[] = {"-p tcp --dprot 22 -j ACCEPT",
						  "-s 10.1.2.300 -j DROP", "-j NOSUCHCHAIN",
						  "-m nosuchmatch --foo 1 -j ACCEPT"};

		put(t, "-A %s %s\n", chain, bad[rnd(st) % 4]);
		return;
	}
	if ((v & V_ERRORS) && r == 3) {
		put(t, "-A %s -p udp --dport 5\n", chain);
		t->s[t->n - 3] = '\0'; /* a NUL byte inside the line */
		return;
	}
	if ((v & V_INSERT) && r == 4) {
		put(t, "-I %s 1 -s 192.0.2.%u -j RETURN\n", chain, rnd(st) % 250);
		return;
	}
	if (r < 20)
		put(t,
		    "[%u:%u] -A %s -s 10.%u.%u.0/24,10.9.9.9 -p tcp -m multiport --dports 80,443 "
		    "-j ACCEPT\r\n",
		    rnd(st) % 9, rnd(st) % 999, chain, rnd(st) % 250, rnd(st) % 250);
	else if (r < 40)
		put(t,
		    "-A %s -p tcp -m comment --comment \"svc \\\"%u\\\" x\" -m tcp --dport %u -j "
		    "C%u\n",
		    chain, rnd(st), rnd(st) % 65535 + 1, rnd(st) % (uint32_t)nchains);
	else if (r < 55)
		put(t, "-A %s -m state --state ESTABLISHED,RELATED -j ACCEPT\n", chain);
	else if (r < 60)
		put(t, "# a comment line\n\n");
	else if (r < 75)
		put(t, "-A %s ! -d 172.16.%u.1/32 -i eth+ -p udp -m udp --sport 53 -j DROP\n",
		    chain, rnd(st) % 250);
	else
		put(t,
		    "-A %s -p tcp -m tcp --tcp-flags FIN,SYN SYN -j LOG --log-prefix \"x %u: \"\n",
		    chain, rnd(st));
}

static void table(struct text *t, uint32_t *st, const char *name, const char *b0, const char *b1,
		  int nrules, unsigned v, bool commit)
{
	const int nchains = 40;

	put(t, "*%s\n:%s ACCEPT [0:0]\n:%s DROP [3:4]\n", name, b0, b1);
	for (int c = 0; c < nchains; c++)
		put(t, ":C%d - [0:0]\n", c);
	for (int i = 0; i < nrules; i++) {
		char chain[16];
		int c = (v & V_INTERLEAVE) ? (int)(rnd(st) % nchains) : i * nchains / nrules;

		snprintf(chain, sizeof(chain), "C%d", c);
		if ((v & V_LATE_CHAIN) && i == nrules * 2 / 3)
			put(t, ":LATE - [0:0]\n-A LATE -j RETURN\n-A %s -j LATE\n", b0);
		rule(t, st, (i % 7 == 0) ? b0 : chain, nchains, v);
	}
	if (commit)
		put(t, "COMMIT\n");
}

struct result {
	char *text;
	size_t rules, text_len;
	bool uses_ct;
	char **diags;
	size_t ndiags;
};

/* Fills r from a parse (rs and d are freed). */
static void take(struct ctg_ruleset *rs, struct ctg_diags *d, struct result *r)
{
	assert_non_null(rs);
	r->text = ctg_ruleset_emit(rs, CTG_EMIT_COUNTERS);
	assert_non_null(r->text);
	r->rules = ctg_ruleset_rule_count(rs);
	r->text_len = rs->text_len;
	r->uses_ct = rs->uses_ct;
	r->ndiags = ctg_diags_count(d);
	r->diags = calloc(r->ndiags + 1, sizeof(*r->diags));
	for (size_t i = 0; i < r->ndiags; i++) {
		char buf[1024];

		ctg_diag_render(ctg_diags_get(d, i), buf, sizeof(buf));
		r->diags[i] = strdup(buf);
	}
	ctg_ruleset_free(rs);
	ctg_diags_free(d);
}

static void parse_mem(const char *s, size_t n, const char *name, struct result *r)
{
	struct ctg_diags *d = ctg_diags_new();

	take(ctg_ruleset_parse(s, n, name, CTG_FAMILY_IPV4, d), d, r);
}

static void parse_file(const char *path, struct result *r)
{
	struct ctg_diags *d = ctg_diags_new();

	take(ctg_ruleset_parse_file(path, CTG_FAMILY_IPV4, d), d, r);
}

static void release(struct result *r)
{
	for (size_t i = 0; i < r->ndiags; i++)
		free(r->diags[i]);
	free(r->diags);
	free(r->text);
}

static void assert_same(const struct result *a, const struct result *b)
{
	assert_string_equal(a->text, b->text);
	assert_int_equal(a->rules, b->rules);
	assert_int_equal(a->text_len, b->text_len);
	assert_int_equal(a->uses_ct, b->uses_ct);
	assert_int_equal(a->ndiags, b->ndiags);
	for (size_t i = 0; i < a->ndiags; i++)
		assert_string_equal(a->diags[i], b->diags[i]);
}

static char path[64];

static void write_file(const char *s, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

/* A big input (several MiB) that goes through every path of the parser. */
static char *big(size_t *n)
{
	struct text t = {0};
	uint32_t st = 11;
	const unsigned v = V_ERRORS | V_INSERT | V_LATE_CHAIN | V_INTERLEAVE;

	table(&t, &st, "filter", "INPUT", "FORWARD", 60000, v, true);
	table(&t, &st, "mangle", "PREROUTING", "OUTPUT", 20000, v, true);
	assert_true(t.n > (size_t)4 << 20);
	*n = t.n;
	return t.s;
}

/* ------------------------------------------------ truncating at the right moment */

/* The parser's read(2) of the file with inode watch_ino: the first one returns at most
 * short_read bytes, then the file is cut to cut_to bytes. */
static ino_t watch_ino;
static size_t short_read, cut_to;
static int reads; /* read(2) calls on the watched file */
/* After this many lines lexed, the file is truncated to nothing (0: never). */
static int lex_countdown;

ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __wrap_read(int fd, void *buf, size_t n);
int __real_ctg_lex_line(struct ctg_lexline *l, const char *line, size_t len, unsigned *err_col);
int __wrap_ctg_lex_line(struct ctg_lexline *l, const char *line, size_t len, unsigned *err_col);

ssize_t __wrap_read(int fd, void *buf, size_t n)
{
	struct stat st;
	ssize_t r;

	if (!watch_ino || fstat(fd, &st) || st.st_ino != watch_ino)
		return __real_read(fd, buf, n);
	if (reads++ == 0 && short_read) {
		r = __real_read(fd, buf, n < short_read ? n : short_read);
		if (truncate(path, (off_t)cut_to))
			return -1;
		return r;
	}
	return __real_read(fd, buf, n);
}

int __wrap_ctg_lex_line(struct ctg_lexline *l, const char *line, size_t len, unsigned *err_col)
{
	if (lex_countdown > 0 && --lex_countdown == 0 && truncate(path, 0))
		lex_countdown = -1; /* noticed below */
	return __real_ctg_lex_line(l, line, len, err_col);
}

static void watch(void)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	watch_ino = st.st_ino;
	reads = 0;
}

/* ------------------------------------------------ tests */

/* The file, read: the same ruleset and diagnostics as the bytes parsed in memory. */
static void test_file_as_memory(void **state)
{
	struct result mem, file;
	size_t n;
	char *s = big(&n);

	(void)state;
	write_file(s, n);
	watch();
	parse_mem(s, n, path, &mem);
	parse_file(path, &file);
	assert_true(reads >= 1); /* read(2), not mmap(2) */
	assert_true(mem.rules > 50000 && mem.ndiags > 100);
	assert_same(&mem, &file);
	release(&mem);
	release(&file);
	watch_ino = 0;
	free(s);
}

/* Truncated to nothing after its first line was parsed: a mapped file would fault on the
 * next page (SIGBUS); the text read before is parsed as it was. */
static void test_truncated_while_parsed(void **state)
{
	struct result mem, file;
	struct stat st;
	size_t n;
	char *s = big(&n);

	(void)state;
	write_file(s, n);
	parse_mem(s, n, path, &mem);
	lex_countdown = 2;
	parse_file(path, &file);
	assert_int_equal(lex_countdown, 0); /* it did truncate, during the parse */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_same(&mem, &file);
	release(&mem);
	release(&file);
	free(s);
}

/* Truncated between two reads: the parse is that of the bytes read, which end in the middle
 * of a line and of the table (an error, no crash, nothing made up). */
static void test_truncated_while_read(void **state)
{
	struct result mem, file;
	size_t n, i;
	char *s = big(&n);

	(void)state;
	write_file(s, n);
	watch();
	short_read = (size_t)1 << 20;
	cut_to = short_read + 1234;
	parse_file(path, &file);
	assert_true(reads >= 2);
	short_read = 0;
	watch_ino = 0;
	parse_mem(s, cut_to, path, &mem);
	assert_int_equal(file.text_len, cut_to);
	assert_same(&mem, &file);
	assert_true(mem.ndiags > 0);
	for (i = 0; i < mem.ndiags && !strstr(mem.diags[i], "not closed with COMMIT"); i++)
		;
	assert_true(i < mem.ndiags);
	release(&mem);
	release(&file);
	free(s);
}

/* stdin ("-") from a pipe: read until the writer closes it, in more than one piece. */
static void test_stdin_pipe(void **state)
{
	struct result mem, file;
	int fd[2], saved = dup(0), status;
	size_t n;
	char *s = big(&n);
	pid_t pid;

	(void)state;
	assert_true(saved >= 0);
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		size_t off = 0;

		close(fd[0]);
		while (off < n) {
			ssize_t w = write(fd[1], s + off, n - off < 4096 ? n - off : 4096);

			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(fd[1]);
	assert_int_equal(dup2(fd[0], 0), 0);
	close(fd[0]);
	parse_file("-", &file);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	parse_mem(s, n, "<stdin>", &mem);
	assert_same(&mem, &file);
	release(&mem);
	release(&file);
	free(s);
}

static int setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/ctg-parse-file-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_as_memory),
		cmocka_unit_test(test_truncated_while_parsed),
		cmocka_unit_test(test_truncated_while_read),
		cmocka_unit_test(test_stdin_pipe),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
