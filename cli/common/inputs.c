// SPDX-License-Identifier: GPL-2.0-or-later
/* The common input options (see inputs.h). */
#include "inputs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../cli.h"

void ctg_inputs_init(struct ctg_inputs *in)
{
	memset(in, 0, sizeof(*in));
	ctg_sysvals_init(&in->sysvals);
	ctg_ct_table_init(&in->ct);
	ctg_sock_table_init(&in->socks);
	ctg_addr_set_init(&in->locals);
	ctg_sysctls_default(&in->sysctls);
	in->proc_root = getenv("PROC_ROOT");
	if (in->proc_root && !in->proc_root[0])
		in->proc_root = NULL;
}

void ctg_inputs_release(struct ctg_inputs *in)
{
	ctg_ruleset_free(in->rules4);
	ctg_ruleset_free(in->rules6);
	ctg_sysvals_release(&in->sysvals);
	ctg_ct_table_release(&in->ct);
	ctg_sock_table_release(&in->socks);
	ctg_addr_set_release(&in->locals);
	ctg_diags_free(in->diags);
	memset(in, 0, sizeof(*in));
}

int ctg_inputs_opt(struct ctg_inputs *in, int opt, const char *arg, FILE *err)
{
	struct ctg_sysctls probe;

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
	case CTG_OPT_SYSCTL:
		break;
	default:
		return 0;
	}
	ctg_sysctls_default(&probe);
	if (ctg_sysvals_set_arg(&in->sysvals, arg) ||
	    ctg_sysctls_set(&probe, strndupa(arg, strcspn(arg, "=")), strchr(arg, '=') + 1) ==
		    -EINVAL) {
		fprintf(err, "--sysctl: expected NAME=VALUE with a valid value, got \"%s\"\n", arg);
		return -1;
	}
	return 1;
}

static int env_error(FILE *err, const char *prog, const char *what, int e)
{
	fprintf(err, "%s: %s: %s%s\n", prog, what, strerror(-e),
		e == -EPERM || e == -EACCES ? " (needs root / CAP_NET_ADMIN)" : "");
	return CTG_EXIT_ENV;
}

/* Prints and counts the diagnostics gathered so far. */
static int diags_rc(struct ctg_inputs *in, FILE *err)
{
	return ctg_cli_print_diags(in->diags, err) ? CTG_EXIT_USAGE : CTG_EXIT_OK;
}

static int load_rules(struct ctg_inputs *in, enum ctg_family fam, const char *prog, FILE *err)
{
	const char *path = fam == CTG_FAMILY_IPV6 ? in->rules6_path : in->rules4_path;
	struct ctg_ruleset **rs = fam == CTG_FAMILY_IPV6 ? &in->rules6 : &in->rules4;
	enum ctg_ipt_backend *b = fam == CTG_FAMILY_IPV6 ? &in->backend6 : &in->backend4;
	int ret;

	if (path) {
		*rs = ctg_ruleset_parse_file(path, fam, in->diags);
		if (!*rs)
			return env_error(err, prog, path, -errno);
		return CTG_EXIT_OK;
	}
	ret = ctg_rules_read_live(fam, rs, b, in->diags);
	if (ret)
		return env_error(err, prog,
				 fam == CTG_FAMILY_IPV6 ? "ip6tables-save" : "iptables-save", ret);
	return CTG_EXIT_OK;
}

static int load_ct(struct ctg_inputs *in, const char *prog, FILE *err)
{
	int ret;

	if (in->ct_path) {
		ret = ctg_ct_read_file(&in->ct, in->ct_path, in->diags);
		return ret ? env_error(err, prog, in->ct_path, ret) : CTG_EXIT_OK;
	}
	ret = ctg_ct_read_nl(&in->ct, 0);
	return ret ? env_error(err, prog, "reading conntrack over netlink", ret) : CTG_EXIT_OK;
}

static int load_socks(struct ctg_inputs *in, const char *prog, FILE *err)
{
	int ret;

	if (in->socks_path) {
		ret = ctg_sock_read_ss_file(&in->socks, in->socks_path, in->diags);
		return ret ? env_error(err, prog, in->socks_path, ret) : CTG_EXIT_OK;
	}
	ret = ctg_sock_read_diag(&in->socks, CTG_SOCK_TCP | CTG_SOCK_UDP);
	if (ret)
		return env_error(err, prog, "reading sockets over sock_diag", ret);
	/* best effort: without access to /proc/[pid]/fd processes stay unknown */
	ctg_sock_fill_procs(&in->socks, in->proc_root);
	return CTG_EXIT_OK;
}

static int load_sysctls(struct ctg_inputs *in, const char *prog, FILE *err)
{
	int ret = ctg_sysvals_read_live(&in->sysvals, in->proc_root);

	if (ret)
		return env_error(err, prog, "reading sysctls", ret);
	/* names the model does not know (nf_conntrack_max, ...) are display only */
	for (size_t i = 0; i < in->sysvals.n; i++)
		ctg_sysctls_set(&in->sysctls, in->sysvals.v[i].name, in->sysvals.v[i].value);
	return CTG_EXIT_OK;
}

static int load_locals(struct ctg_inputs *in, const char *prog, FILE *err)
{
	int ret;

	if (in->ct_path || in->socks_path)
		return CTG_EXIT_OK;
	ret = ctg_addr_set_read_live(&in->locals);
	if (ret)
		return env_error(err, prog, "reading interface addresses", ret);
	in->locals_live = true;
	return CTG_EXIT_OK;
}

int ctg_inputs_load(struct ctg_inputs *in, unsigned need, const char *prog, FILE *err)
{
	int rc = CTG_EXIT_OK;

	if (!in->diags && !(in->diags = ctg_diags_new()))
		return env_error(err, prog, "loading inputs", -ENOMEM);
	if (need & CTG_IN_SYSCTLS)
		rc = load_sysctls(in, prog, err);
	if (!rc && (need & CTG_IN_RULES4))
		rc = load_rules(in, CTG_FAMILY_IPV4, prog, err);
	if (!rc && (need & CTG_IN_RULES6))
		rc = load_rules(in, CTG_FAMILY_IPV6, prog, err);
	if (!rc && (need & CTG_IN_CT))
		rc = load_ct(in, prog, err);
	if (!rc && (need & CTG_IN_SOCKS))
		rc = load_socks(in, prog, err);
	if (!rc && (need & CTG_IN_LOCALS))
		rc = load_locals(in, prog, err);
	if (!rc)
		rc = diags_rc(in, err);
	return rc;
}
