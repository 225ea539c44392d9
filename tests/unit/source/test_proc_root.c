// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
/* Readers honour a PROC_ROOT-like directory: /proc/[pid]/fd, /proc/sys, /proc/net. */
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

#include <ctguard/source.h>

#include "source/inputs.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[256], dir[256], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = dir + strlen(root) + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	char link[256];

	snprintf(root, sizeof(root), "/tmp/ctg-src-proc-%d", (int)getpid());
	mkdir(root, 0755);
	put("812/comm", "mariadbd\n");
	put("812/fd/.keep", "");
	snprintf(link, sizeof(link), "%s/812/fd/31", root);
	assert_int_equal(symlink("socket:[5555]", link), 0);
	snprintf(link, sizeof(link), "%s/812/fd/1", root);
	assert_int_equal(symlink("/dev/null", link), 0);
	put("sys/net/netfilter/nf_conntrack_tcp_loose", "0\n");
	put("sys/net/ipv4/ip_local_port_range", "1024\t65000\n");
	put("net/nf_conntrack",
	    "ipv4     2 tcp      6 431999 ESTABLISHED src=10.98.0.1 dst=10.98.0.2 sport=43401 "
	    "dport=3306 src=10.98.0.2 dst=10.98.0.1 sport=3306 dport=43401 [ASSURED] mark=0 "
	    "zone=0 use=2\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd);
}

static void test_procs(void **state)
{
	struct ctg_sock_table t;
	struct ctg_sock *s;

	ctg_sock_table_init(&t);
	s = ctg_sock_table_push(&t);
	s->inode = 5555;
	s->pid = -1;
	s = ctg_sock_table_push(&t);
	s->inode = 6666;
	s->pid = -1;
	assert_int_equal(ctg_sock_fill_procs(&t, root), 0);
	assert_int_equal(t.v[0].pid, 812);
	assert_string_equal(t.v[0].comm, "mariadbd");
	assert_int_equal(t.v[1].pid, -1);
	assert_string_equal(t.v[1].comm, "");
	ctg_sock_table_release(&t);
}

static void test_sysctls(void **state)
{
	struct ctg_inputs in;

	ctg_inputs_init(&in);
	in.proc_root = root;
	assert_int_equal(ctg_inputs_set_sysctl(&in, "nf_conntrack_tcp_loose=1"), 0);
	assert_int_equal(ctg_inputs_load(&in, CTG_IN_SYSCTLS), 0);
	/* the override wins over the file */
	assert_true(in.sysctls.tcp_loose);
	assert_string_equal(ctg_sysvals_get(&in.sysvals, "nf_conntrack_tcp_loose"), "1");
	assert_int_equal(in.sysctls.port_lo, 1024);
	assert_int_equal(in.sysctls.port_hi, 65000);
	/* absent in this tree: display knows nothing, the model has the kernel default */
	assert_null(ctg_sysvals_get(&in.sysvals, "nf_conntrack_tcp_be_liberal"));
	assert_false(in.sysctls.tcp_be_liberal);
	ctg_inputs_release(&in);
}

static void test_proc_ct(void **state)
{
	struct ctg_ct_table t;
	struct ctg_diags *d = ctg_diags_new();

	ctg_ct_table_init(&t);
	assert_int_equal(ctg_ct_read_proc(&t, root, d), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.v[0].orig.dport, 3306);
	assert_int_equal(ctg_ct_read_proc(&t, "/nonexistent-ctg", d), -ENOENT);
	ctg_ct_table_release(&t);
	ctg_diags_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_procs),
		cmocka_unit_test(test_sysctls),
		cmocka_unit_test(test_proc_ct),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
