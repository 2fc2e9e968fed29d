/* arena.h - per-request bump allocator.
 *
 * Owns: every block it hands out; all are released together by hg_arena_free().
 * Does not own: anything the caller stores in it by pointer.
 * Threads: an arena is used by one thread at a time; no internal locking.
 * Each gateway request and each rpc_ctx_t owns exactly one arena, released in one place. */
#ifndef HANGAR_ARENA_H
#define HANGAR_ARENA_H

#include <stdarg.h>
#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

typedef struct hg_arena hg_arena_t;

/* New arena; NULL on allocation failure. Free with hg_arena_free(). */
hg_arena_t *hg_arena_new(void);
void hg_arena_free(hg_arena_t *a);

/* 16-byte aligned, zero-filled memory valid until hg_arena_free(); NULL on failure. */
void *hg_arena_alloc(hg_arena_t *a, size_t n);
/* The same, not zero-filled: for a large struct its filler writes whole (a principal of
 * about 11 KB, filled per request, cost more to clear than to use). */
void *hg_arena_alloc_uninit(hg_arena_t *a, size_t n);
void *hg_arena_memdup(hg_arena_t *a, const void *p, size_t n);
/* NUL-terminated copy of p[0..n). */
char *hg_arena_strndup(hg_arena_t *a, const char *p, size_t n);
char *hg_arena_strdup(hg_arena_t *a, const char *s);
char *hg_arena_sprintf(hg_arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *hg_arena_vsprintf(hg_arena_t *a, const char *fmt, va_list ap);

/* Test seam (SQLite's test_malloc): after n more successful allocations on the calling
 * thread, every arena allocation on that thread fails until reset with n < 0. */
void hg_arena_test_fail_after(long n);

/* A protobuf-c allocator drawing from the arena (free is a no-op), for
 * protobuf_c_message_unpack(). Valid while the arena lives. */
ProtobufCAllocator hg_arena_pbc_allocator(hg_arena_t *a);

#endif
