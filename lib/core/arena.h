/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A bump allocator: many small objects, freed in one step. */
#ifndef CTG_ARENA_H
#define CTG_ARENA_H

#include <stddef.h>

struct ctg_arena;

struct ctg_arena *ctg_arena_new(size_t chunk_hint);
void ctg_arena_free(struct ctg_arena *a);
/* 16-byte aligned, uninitialised; NULL on ENOMEM. */
void *ctg_arena_alloc(struct ctg_arena *a, size_t n);
void *ctg_arena_zalloc(struct ctg_arena *a, size_t n);
char *ctg_arena_strdup(struct ctg_arena *a, const char *s);
char *ctg_arena_strndup(struct ctg_arena *a, const char *s, size_t n);
/* Interned string: equal strings give the same pointer. */
const char *ctg_arena_intern(struct ctg_arena *a, const char *s, size_t n);
size_t ctg_arena_bytes(const struct ctg_arena *a);
/* Asks for transparent huge pages on the whole 2 MiB pages inside [p, p + n) (one fault
 * and one zeroing per 2 MiB instead of 512): for big arrays filled from the start. */
void ctg_hint_huge(void *p, size_t n);
/* malloc() for big arrays filled from the start: from 2 MiB on, aligned to 2 MiB and
 * hinted for huge pages throughout. Freed with free(). NULL on ENOMEM. */
void *ctg_huge_alloc(size_t n);
/* realloc() of such an array whose first `used` bytes matter. NULL on ENOMEM (p kept). */
void *ctg_huge_realloc(void *p, size_t used, size_t n);

#endif
