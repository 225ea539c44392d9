// SPDX-License-Identifier: GPL-2.0-or-later
/* The common input options (see inputs.h): option -> field, and error rendering. */
#include "inputs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"

void ctg_cli_inputs_init(struct ctg_inputs *in)
{
	ctg_inputs_init(in);
	in->proc_root = getenv("PROC_ROOT");
	if (in->proc_root && !in->proc_root[0])
		in->proc_root = NULL;
}

int ctg_inputs_opt(struct ctg_inputs *in, int opt, const char *arg, FILE *err)
{
	switch (opt) {
	case CTG_OPT_RULES:
		in->rules4_path = arg;
		return 1;
	case CTG_OPT_RULES6:
		in->rules6_path = arg;
		return 1;
	case CTG_OPT_CONNTRACK:
		in->ct_path = arg;
		return 1;
	case CTG_OPT_SOCKETS:
		in->socks_path = arg;
		return 1;
	case CTG_OPT_ROUTES:
		in->routes_path = arg;
		return 1;
	case CTG_OPT_SYSCTL:
		switch (ctg_inputs_set_sysctl(in, arg)) {
		case 0:
			return 1;
		case -ENOENT: /* a sysctl ctguard does not read */
			return -ENOENT;
		case -ENOMEM:
			return -ENOMEM;
		default:
			return -EINVAL;
		}
	default:
		return 0;
	}
}

int ctg_inputs_take(struct ctg_inputs *in, int opt, const char *arg)
{
	int r = ctg_inputs_opt(in, opt, arg, stderr);

	return r == 1 ? 0 : r ? r : -EINVAL;
}

int ctg_cli_inputs_load(struct ctg_inputs *in, unsigned need, const char *prog, FILE *err)
{
	int ret = ctg_inputs_load(in, need);

	if (!ret)
		return ctg_cli_print_diags(in->diags, err) ? CTG_EXIT_USAGE : CTG_EXIT_OK;
	fprintf(err, "%s: %s: %s%s\n", prog, in->failed, strerror(-ret),
		ret == -EPERM || ret == -EACCES ? " (needs root / CAP_NET_ADMIN)" : "");
	return CTG_EXIT_ENV;
}
