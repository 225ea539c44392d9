// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the ctnetlink decoder (hand-written attribute walking). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ctguard/source.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* netlink messages are 4-byte aligned in a real receive buffer */
	void *buf = malloc(size ? size : 1);
	struct ctg_ct_table t;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	ctg_ct_table_init(&t);
	ctg_ct_read_nl_buf(&t, buf, size);
	for (size_t i = 0; i < t.n; i++)
		if (t.v[i].family != 2 && t.v[i].family != 10)
			abort();
	ctg_ct_table_release(&t);
	free(buf);
	return 0;
}
