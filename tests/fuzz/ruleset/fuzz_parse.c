// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the iptables-restore parser. Every input is parsed as IPv4 and as
 * IPv6; when it parses without errors, the canonical text must parse again without errors
 * and print identically (fmt is a fixed point). Anything else is a bug: abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ctguard/diag.h>
#include <ctguard/ruleset.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const char *text, enum ctg_family f)
{
	struct ctg_diags *d = ctg_diags_new(), *d2;
	struct ctg_ruleset *rs, *rs2;
	char *out, *out2;

	if (!d)
		return;
	rs = ctg_ruleset_parse(text, strlen(text), "fuzz", f, d);
	if (!rs || ctg_diags_errors(d)) {
		ctg_ruleset_free(rs);
		ctg_diags_free(d);
		return;
	}
	out = ctg_ruleset_emit(rs, CTG_EMIT_COUNTERS);
	d2 = ctg_diags_new();
	rs2 = out && d2 ? ctg_ruleset_parse(out, strlen(out), "fuzz-2", f, d2) : NULL;
	if (rs2) {
		if (ctg_diags_errors(d2))
			abort(); /* our own output does not parse */
		out2 = ctg_ruleset_emit(rs2, CTG_EMIT_COUNTERS);
		if (out2 && strcmp(out, out2))
			abort(); /* not a fixed point */
		free(out2);
	}
	ctg_ruleset_free(rs2);
	ctg_diags_free(d2);
	free(out);
	ctg_ruleset_free(rs);
	ctg_diags_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctg_diags *d = ctg_diags_new();
	struct ctg_ruleset *rs;
	char *text;

	if (!d)
		return 0;
	/* the raw bytes, embedded NULs and all */
	rs = ctg_ruleset_parse((const char *)data, size, "fuzz", CTG_FAMILY_IPV4, d);
	for (size_t i = 0; i < ctg_diags_count(d); i++) {
		char buf[256];

		ctg_diag_render(ctg_diags_get(d, i), buf, sizeof(buf));
	}
	ctg_ruleset_free(rs);
	ctg_diags_free(d);
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (strlen(text) == size) {
		round_trip(text, CTG_FAMILY_IPV4);
		round_trip(text, CTG_FAMILY_IPV6);
	}
	free(text);
	return 0;
}
