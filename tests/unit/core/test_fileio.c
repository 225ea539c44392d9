// SPDX-License-Identifier: GPL-2.0-or-later
/* The atomic file writer and the whole-file reader. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/fileio.h"

static char dir[] = "/tmp/ctg-fileio-XXXXXX";

static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void test_write_replace_read(void **state)
{
	char path[256], *buf;
	struct stat sb;
	size_t len;

	snprintf(path, sizeof(path), "%s/status", dir);
	assert_int_equal(ctg_file_write_atomic(path, "pending\n", 8, 0600), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(ctg_file_read(path, &buf, &len), 0);
	assert_int_equal(len, 8);
	assert_string_equal(buf, "pending\n");
	free(buf);
	/* replaced whole, mode as asked, no temporary left behind */
	assert_int_equal(ctg_file_write_atomic(path, "ok", 2, 0644), 0);
	assert_int_equal(ctg_file_read(path, &buf, &len), 0);
	assert_string_equal(buf, "ok");
	free(buf);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);
	assert_int_equal(entries(), 1);
	unlink(path);
}

static void test_big_file(void **state)
{
	size_t n = 3u << 20, len;
	char path[256], *data = malloc(n), *buf;

	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i * 31);
	snprintf(path, sizeof(path), "%s/big", dir);
	assert_int_equal(ctg_file_write_atomic(path, data, n, 0600), 0);
	assert_int_equal(ctg_file_read(path, &buf, &len), 0);
	assert_int_equal(len, n);
	assert_memory_equal(buf, data, n);
	free(buf);
	free(data);
	unlink(path);
}

/* Failures return -errno, keep the old content and leave no temporary file. */
static void test_failures_leave_nothing(void **state)
{
	char path[256], sub[256], *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/missing/file", dir);
	assert_int_equal(ctg_file_write_atomic(path, "x", 1, 0600), -ENOENT);
	/* the target is a non-empty directory: the rename fails */
	snprintf(sub, sizeof(sub), "%s/d", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/d/keep", dir);
	assert_int_equal(ctg_file_write_atomic(path, "old", 3, 0600), 0);
	assert_true(ctg_file_write_atomic(sub, "new", 3, 0600) < 0);
	assert_int_equal(entries(), 1); /* only d */
	assert_int_equal(ctg_file_read(path, &buf, &len), 0);
	assert_string_equal(buf, "old");
	free(buf);
	unlink(path);
	rmdir(sub);
	assert_int_equal(ctg_file_read(path, &buf, &len), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_replace_read),
		cmocka_unit_test(test_big_file),
		cmocka_unit_test(test_failures_leave_nothing),
	};
	int rc;

	if (!mkdtemp(dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rc;
}
