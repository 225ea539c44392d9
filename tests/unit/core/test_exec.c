// SPDX-License-Identifier: GPL-2.0-or-later
/* ctg_exec: big input and output both ways, deadlines, dying children, no leaks. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/exec.h"

#define BIG (10u << 20)

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

static int fds_before;

static int setup(void **state)
{
	(void)state;
	fds_before = count_fds();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(count_fds(), fds_before); /* every path closes every descriptor */
	return 0;
}

static char *pattern(size_t n)
{
	char *b = malloc(n);

	assert_non_null(b);
	for (size_t i = 0; i < n; i++)
		b[i] = (char)('a' + (i * 7 + i / 4096) % 26);
	return b;
}

/* 10 MB in and the same 10 MB out: neither pipe may block the other. */
static void test_big_echo(void **state)
{
	const char *argv[] = {"cat", NULL};
	struct ctg_exec_result r;
	char *in = pattern(BIG);

	assert_int_equal(ctg_exec(argv, in, BIG, &r), 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.out_len, BIG);
	assert_memory_equal(r.out, in, BIG);
	assert_int_equal(r.err_len, 0);
	ctg_exec_result_release(&r);
	free(in);
}

/* 10 MB on stderr and stdout at once while 10 MB go in. */
static void test_big_both_outputs(void **state)
{
	const char *argv[] = {"sh", "-c", "tee /dev/stderr", NULL};
	struct ctg_exec_result r;
	char *in = pattern(BIG);

	assert_int_equal(ctg_exec(argv, in, BIG, &r), 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.out_len, BIG);
	assert_int_equal(r.err_len, BIG);
	assert_memory_equal(r.err, in, BIG);
	ctg_exec_result_release(&r);
	free(in);
}

/* A child that reads nothing: the write fails with EPIPE, no SIGPIPE reaches us. */
static void test_child_ignores_input(void **state)
{
	const char *argv[] = {"true", NULL};
	struct sigaction before, after;
	struct ctg_exec_result r;
	char *in = pattern(BIG);

	sigaction(SIGPIPE, NULL, &before);
	assert_int_equal(ctg_exec(argv, in, BIG, &r), 0);
	assert_int_equal(r.status, 0);
	sigaction(SIGPIPE, NULL, &after);
	assert_ptr_equal(before.sa_handler, after.sa_handler); /* disposition untouched */
	ctg_exec_result_release(&r);
	free(in);
}

static void test_hang_killed_at_deadline(void **state)
{
	const char *argv[] = {"sleep", "30", NULL};
	struct ctg_exec_result r;

	assert_int_equal(ctg_exec_timeout(argv, NULL, 0, 200, &r), -ETIMEDOUT);
	assert_int_equal(r.status, 128 + SIGKILL);
	ctg_exec_result_release(&r);
}

/* Closed its outputs but keeps running (and not reading a big input): still killed. */
static void test_hang_after_closing_outputs(void **state)
{
	const char *argv[] = {"sh", "-c", "exec >&- 2>&-; sleep 30", NULL};
	struct ctg_exec_result r;
	char *in = pattern(BIG);

	assert_int_equal(ctg_exec_timeout(argv, in, BIG, 300, &r), -ETIMEDOUT);
	assert_int_equal(r.status, 128 + SIGKILL);
	ctg_exec_result_release(&r);
	free(in);
}

static void test_child_dies(void **state)
{
	const char *argv[] = {"sh", "-c", "echo partial; kill -9 $$", NULL};
	struct ctg_exec_result r;

	assert_int_equal(ctg_exec(argv, "ignored\n", 8, &r), 0);
	assert_int_equal(r.status, 128 + SIGKILL);
	assert_string_equal(r.out, "partial\n");
	ctg_exec_result_release(&r);
}

static void test_exit_status_and_stderr(void **state)
{
	const char *argv[] = {"sh", "-c", "echo oops >&2; exit 3", NULL};
	struct ctg_exec_result r;

	assert_int_equal(ctg_exec(argv, NULL, 0, &r), 0);
	assert_int_equal(r.status, 3);
	assert_string_equal(r.err, "oops\n");
	assert_string_equal(r.out, "");
	ctg_exec_result_release(&r);
}

/* Programs come from the system directories, never from the caller's PATH. */
static void test_no_path_lookup(void **state)
{
	char dir[] = "/tmp/ctg-exec-XXXXXX", tool[64], buf[256], *old = getenv("PATH");
	const char *argv[] = {"ctg-fake-tool", NULL};
	struct ctg_exec_result r;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(tool, sizeof(tool), "%s/ctg-fake-tool", dir);
	f = fopen(tool, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\necho ran\n", f);
	fclose(f);
	chmod(tool, 0755);
	old = old ? strdup(old) : NULL;
	setenv("PATH", dir, 1);
	assert_int_equal(ctg_exec_find("ctg-fake-tool", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(ctg_exec(argv, NULL, 0, &r), -ENOENT);
	ctg_exec_result_release(&r);
	assert_int_equal(ctg_exec_find("cat", buf, sizeof(buf)), 0);
	assert_true(!strncmp(buf, "/usr/", 5) || !strncmp(buf, "/bin/", 5) ||
		    !strncmp(buf, "/sbin/", 6));
	if (old)
		setenv("PATH", old, 1);
	free(old);
	unlink(tool);
	rmdir(dir);
}

/* The child's environment is fixed: nothing of the caller's leaks in. */
static void test_fixed_environment(void **state)
{
	const char *argv[] = {"env", NULL};
	struct ctg_exec_result r;

	setenv("CTG_EXEC_SECRET", "leak", 1);
	setenv("LD_PRELOAD", "/nonexistent.so", 1);
	assert_int_equal(ctg_exec(argv, NULL, 0, &r), 0);
	unsetenv("LD_PRELOAD");
	unsetenv("CTG_EXEC_SECRET");
	assert_null(strstr(r.out, "CTG_EXEC_SECRET"));
	assert_null(strstr(r.out, "LD_PRELOAD"));
	assert_non_null(strstr(r.out, "PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
	ctg_exec_result_release(&r);
}

/* An open descriptor of ours is not inherited by the child. */
static void test_no_descriptor_inherited(void **state)
{
	const char *argv[] = {"ls", "/proc/self/fd", NULL};
	struct ctg_exec_result r;
	int fd = dup(0); /* no O_CLOEXEC */

	assert_true(fd > 2);
	assert_int_equal(ctg_exec(argv, NULL, 0, &r), 0);
	/* 0 1 2 and ls's own directory descriptor */
	assert_string_equal(r.out, "0\n1\n2\n3\n");
	ctg_exec_result_release(&r);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_big_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_both_outputs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_ignores_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hang_killed_at_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hang_after_closing_outputs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_dies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_status_and_stderr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_path_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fixed_environment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_descriptor_inherited, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
