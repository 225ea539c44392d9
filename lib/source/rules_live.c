// SPDX-License-Identifier: GPL-2.0-or-later
/* Live ruleset capture: `iptables -V` for the backend, `iptables-save` for the rules. */
#include <ctguard/source.h>

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

extern char **environ;

const char *ctg_ipt_backend_name(enum ctg_ipt_backend b)
{
	switch (b) {
	case CTG_IPT_NFT:
		return "nf_tables";
	case CTG_IPT_LEGACY:
		return "legacy";
	default:
		return "unknown";
	}
}

/* Appends everything readable from fd to *buf. */
static int drain(int fd, char **buf, size_t *len)
{
	size_t cap = 1 << 14;
	char *b = malloc(cap + 1);

	*len = 0;
	while (b) {
		ssize_t r;

		if (*len == cap) {
			char *nb = realloc(b, cap * 2 + 1);

			if (!nb)
				break;
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + *len, cap - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			b[*len] = '\0';
			*buf = b;
			return 0;
		}
		*len += (size_t)r;
	}
	free(b);
	return -ENOMEM;
}

/* Runs argv, stdout captured, stderr to /dev/null. 0, -ENOENT, -EIO, -ENOMEM. */
static int run_capture(char *const argv[], char **out, size_t *len)
{
	posix_spawn_file_actions_t fa;
	int pfd[2], st, ret;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	ret = -posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (ret) {
		close(pfd[0]);
		return ret;
	}
	ret = drain(pfd[0], out, len);
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!ret && (!WIFEXITED(st) || WEXITSTATUS(st))) {
		free(*out);
		*out = NULL;
		/* 127: the shell convention for "not found" */
		ret = WIFEXITED(st) && WEXITSTATUS(st) == 127 ? -ENOENT : -EIO;
	}
	return ret;
}

static enum ctg_ipt_backend detect(enum ctg_family family)
{
	char *argv[] = {family == CTG_FAMILY_IPV6 ? "ip6tables" : "iptables", "-V", NULL};
	enum ctg_ipt_backend b = CTG_IPT_UNKNOWN;
	char *out;
	size_t len;

	if (run_capture(argv, &out, &len))
		return b;
	if (strstr(out, "(nf_tables)"))
		b = CTG_IPT_NFT;
	else if (strstr(out, "(legacy)"))
		b = CTG_IPT_LEGACY;
	free(out);
	return b;
}

int ctg_rules_capture(enum ctg_family family, const char *save_cmd, char **text, size_t *len,
		      enum ctg_ipt_backend *backend)
{
	const char *def = family == CTG_FAMILY_IPV6 ? "ip6tables-save" : "iptables-save";
	char *argv[] = {(char *)(save_cmd ? save_cmd : def), NULL};

	if (backend)
		*backend = detect(family);
	return run_capture(argv, text, len);
}

int ctg_rules_read_live(enum ctg_family family, struct ctg_ruleset **rs,
			enum ctg_ipt_backend *backend, struct ctg_diags *diags)
{
	char *text;
	size_t len;
	int ret;

	*rs = NULL;
	ret = ctg_rules_capture(family, NULL, &text, &len, backend);
	if (ret)
		return ret;
	*rs = ctg_ruleset_parse(text, len,
				family == CTG_FAMILY_IPV6 ? "ip6tables-save" : "iptables-save",
				family, diags);
	ret = *rs ? 0 : -errno;
	free(text);
	return ret;
}
