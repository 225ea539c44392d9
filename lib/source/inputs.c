// SPDX-License-Identifier: GPL-2.0-or-later
/* Input assembly (see inputs.h): one reader per source, file or live. */
#include "inputs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void ctg_inputs_init(struct ctg_inputs *in)
{
	memset(in, 0, sizeof(*in));
	ctg_sysvals_init(&in->sysvals);
	ctg_ct_table_init(&in->ct);
	ctg_sock_table_init(&in->socks);
	ctg_addr_set_init(&in->locals);
	ctg_ifaddr_table_init(&in->ifaddrs);
	ctg_sysctls_default(&in->sysctls);
}

void ctg_inputs_release(struct ctg_inputs *in)
{
	ctg_ruleset_free(in->rules4);
	ctg_ruleset_free(in->rules6);
	ctg_sysvals_release(&in->sysvals);
	ctg_ct_table_release(&in->ct);
	ctg_sock_table_release(&in->socks);
	ctg_addr_set_release(&in->locals);
	ctg_ifaddr_table_release(&in->ifaddrs);
	ctg_routes_free(in->routes);
	ctg_diags_free(in->diags);
	memset(in, 0, sizeof(*in));
}

int ctg_inputs_set_sysctl(struct ctg_inputs *in, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct ctg_sysctls probe = in->sysctls;
	char *name;
	int ret;

	if (!eq || eq == arg)
		return -EINVAL;
	name = strndup(arg, (size_t)(eq - arg));
	if (!name)
		return -ENOMEM;
	/* names the model does not know (nf_conntrack_max, ...) are display only */
	ret = ctg_sysctls_set(&probe, name, eq + 1);
	if (ret == -ENOENT && !ctg_sysvals_known(name))
		ret = -ENOENT;
	else if (ret == -ENOENT)
		ret = 0;
	free(name);
	if (ret)
		return ret;
	return ctg_sysvals_set_arg(&in->sysvals, arg);
}

static int fail(struct ctg_inputs *in, const char *what, int ret)
{
	in->failed = what;
	return ret;
}

static int load_rules(struct ctg_inputs *in, enum ctg_family fam)
{
	bool v6 = fam == CTG_FAMILY_IPV6;
	const char *path = v6 ? in->rules6_path : in->rules4_path;
	struct ctg_ruleset **rs = v6 ? &in->rules6 : &in->rules4;
	int ret;

	if (path) {
		*rs = ctg_ruleset_parse_file(path, fam, in->diags);
		return *rs ? 0 : fail(in, path, -errno);
	}
	ret = ctg_rules_read_live(fam, rs, v6 ? &in->backend6 : &in->backend4, in->diags);
	return ret ? fail(in, v6 ? "ip6tables-save" : "iptables-save", ret) : 0;
}

static int load_ct(struct ctg_inputs *in)
{
	int ret;

	if (in->ct_path) {
		ret = ctg_ct_read_file(&in->ct, in->ct_path, in->diags);
		return ret ? fail(in, in->ct_path, ret) : 0;
	}
	ret = ctg_ct_read_nl(&in->ct, 0);
	return ret ? fail(in, "reading conntrack over netlink", ret) : 0;
}

static int load_socks(struct ctg_inputs *in, bool procs)
{
	int ret;

	if (in->socks_path) {
		ret = ctg_sock_read_ss_file(&in->socks, in->socks_path, in->diags);
		return ret ? fail(in, in->socks_path, ret) : 0;
	}
	ret = ctg_sock_read_diag(&in->socks, CTG_SOCK_TCP | CTG_SOCK_UDP);
	if (ret)
		return fail(in, "reading sockets over sock_diag", ret);
	/* best effort: without access to /proc/[pid]/fd processes stay unknown */
	if (procs)
		ctg_sock_fill_procs(&in->socks, in->proc_root);
	return 0;
}

/* The text values (overrides + live) into the one model. */
static int load_sysctls(struct ctg_inputs *in)
{
	int ret = ctg_sysvals_read_live(&in->sysvals, in->proc_root);

	if (ret)
		return fail(in, "reading sysctls", ret);
	for (size_t i = 0; i < in->sysvals.n; i++)
		ctg_sysctls_set(&in->sysctls, in->sysvals.v[i].name, in->sysvals.v[i].value);
	return 0;
}

static int load_locals(struct ctg_inputs *in)
{
	int ret;

	if (in->ct_path || in->socks_path)
		return 0;
	ret = ctg_addr_set_read_live(&in->locals);
	if (ret)
		return fail(in, "reading interface addresses", ret);
	/* unknown interfaces only make -i/-o of the NAT simulations unknown */
	if (ctg_ifaddr_read_live(&in->ifaddrs))
		ctg_ifaddr_table_release(&in->ifaddrs);
	in->locals_live = true;
	return 0;
}

static int load_routes(struct ctg_inputs *in)
{
	if (in->routes_path) {
		in->routes = ctg_routes_parse_file(in->routes_path, in->diags);
		return in->routes ? 0 : fail(in, in->routes_path, -errno);
	}
	if (in->ct_path || in->socks_path)
		return 0;
	in->routes = ctg_routes_new_live();
	return in->routes ? 0 : fail(in, "routing", -ENOMEM);
}

int ctg_inputs_load(struct ctg_inputs *in, unsigned need)
{
	int ret = 0;

	in->failed = NULL;
	if (!in->diags && !(in->diags = ctg_diags_new()))
		return fail(in, "loading inputs", -ENOMEM);
	if (need & CTG_IN_SYSCTLS)
		ret = load_sysctls(in);
	if (!ret && (need & CTG_IN_RULES4))
		ret = load_rules(in, CTG_FAMILY_IPV4);
	if (!ret && (need & CTG_IN_RULES6))
		ret = load_rules(in, CTG_FAMILY_IPV6);
	if (!ret && (need & CTG_IN_CT))
		ret = load_ct(in);
	if (!ret && (need & CTG_IN_SOCKS))
		ret = load_socks(in, !(need & CTG_IN_NO_PROCS));
	if (!ret && (need & CTG_IN_LOCALS))
		ret = load_locals(in);
	if (!ret && (need & CTG_IN_ROUTES))
		ret = load_routes(in);
	return ret;
}
