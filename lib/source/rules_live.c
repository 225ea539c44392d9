// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Live ruleset capture, the one place that runs <family>tables[-backend]-save: `iptables -V`
 * for the backend, the backend's save tool for the rules. Used by every command's live
 * input and by apply's rollback snapshot.
 */
#include <ctguard/source.h>

#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/exec.h"

const char *ctg_ipt_backend_name(enum ctg_ipt_backend b)
{
	return b == CTG_IPT_NFT ? "nft" : b == CTG_IPT_LEGACY ? "legacy" : "unknown";
}

const char *ctg_ipt_tool(enum ctg_ipt_backend b, enum ctg_family family, bool restore)
{
	static const char *const tools[3][2][2] = {
		{{"iptables-save", "iptables-restore"}, {"ip6tables-save", "ip6tables-restore"}},
		{{"iptables-nft-save", "iptables-nft-restore"},
		 {"ip6tables-nft-save", "ip6tables-nft-restore"}},
		{{"iptables-legacy-save", "iptables-legacy-restore"},
		 {"ip6tables-legacy-save", "ip6tables-legacy-restore"}},
	};
	unsigned i = b == CTG_IPT_NFT ? 1 : b == CTG_IPT_LEGACY ? 2 : 0;

	return tools[i][family == CTG_FAMILY_IPV6][restore];
}

/* Runs argv (ctg_exec), stdout captured, stderr dropped. 0, -ENOENT, -EIO, -ENOMEM. */
static int run_capture(const char *const argv[], char **out, size_t *len)
{
	struct ctg_exec_result r;
	int ret = ctg_exec(argv, NULL, 0, &r);

	/* 127: the shell convention for "not found" */
	if (!ret && r.status)
		ret = r.status == 127 ? -ENOENT : -EIO;
	if (!ret) {
		*out = r.out;
		*len = r.out_len;
		r.out = NULL;
	}
	ctg_exec_result_release(&r);
	return ret;
}

int ctg_ipt_backend_detect(enum ctg_family family, enum ctg_ipt_backend *out)
{
	const char *argv[] = {family == CTG_FAMILY_IPV6 ? "ip6tables" : "iptables", "-V", NULL};
	char *text;
	size_t len;
	int ret = run_capture(argv, &text, &len);

	*out = CTG_IPT_UNKNOWN;
	if (ret)
		return ret;
	if (strstr(text, "(nf_tables)"))
		*out = CTG_IPT_NFT;
	else if (strstr(text, "(legacy)"))
		*out = CTG_IPT_LEGACY;
	free(text);
	return 0;
}

/*
 * Does this process hold CAP_NET_ADMIN (effective)? The save and restore tools need it
 * (nf_tables netlink, the legacy getsockopt); without it they only fail with a message
 * on stderr, which would become an I/O error blamed on nothing.
 */
bool ctg_have_net_admin(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0)
		return true; /* cannot tell: let the tool decide */
	return d[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32));
}

int ctg_rules_capture(enum ctg_ipt_backend b, enum ctg_family family, char **text, size_t *len)
{
	const char *argv[] = {ctg_ipt_tool(b, family, false), NULL};

	if (!ctg_have_net_admin())
		return -EPERM;
	return run_capture(argv, text, len);
}

int ctg_rules_read_live(enum ctg_family family, struct ctg_ruleset **rs,
			enum ctg_ipt_backend *backend, struct ctg_diags *diags)
{
	char *text;
	size_t len;
	int ret;

	*rs = NULL;
	ctg_ipt_backend_detect(family, backend); /* UNKNOWN when it fails: the plain tool */
	ret = ctg_rules_capture(*backend, family, &text, &len);
	if (ret)
		return ret;
	*rs = ctg_ruleset_parse(text, len,
				family == CTG_FAMILY_IPV6 ? "ip6tables-save" : "iptables-save",
				family, diags);
	ret = *rs ? 0 : -errno;
	free(text);
	return ret;
}
