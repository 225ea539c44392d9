/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CTG_FILEIO_H
#define CTG_FILEIO_H

#include <stddef.h>

/*
 * Reads a whole file ("-" = standard input) into a malloc'd, NUL-terminated buffer.
 * Returns 0, or -errno (the file is not opened or not read; nothing is allocated).
 */
int ctg_file_read(const char *path, char **buf, size_t *len);

#endif
