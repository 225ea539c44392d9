// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: conntrack text reader (conntrack -L, -o extended, /proc/net/nf_conntrack). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <ctguard/source.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctg_ct_table t;
	struct ctg_diags *d = ctg_diags_new();
	char buf[256];

	if (!d)
		return 0;
	ctg_ct_table_init(&t);
	ctg_ct_read_text(&t, (const char *)data, size, "fuzz", d);
	/* every diagnostic must render; every entry must be well-formed */
	for (size_t i = 0; i < ctg_diags_count(d); i++)
		ctg_diag_render(ctg_diags_get(d, i), buf, sizeof(buf));
	for (size_t i = 0; i < t.n; i++)
		if (t.v[i].family != 2 && t.v[i].family != 10)
			abort();
	ctg_ct_table_sort(&t);
	ctg_ct_table_release(&t);
	ctg_diags_free(d);
	return 0;
}
