/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CTG_FILEIO_H
#define CTG_FILEIO_H

#include <stddef.h>

/*
 * Reads a whole file ("-" = standard input) into a malloc'd, NUL-terminated buffer.
 * Returns 0, or -errno (the file is not opened or not read; nothing is allocated).
 */
int ctg_file_read(const char *path, char **buf, size_t *len);

/*
 * Replaces path atomically with len bytes of data: a new temporary file in the same
 * directory (mode), written, fsync'd, then renamed over path. Readers see the old or the
 * new content, never a part. Returns 0 or -errno (the temporary file is removed).
 */
int ctg_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode);

#endif
