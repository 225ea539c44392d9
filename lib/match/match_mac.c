// SPDX-License-Identifier: GPL-2.0-or-later
/* -m mac --mac-source XX:XX:XX:XX:XX:XX (libxt_mac.c). MACs are not in the packet model. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mutil.h"

enum { O_SOURCE };

struct mac_data {
	uint8_t mac[6];
	bool inv, seen;
};

static const struct ctg_opt opts[] = {
	{"mac-source", O_SOURCE, CTG_OPT_ARG | CTG_OPT_INV},
};

static int parse_mac(const char *s, uint8_t mac[6])
{
	if (strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		char *end;

		if ((i < 5 && p[2] != ':') || !isxdigit((unsigned char)p[0]) ||
		    !isxdigit((unsigned char)p[1]))
			return -EINVAL;
		mac[i] = (uint8_t)strtoul((char[]){p[0], p[1], 0}, &end, 16);
	}
	return 0;
}

static int mac_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		     const char *arg2)
{
	struct mac_data *d = data;

	if (d->seen)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "mac: option \"--mac-source\" can only be used once");
	d->seen = true;
	d->inv = inv;
	if (parse_mac(arg, d->mac))
		return ctg_mctx_error(c, "bad-value", "six hex bytes: 00:11:22:33:44:55",
				      "bad mac address \"%s\"", arg);
	return 0;
}

static int mac_final(struct ctg_mctx *c, void *data)
{
	const struct mac_data *d = data;

	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", "add --mac-source MAC",
				      "mac match: \"--mac-source\" is required");
	return 0;
}

static void mac_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct mac_data *d = data;
	const uint8_t *m = d->mac;

	ctg_mu_opt(sb, d->inv, "mac-source");
	ctg_sb_printf(sb, " %02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static enum ctg_tri mac_eval(const void *data, const struct ctg_pkt *p,
			     const struct ctg_eval_env *env)
{
	return CTG_UNKNOWN; /* link-layer source is not part of ctg_pkt */
}

const struct ctg_match_ops ctg_match_mac = {
	.name = "mac",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct mac_data),
	.parse = mac_parse,
	.final = mac_final,
	.emit = mac_emit,
	.eval = mac_eval,
	.hooks = (1u << CTG_HOOK_PREROUTING) | (1u << CTG_HOOK_INPUT) | (1u << CTG_HOOK_FORWARD),
};
