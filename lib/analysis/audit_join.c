// SPDX-License-Identifier: GPL-2.0-or-later
/* Audit input: the sockets x conntrack join of the sources and the local addresses. */
#include "audit.h"

#include <ctguard/conns.h>
#include <ctguard/source.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int cmp_local(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct ctg_audit_local));
}

static int collect_locals(const struct ctg_audit_input *in, struct ctg_audit_conns *out)
{
	size_t n = in->locals ? in->locals->n : in->socks->n, k = 0;

	out->local = calloc(n ? n : 1, sizeof(out->local[0]));
	if (!out->local)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (in->locals) {
			out->local[k].family = in->locals->v[i].family;
			out->local[k++].addr = in->locals->v[i].a;
		} else {
			out->local[k].family = in->socks->v[i].family;
			out->local[k++].addr = in->socks->v[i].laddr;
		}
	}
	if (k > 1)
		qsort(out->local, k, sizeof(out->local[0]), cmp_local);
	out->nlocal = 0;
	for (size_t i = 0; i < k; i++)
		if (!out->nlocal || cmp_local(&out->local[out->nlocal - 1], &out->local[i]))
			out->local[out->nlocal++] = out->local[i];
	return 0;
}

/* The well-known name of the port the connection serves or uses. */
static void fill_service(struct ctg_conn *c)
{
	if (!c->service)
		c->service = ctg_service_name(c->l4proto,
					      c->role == CTG_ROLE_SERVER ? c->lport : c->pport);
}

int ctg_audit_join(const struct ctg_audit_input *in, struct ctg_audit_conns *out)
{
	static const struct ctg_sock_table no_socks;
	static const struct ctg_ct_table no_cts;
	struct ctg_audit_input fixed = *in;
	uint16_t lo = in->port_lo ? in->port_lo : 32768, hi = in->port_hi ? in->port_hi : 60999;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!fixed.socks)
		fixed.socks = &no_socks;
	if (!fixed.cts)
		fixed.cts = &no_cts;
	ctg_conn_table_init(&out->rows);
	ret = ctg_conns_join(fixed.socks, fixed.cts, in->locals, lo, hi, &out->rows);
	if (!ret)
		ret = collect_locals(&fixed, out);
	for (size_t i = 0; !ret && i < out->rows.n; i++)
		fill_service(&out->rows.v[i]);
	if (ret < 0)
		ctg_audit_conns_release(out);
	return ret;
}

void ctg_audit_conns_release(struct ctg_audit_conns *c)
{
	ctg_conn_table_release(&c->rows);
	free(c->local);
	memset(c, 0, sizeof(*c));
}
