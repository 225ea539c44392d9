// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: `ss -tuanpH` text reader, then the sockets x conntrack join. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ctguard/conns.h>
#include <ctguard/source.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = memchr(data, 0, size);
	size_t ss_len = sep ? (size_t)(sep - data) : size;
	struct ctg_sock_table s;
	struct ctg_ct_table t;
	struct ctg_conn_table c;
	struct ctg_diags *d = ctg_diags_new();
	char buf[256];

	if (!d)
		return 0;
	ctg_sock_table_init(&s);
	ctg_ct_table_init(&t);
	ctg_conn_table_init(&c);
	/* input: ss text, optionally NUL, conntrack text */
	ctg_sock_read_ss_text(&s, (const char *)data, ss_len, "fuzz-ss", d);
	if (sep)
		ctg_ct_read_text(&t, (const char *)sep + 1, size - ss_len - 1, "fuzz-ct", d);
	for (size_t i = 0; i < ctg_diags_count(d); i++)
		ctg_diag_render(ctg_diags_get(d, i), buf, sizeof(buf));
	if (ctg_conns_join(&s, &t, NULL, 32768, 60999, &c) == 0)
		for (size_t i = 0; i < c.n; i++)
			if (strlen(ctg_conn_ct_state(&c.v[i])) == 0)
				abort();
	ctg_conn_table_release(&c);
	ctg_ct_table_release(&t);
	ctg_sock_table_release(&s);
	ctg_diags_free(d);
	return 0;
}
