// SPDX-License-Identifier: GPL-2.0-or-later
/* -j LOG: kernel log line per packet, non-terminal (libxt_LOG). */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "../match/mutil.h"
#include "../ruleset/ir.h"

enum { O_IP_OPTIONS, O_LEVEL, O_MACDECODE, O_PREFIX, O_TCP_OPTIONS, O_TCP_SEQ, O_UID };
enum { F_TCPSEQ = 1, F_TCPOPT = 2, F_IPOPT = 4, F_UID = 8, F_MACDECODE = 0x20 };

struct log_data {
	char prefix[30];
	uint8_t level; /* stored + 1; 0 = default (4) */
	uint8_t flags;
};

static const struct ctg_opt opts[] = {
	{"log-ip-options", O_IP_OPTIONS, 0},
	{"log-level", O_LEVEL, CTG_OPT_ARG},
	{"log-macdecode", O_MACDECODE, 0},
	{"log-prefix", O_PREFIX, CTG_OPT_ARG},
	{"log-tcp-options", O_TCP_OPTIONS, 0},
	{"log-tcp-sequence", O_TCP_SEQ, 0},
	{"log-uid", O_UID, 0},
};

static const struct ctg_mu_name levels[] = {
	{"alert", 1}, {"crit", 2},   {"debug", 7}, {"emerg", 0}, {"err", 3},	 {"error", 3},
	{"info", 6},  {"notice", 5}, {"panic", 0}, {"warn", 4},	 {"warning", 4},
};

static int log_level(struct ctg_mctx *c, struct log_data *d, const char *arg)
{
	uint64_t v;
	int64_t n;

	if (!ctg_mu_uint(arg, 7, &v)) {
		d->level = (uint8_t)v + 1;
		return 0;
	}
	n = ctg_mu_lookup(arg, levels, sizeof(levels) / sizeof(levels[0]), true);
	if (n < 0)
		return ctg_mctx_error(c, "bad-argument",
				      "a number 0-7 or emerg, alert, crit, error, "
				      "warning, notice, info, debug",
				      "bad log level \"%s\"", arg);
	d->level = (uint8_t)n + 1;
	return 0;
}

static int log_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		     const char *arg2)
{
	static const uint8_t bit[] = {[O_IP_OPTIONS] = F_IPOPT,
				      [O_MACDECODE] = F_MACDECODE,
				      [O_TCP_OPTIONS] = F_TCPOPT,
				      [O_TCP_SEQ] = F_TCPSEQ,
				      [O_UID] = F_UID};
	struct log_data *d = data;

	switch (id) {
	case O_LEVEL:
		return log_level(c, d, arg);
	case O_PREFIX:
		if (strlen(arg) > sizeof(d->prefix) - 1)
			return ctg_mctx_error(c, "bad-argument", NULL,
					      "log prefix longer than 29 characters");
		if (strchr(arg, '\n'))
			return ctg_mctx_error(c, "bad-argument", NULL, "newline in log prefix");
		strcpy(d->prefix, arg);
		return 0;
	default:
		d->flags |= bit[id];
		return 0;
	}
}

static void log_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct log_data *d = data;

	if (d->prefix[0]) {
		ctg_sb_puts(sb, " --log-prefix");
		ctg_mu_quoted(sb, d->prefix);
	}
	if (d->level && d->level != 5)
		ctg_sb_printf(sb, " --log-level %u", d->level - 1);
	if (d->flags & F_TCPSEQ)
		ctg_sb_puts(sb, " --log-tcp-sequence");
	if (d->flags & F_TCPOPT)
		ctg_sb_puts(sb, " --log-tcp-options");
	if (d->flags & F_IPOPT)
		ctg_sb_puts(sb, " --log-ip-options");
	if (d->flags & F_UID)
		ctg_sb_puts(sb, " --log-uid");
	if (d->flags & F_MACDECODE)
		ctg_sb_puts(sb, " --log-macdecode");
}

const struct ctg_target_ops ctg_target_LOG = {
	.name = "LOG",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct log_data),
	.parse = log_parse,
	.emit = log_emit,
	.verdict = CTG_V_CONTINUE,
};
