// SPDX-License-Identifier: GPL-2.0-or-later
/* -m sctp: ports and chunk types (libxt_sctp.c, xt_sctp.c). Chunks are not modelled. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "../ruleset/ir.h"
#include "mutil.h"

enum { O_CHUNKS, O_DPORT, O_SPORT };
enum { F_SPT = 1, F_DPT = 2, F_CHUNKS = 4 };
enum { M_ANY, M_ALL, M_ONLY };

struct sctp_data {
	uint16_t spts[2], dpts[2];
	uint8_t flags, invflags;
	uint8_t match;		      /* M_* */
	uint32_t map[8];	      /* chunk type bitmap */
	uint8_t fl[256], flmask[256]; /* per-chunk flag value and mask */
	uint8_t nflags;
};

static const struct ctg_opt opts[] = {
	{"chunk-types", O_CHUNKS, CTG_OPT_ARG2 | CTG_OPT_INV},
	{"destination-port", O_DPORT, CTG_OPT_ARG | CTG_OPT_INV},
	{"dport", O_DPORT, CTG_OPT_ARG | CTG_OPT_INV},
	{"source-port", O_SPORT, CTG_OPT_ARG | CTG_OPT_INV},
	{"sport", O_SPORT, CTG_OPT_ARG | CTG_OPT_INV},
};

struct chunk {
	const char *name;
	uint8_t type;
	const char *valid_flags; /* bit 7 first */
};

static const struct chunk chunks[] = {
	{"DATA", 0, "----IUBE"},
	{"INIT", 1, "--------"},
	{"INIT_ACK", 2, "--------"},
	{"SACK", 3, "--------"},
	{"HEARTBEAT", 4, "--------"},
	{"HEARTBEAT_ACK", 5, "--------"},
	{"ABORT", 6, "-------T"},
	{"SHUTDOWN", 7, "--------"},
	{"SHUTDOWN_ACK", 8, "--------"},
	{"ERROR", 9, "--------"},
	{"COOKIE_ECHO", 10, "--------"},
	{"COOKIE_ACK", 11, "--------"},
	{"ECN_ECNE", 12, "--------"},
	{"ECN_CWR", 13, "--------"},
	{"SHUTDOWN_COMPLETE", 14, "-------T"},
	{"ASCONF", 193, "--------"},
	{"ASCONF_ACK", 128, "--------"},
	{"FORWARD_TSN", 192, "--------"},
	{"I_DATA", 64, "----IUBE"},
	{"RE_CONFIG", 130, "--------"},
	{"PAD", 132, "--------"},
	{"I_FORWARD_TSN", 194, "--------"},
};
#define NCHUNKS (sizeof(chunks) / sizeof(chunks[0]))

static const struct chunk *chunk_by_type(unsigned t)
{
	for (size_t i = 0; i < NCHUNKS; i++)
		if (chunks[i].type == t)
			return &chunks[i];
	return NULL;
}

static int parse_flags(struct ctg_mctx *c, struct sctp_data *d, const struct chunk *ch,
		       const char *f, size_t len)
{
	if (++d->nflags > 4)
		return ctg_mctx_error(c, "bad-value", NULL,
				      "sctp: at most 4 chunks may have flags");
	for (size_t i = 0; i < len; i++) {
		const char *p = strchr(ch->valid_flags, toupper((unsigned char)f[i]));
		unsigned bit;

		if (!p || f[i] == '-')
			return ctg_mctx_error(c, "bad-value", NULL,
					      "sctp: invalid flag \"%c\" for chunk %s", f[i],
					      ch->name);
		bit = 7 - (unsigned)(p - ch->valid_flags);
		d->flmask[ch->type] |= 1u << bit;
		if (isupper((unsigned char)f[i]))
			d->fl[ch->type] |= 1u << bit;
	}
	return 0;
}

static int parse_chunk(struct ctg_mctx *c, struct sctp_data *d, const char *w, size_t len)
{
	const char *colon = memchr(w, ':', len);
	size_t n = colon ? (size_t)(colon - w) : len;

	for (size_t i = 0; i < NCHUNKS; i++) {
		if (strlen(chunks[i].name) != n || strncasecmp(chunks[i].name, w, n))
			continue;
		d->map[chunks[i].type / 32] |= 1u << (chunks[i].type % 32);
		return colon ? parse_flags(c, d, &chunks[i], colon + 1, len - n - 1) : 0;
	}
	return ctg_mctx_error(c, "bad-value", NULL, "unknown sctp chunk \"%.*s\"", (int)n, w);
}

static int parse_chunks(struct ctg_mctx *c, struct sctp_data *d, const char *type, const char *list)
{
	if (!type || !list)
		return ctg_mctx_error(c, "missing-argument", "--chunk-types all|any|only LIST",
				      "--chunk-types requires two arguments");
	if (!strcasecmp(type, "any"))
		d->match = M_ANY;
	else if (!strcasecmp(type, "all"))
		d->match = M_ALL;
	else if (!strcasecmp(type, "only"))
		d->match = M_ONLY;
	else
		return ctg_mctx_error(c, "bad-value", "all, any or only",
				      "sctp: match type \"%s\" must be all, any or only", type);
	if (!strcasecmp(list, "NONE"))
		return 0;
	for (const char *p = list;;) {
		size_t len = strcspn(p, ",");

		if (parse_chunk(c, d, p, len))
			return -EINVAL;
		p += len;
		if (!*p++)
			return 0;
	}
}

static int sctp_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		      const char *arg2)
{
	struct sctp_data *d = data;
	static const uint8_t flag[] = {F_CHUNKS, F_DPT, F_SPT};
	static const char *const names[] = {"chunk-types", "dport", "sport"};
	unsigned seen = d->flags;

	if (ctg_mu_once(c, &seen, flag[id], names[id]))
		return -EINVAL;
	d->flags = (uint8_t)seen;
	d->invflags |= inv ? flag[id] : 0;
	if (id == O_CHUNKS)
		return parse_chunks(c, d, arg, arg2);
	return ctg_mu_ports_arg(c, names[id], arg, "sctp", id == O_SPORT ? d->spts : d->dpts);
}

static int sctp_final(struct ctg_mctx *c, void *data)
{
	struct sctp_data *d = data;

	if (!(d->flags & F_SPT))
		d->spts[1] = UINT16_MAX;
	if (!(d->flags & F_DPT))
		d->dpts[1] = UINT16_MAX;
	if (!ctg_mu_proto_is(c, 132))
		return ctg_mctx_error(c, "match-needs-proto", "add -p sctp",
				      "sctp match: only valid for protocol 132");
	return 0;
}

static void emit_chunks(const struct sctp_data *d, struct ctg_strbuf *sb)
{
	static const char *const types[] = {"any", "all", "only"};
	bool first = true;

	ctg_mu_opt(sb, d->invflags & F_CHUNKS, "chunk-types");
	ctg_sb_printf(sb, " %s ", types[d->match]);
	for (unsigned t = 0; t < 256; t++) {
		const struct chunk *ch = chunk_by_type(t);

		if (!(d->map[t / 32] & (1u << (t % 32))) || !ch)
			continue;
		ctg_sb_printf(sb, "%s%s", first ? "" : ",", ch->name);
		first = false;
		if (d->flmask[t])
			ctg_sb_putc(sb, ':');
		for (int i = 7; i >= 0; i--) {
			char f = ch->valid_flags[7 - i];

			if (d->flmask[t] & (1u << i))
				ctg_sb_putc(sb, (d->fl[t] & (1u << i)) ? f : (char)tolower(f));
		}
	}
	if (first)
		ctg_sb_puts(sb, "NONE");
}

static void sctp_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct sctp_data *d = data;

	if (d->flags & F_SPT) {
		ctg_mu_opt(sb, d->invflags & F_SPT, "sport");
		ctg_sb_putc(sb, ' ');
		ctg_mu_range(sb, d->spts[0], d->spts[1], ':');
	}
	if (d->flags & F_DPT) {
		ctg_mu_opt(sb, d->invflags & F_DPT, "dport");
		ctg_sb_putc(sb, ' ');
		ctg_mu_range(sb, d->dpts[0], d->dpts[1], ':');
	}
	if (d->flags & F_CHUNKS)
		emit_chunks(d, sb);
}

static bool in_range(uint16_t v, const uint16_t r[2], bool inv)
{
	return (v >= r[0] && v <= r[1]) != inv;
}

static enum ctg_tri sctp_eval(const void *data, const struct ctg_pkt *p,
			      const struct ctg_eval_env *env)
{
	const struct sctp_data *d = data;

	if (p->fragment || p->l4proto != 132)
		return CTG_FALSE;
	if (!in_range(p->sport, d->spts, d->invflags & F_SPT) ||
	    !in_range(p->dport, d->dpts, d->invflags & F_DPT))
		return CTG_FALSE;
	return (d->flags & F_CHUNKS) ? CTG_UNKNOWN : CTG_TRUE;
}

const struct ctg_match_ops ctg_match_sctp = {
	.name = "sctp",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct sctp_data),
	.parse = sctp_parse,
	.final = sctp_final,
	.emit = sctp_emit,
	.eval = sctp_eval,
};
