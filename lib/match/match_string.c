// SPDX-License-Identifier: GPL-2.0-or-later
/* -m string: payload search (libxt_string.c rev 1, xt_string.c). Eval is unknown. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mutil.h"

#define STR_MAX 128 /* XT_STRING_MAX_PATTERN_SIZE */

enum { O_ALGO, O_FROM, O_HEX, O_ICASE, O_STRING, O_TO };

struct string_data {
	char pattern[STR_MAX];
	uint8_t patlen;
	char algo[8];
	uint16_t from, to;
	bool inv, icase;
	unsigned seen;
};

static const struct ctg_opt opts[] = {
	{"algo", O_ALGO, CTG_OPT_ARG},
	{"from", O_FROM, CTG_OPT_ARG},
	{"hex-string", O_HEX, CTG_OPT_ARG | CTG_OPT_INV},
	{"icase", O_ICASE, 0},
	{"string", O_STRING, CTG_OPT_ARG | CTG_OPT_INV},
	{"to", O_TO, CTG_OPT_ARG},
};

static const char *const names[] = {"algo", "from", "hex-string", "icase", "string", "to"};

/* libxt_string's parse_hex_string: text with |hex bytes| blocks and \-escapes outside them. */
static const char *hex_byte(const char *s, size_t i, size_t slen, char *out)
{
	char tmp[3] = {0};

	if (i + 1 >= slen)
		return "Odd number of hex digits";
	if (i + 2 >= slen)
		return "Invalid hex block"; /* must end with a "|" */
	if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1]))
		return "Invalid hex char";
	tmp[0] = s[i];
	tmp[1] = s[i + 1];
	*out = (char)strtoul(tmp, NULL, 16);
	return NULL;
}

static const char *parse_hex(const char *s, struct string_data *d)
{
	size_t i = 0, slen = strlen(s);
	bool hex = false, literal;
	const char *err;
	unsigned n = 0;

	if (!slen)
		return "STRING must contain at least one char";
	while (i < slen) {
		if (n >= STR_MAX)
			return "STRING too long";
		literal = s[i] == '\\' && !hex;
		if (s[i] == '\\' && hex)
			return "Cannot include literals in hex data";
		if (s[i] == '|') {
			hex = !hex;
			while (hex && s[i + 1] == ' ')
				i++;
			if (i + 1 >= slen)
				break;
			i++;
		}
		if (literal) {
			if (i + 1 >= slen)
				return "Bad literal placement at end of string";
			d->pattern[n] = s[i + 1];
			i += 2;
		} else if (hex) {
			if ((err = hex_byte(s, i, slen, &d->pattern[n])))
				return err;
			i += s[i + 2] == ' ' ? 3 : 2;
		} else {
			d->pattern[n] = s[i++];
		}
		n++;
	}
	d->patlen = n;
	return NULL;
}

static int parse_pattern(struct ctg_mctx *c, struct string_data *d, unsigned id, bool inv,
			 const char *arg)
{
	const char *err;

	if (d->seen & ((1u << O_STRING) | (1u << O_HEX)))
		return ctg_mctx_error(c, "conflicting-options", NULL,
				      "string: only one --string or --hex-string allowed");
	if (id == O_STRING) {
		if (strlen(arg) > STR_MAX)
			return ctg_mctx_error(c, "bad-value", "at most 128 bytes",
					      "string: STRING too long \"%s\"", arg);
		d->patlen = strlen(arg);
		memcpy(d->pattern, arg, d->patlen);
	} else if ((err = parse_hex(arg, d))) {
		return ctg_mctx_error(c, "bad-value", NULL, "string: %s \"%s\"", err, arg);
	}
	d->inv = inv;
	return 0;
}

static int string_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			const char *arg2)
{
	struct string_data *d = data;
	uint64_t v;
	int err = 0;

	if ((id == O_STRING || id == O_HEX))
		err = parse_pattern(c, d, id, inv, arg);
	else if (ctg_mu_once(c, &d->seen, 1u << id, names[id]))
		return -EINVAL;
	if (err)
		return err;
	d->seen |= 1u << id;
	switch (id) {
	case O_ALGO:
		if (strcmp(arg, "bm") && strcmp(arg, "kmp"))
			return ctg_mctx_error(c, "bad-value", "bm or kmp",
					      "string: unknown algorithm \"%s\"", arg);
		strcpy(d->algo, arg);
		break;
	case O_FROM:
	case O_TO:
		if (ctg_mu_uint(arg, UINT16_MAX, &v))
			return ctg_mctx_error(c, "bad-value", "an offset 0-65535",
					      "string: invalid offset \"%s\"", arg);
		*(id == O_FROM ? &d->from : &d->to) = v;
		break;
	case O_ICASE:
		d->icase = true;
		break;
	}
	return 0;
}

static int string_final(struct ctg_mctx *c, void *data)
{
	struct string_data *d = data;

	if (!(d->seen & (1u << O_TO)))
		d->to = UINT16_MAX;
	if (!(d->seen & (1u << O_ALGO)))
		return ctg_mctx_error(c, "missing-option", "--algo bm|kmp",
				      "string: option --algo must be specified");
	if (!(d->seen & ((1u << O_STRING) | (1u << O_HEX))))
		return ctg_mctx_error(c, "missing-option", "--string or --hex-string",
				      "string: you must specify --string or --hex-string");
	if (!d->patlen)
		return ctg_mctx_error(c, "bad-value", NULL, "string: the pattern is empty");
	if (d->from > d->to)
		return ctg_mctx_error(c, "bad-value", NULL, "string: --from is after --to");
	return 0;
}

/* is_hex_string(): non-printable bytes or a trailing backslash print as hex. */
static bool needs_hex(const struct string_data *d)
{
	for (unsigned i = 0; i < d->patlen; i++)
		if (!isprint((unsigned char)d->pattern[i]))
			return true;
	return d->patlen && d->pattern[d->patlen - 1] == '\\';
}

static void string_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct string_data *d = data;

	if (needs_hex(d)) {
		ctg_mu_opt(sb, d->inv, "hex-string");
		ctg_sb_puts(sb, " \"|");
		for (unsigned i = 0; i < d->patlen; i++)
			ctg_sb_printf(sb, "%02x", (unsigned char)d->pattern[i]);
		ctg_sb_puts(sb, "|\"");
	} else {
		ctg_mu_opt(sb, d->inv, "string");
		ctg_sb_puts(sb, " \"");
		for (unsigned i = 0; i < d->patlen; i++) {
			if (d->pattern[i] == '"' || d->pattern[i] == '\\')
				ctg_sb_putc(sb, '\\');
			ctg_sb_putc(sb, d->pattern[i]);
		}
		ctg_sb_putc(sb, '"');
	}
	ctg_sb_printf(sb, " --algo %s", d->algo);
	if (d->from)
		ctg_sb_printf(sb, " --from %u", d->from);
	if (d->to != UINT16_MAX)
		ctg_sb_printf(sb, " --to %u", d->to);
	if (d->icase)
		ctg_sb_puts(sb, " --icase");
}

static enum ctg_tri string_eval(const void *data, const struct ctg_pkt *p,
				const struct ctg_eval_env *env)
{
	return CTG_UNKNOWN; /* no payload in the packet model */
}

const struct ctg_match_ops ctg_match_string = {
	.name = "string",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct string_data),
	.parse = string_parse,
	.final = string_final,
	.emit = string_emit,
	.eval = string_eval,
};
