// SPDX-License-Identifier: GPL-2.0-or-later
#include "fileio.h"

#include <ctguard/diag.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The first block, where more than 8 NUL or other control bytes mean binary data (random
 * bytes have hundreds; a stray NUL is the line's error, reported by the reader). */
#define TEXT_PROBE 4096

void ctg_text_guard_init(struct ctg_text_guard *g)
{
	memset(g, 0, sizeof(*g));
	g->line = 1;
}

static bool is_control(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') ||
	       c == 0x7f;
}

int ctg_text_guard_feed(struct ctg_text_guard *g, const char *p, size_t n)
{
	const char *end = p + n, *nl;

	if (g->problem)
		return -EBADMSG;
	for (size_t i = 0; g->off + i < TEXT_PROBE && i < n; i++)
		g->controls += is_control((unsigned char)p[i]);
	if (g->controls > 8)
		g->problem = CTG_TEXT_BINARY;
	for (; !g->problem && p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (g->run + (size_t)((nl ? nl : end) - p) > CTG_TEXT_MAX_LINE)
			g->problem = CTG_TEXT_LONG_LINE;
		else if (!nl)
			g->run += (size_t)(end - p);
		else {
			g->run = 0;
			g->line++;
		}
		if (!nl)
			break;
	}
	g->off += n;
	return g->problem ? -EBADMSG : 0;
}

int ctg_text_guard_diag(const struct ctg_text_guard *g, const char *name, struct ctg_diags *d)
{
	struct ctg_loc loc = {.src = name, .line = (uint32_t)g->line};

	if (g->problem == CTG_TEXT_BINARY)
		return ctg_diags_add(
			d, CTG_SEV_ERROR, "binary-input", &loc, NULL,
			"is it the right file? (a ruleset is iptables-save text)",
			"binary data, not text (NUL or control bytes); stopped reading");
	if (g->problem == CTG_TEXT_LONG_LINE)
		return ctg_diags_add(
			d, CTG_SEV_ERROR, "line-too-long", &loc, NULL, NULL,
			"line longer than %d bytes (no real rule or entry is); stopped "
			"reading",
			CTG_TEXT_MAX_LINE);
	return 0;
}

static int read_fd(int fd, char **buf, size_t *len, struct ctg_text_guard *g)
{
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap + 1);

	while (b) {
		ssize_t r;

		if (n == cap) {
			char *nb = realloc(b, cap * 2 + 1);

			if (!nb)
				break;
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0 && g && ctg_text_guard_feed(g, b + n, (size_t)r)) {
			free(b);
			return -EBADMSG;
		}
		if (r <= 0) {
			if (r < 0) {
				int e = errno;

				free(b);
				return -e;
			}
			b[n] = '\0';
			*buf = b;
			*len = n;
			return 0;
		}
		n += (size_t)r;
	}
	free(b);
	return -ENOMEM;
}

int ctg_file_read_text(const char *path, char **buf, size_t *len, struct ctg_text_guard *g)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	int ret;

	if (fd < 0)
		return -errno;
	ret = read_fd(fd, buf, len, g);
	if (fd)
		close(fd);
	return ret;
}

int ctg_file_read(const char *path, char **buf, size_t *len)
{
	return ctg_file_read_text(path, buf, len, NULL);
}

int ctg_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
	const char *slash = strrchr(path, '/');
	const char *p = data;
	char tmp[4096];
	int fd, rc = 0;

	if (slash)
		snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		snprintf(tmp, sizeof(tmp), ".%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, (mode_t)mode) < 0)
		rc = -errno;
	while (!rc && len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			rc = -errno;
		else {
			p += w;
			len -= (size_t)w;
		}
	}
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}
