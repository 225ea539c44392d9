// SPDX-License-Identifier: GPL-2.0-or-later
/* Shared report pieces: a connection's JSON keys, grouped text (see report.h). */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ctg_group_row {
	char *label, *why;
	char other[CTG_ADDRSTRLEN];
};

const char *ctg_report_endpoint(uint8_t family, const struct ctg_addr *a, int port, char *buf,
				size_t size)
{
	char ab[CTG_ADDRSTRLEN], pb[16] = "*";

	ctg_addr_format(family, a, ab, sizeof(ab));
	if (port >= 0)
		snprintf(pb, sizeof(pb), "%d", port);
	snprintf(buf, size, family == 10 ? "[%s]:%s" : "%s:%s", ab, pb);
	return buf;
}

const char *ctg_report_count(size_t n, const char *noun, char *buf, size_t size)
{
	size_t len = strlen(noun);

	if (n != 1 && len && noun[len - 1] == 'y') /* entry -> entries */
		snprintf(buf, size, "%zu %.*sies", n, (int)len - 1, noun);
	else
		snprintf(buf, size, "%zu %s%s", n, noun, n == 1 ? "" : "s");
	return buf;
}

const char *ctg_report_proto(int p)
{
	switch (p) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 1:
		return "icmp";
	case 58:
		return "icmpv6";
	case 132:
		return "sctp";
	case 47:
		return "gre";
	default:
		return "other";
	}
}

json_t *ctg_report_conn_json(const struct ctg_conn *c)
{
	char la[CTG_ADDRSTRLEN], pa[CTG_ADDRSTRLEN];
	const struct ctg_sock *s = c->sock;

	ctg_addr_format(c->family, &c->laddr, la, sizeof(la));
	ctg_addr_format(c->family, &c->paddr, pa, sizeof(pa));
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:i, s:s, s:o, s:o, s:o, s:s}", "proto",
			 ctg_report_proto(c->l4proto), "family", c->family == 10 ? "ipv6" : "ipv4",
			 "local", la, "local_port", c->lport, "peer", pa, "peer_port", c->pport,
			 "role", ctg_conn_role_name(c->role), "service",
			 c->service ? json_string(c->service) : json_null(), "process",
			 s && s->comm[0] ? json_string(s->comm) : json_null(), "pid",
			 s && s->pid > 0 ? json_integer(s->pid) : json_null(), "ct_state",
			 ctg_conn_ct_state(c));
}

/* ---------------------------------------------------------------- groups */

void ctg_groups_init(struct ctg_groups *g)
{
	memset(g, 0, sizeof(*g));
}

void ctg_groups_release(struct ctg_groups *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].label);
		free(g->v[i].why);
	}
	free(g->v);
	memset(g, 0, sizeof(*g));
}

int ctg_groups_add(struct ctg_groups *g, const char *label, const char *why, const char *other)
{
	struct ctg_group_row *r;

	if (g->n == g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 64;
		struct ctg_group_row *nv = realloc(g->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		g->v = nv;
		g->cap = ncap;
	}
	r = &g->v[g->n];
	r->label = strdup(label);
	r->why = strdup(why ? why : "");
	snprintf(r->other, sizeof(r->other), "%s", other ? other : "");
	if (!r->label || !r->why) {
		free(r->label);
		free(r->why);
		return -ENOMEM;
	}
	g->n++;
	return 0;
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct ctg_group_row *a = pa, *b = pb;
	int d = strcmp(a->label, b->label);

	if (!d)
		d = strcmp(a->why, b->why);
	return d ? d : strcmp(a->other, b->other);
}

struct group {
	const struct ctg_group_row *first;
	size_t count, others;
	unsigned note;
};

static int cmp_group(const void *pa, const void *pb)
{
	const struct group *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return cmp_row(a->first, b->first);
}

/* Groups of consecutive equal (label, why) rows; NULL on ENOMEM. */
static struct group *make_groups(const struct ctg_groups *g, size_t *ng)
{
	struct group *v = calloc(g->n ? g->n : 1, sizeof(*v));
	size_t n = 0;

	if (!v)
		return NULL;
	for (size_t i = 0; i < g->n; i++) {
		const struct ctg_group_row *r = &g->v[i], *p = i ? &g->v[i - 1] : NULL;
		bool same = p && !strcmp(p->label, r->label) && !strcmp(p->why, r->why);

		if (!same)
			v[n++] = (struct group){.first = r};
		v[n - 1].count++;
		if (r->other[0] && (!same || strcmp(p->other, r->other)))
			v[n - 1].others++;
	}
	*ng = n;
	return v;
}

/* The footnote number of g's reason, numbering new ones; 0 when it has none. */
static unsigned note_of(struct group *v, size_t i, unsigned *next)
{
	if (!v[i].first->why[0])
		return 0;
	for (size_t j = 0; j < i; j++)
		if (v[j].note && !strcmp(v[j].first->why, v[i].first->why))
			return v[i].note = v[j].note;
	return v[i].note = ++*next;
}

static void print_group(const struct group *gr, FILE *f)
{
	fprintf(f, "%7zu  %s", gr->count, gr->first->label);
	if (gr->others > 1)
		fprintf(f, " from %zu peers", gr->others);
	if (gr->note)
		fprintf(f, "  [%u]", gr->note);
	fputc('\n', f);
}

size_t ctg_groups_print(struct ctg_groups *g, size_t lines, FILE *f)
{
	struct group *v;
	size_t ng = 0, shown = 0, used = 0, left = 0;
	unsigned notes = 0;

	if (!g->n)
		return 0;
	qsort(g->v, g->n, sizeof(g->v[0]), cmp_row);
	v = make_groups(g, &ng);
	if (!v)
		return 0;
	qsort(v, ng, sizeof(v[0]), cmp_group);
	for (; shown < ng; shown++) {
		unsigned before = notes, note = note_of(v, shown, &notes);
		size_t need = 1 + (note > before) + (shown + 1 < ng); /* + the "more" line */

		if (used + need > lines && shown) {
			notes = before;
			v[shown].note = 0;
			break;
		}
		used += 1 + (note > before);
	}
	for (size_t i = 0; i < shown; i++)
		print_group(&v[i], f);
	for (size_t i = shown; i < ng; i++)
		left += v[i].count;
	if (shown < ng)
		fprintf(f,
			"    ... and %zu more group%s (%zu connection%s): --verbose lists every "
			"connection\n",
			ng - shown, ng - shown == 1 ? "" : "s", left, left == 1 ? "" : "s");
	for (unsigned k = 1; k <= notes; k++)
		for (size_t i = 0; i < shown; i++)
			if (v[i].note == k) {
				fprintf(f, "  [%u] %s\n", k, v[i].first->why);
				break;
			}
	free(v);
	return used + (shown < ng);
}
