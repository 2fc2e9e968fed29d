/* arena.c - bump allocation in growing blocks; one free releases everything.
 * Blocks double in size up to a cap so a request with many small allocations makes few
 * malloc calls, and a single large allocation gets a block of its own. */
#include "common/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_FIRST_BLOCK 4096
#define ARENA_MAX_BLOCK (256 * 1024)
#define ARENA_ALIGN 16

typedef struct block {
  struct block *next;
  size_t size; /* usable bytes after the header */
  size_t used;
  _Alignas(ARENA_ALIGN) unsigned char data[];
} block_t;

/* Allocations left before the injected failure on this thread; < 0 means never fail. */
static _Thread_local long fail_countdown = -1;

void hg_arena_test_fail_after(long n) { fail_countdown = n; }

struct hg_arena {
  block_t *head;
  size_t next_size;
};

hg_arena_t *hg_arena_new(void) {
  hg_arena_t *a = calloc(1, sizeof(*a));
  if (a) a->next_size = ARENA_FIRST_BLOCK;
  return a;
}

void hg_arena_free(hg_arena_t *a) {
  if (!a) return;
  block_t *b = a->head;
  while (b) {
    block_t *next = b->next;
    free(b);
    b = next;
  }
  free(a);
}

static block_t *arena_grow(hg_arena_t *a, size_t need) {
  size_t size = a->next_size;
  if (size < need) size = need;
  block_t *b = malloc(sizeof(*b) + size);
  if (!b) return NULL;
  b->size = size;
  b->used = 0;
  b->next = a->head;
  a->head = b;
  if (a->next_size < ARENA_MAX_BLOCK) a->next_size *= 2;
  return b;
}

void *hg_arena_alloc_uninit(hg_arena_t *a, size_t n) {
  if (fail_countdown >= 0 && fail_countdown-- == 0) {
    fail_countdown = 0; /* stays failed until the test resets it */
    return NULL;
  }
  if (n == 0) n = 1;
  if (n > SIZE_MAX - ARENA_ALIGN) return NULL;
  size_t rounded = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
  block_t *b = a->head;
  if (!b || b->size - b->used < rounded) {
    b = arena_grow(a, rounded);
    if (!b) return NULL;
  }
  void *p = b->data + b->used;
  b->used += rounded;
  return p;
}

void *hg_arena_alloc(hg_arena_t *a, size_t n) {
  void *p = hg_arena_alloc_uninit(a, n);
  if (p) memset(p, 0, n);
  return p;
}

void *hg_arena_memdup(hg_arena_t *a, const void *p, size_t n) {
  void *q = hg_arena_alloc_uninit(a, n);
  if (q && n) memcpy(q, p, n);
  return q;
}

char *hg_arena_strndup(hg_arena_t *a, const char *p, size_t n) {
  char *q = hg_arena_alloc_uninit(a, n + 1);
  if (!q) return NULL;
  if (n) memcpy(q, p, n);
  q[n] = '\0';
  return q;
}

char *hg_arena_strdup(hg_arena_t *a, const char *s) {
  return s ? hg_arena_strndup(a, s, strlen(s)) : NULL;
}

char *hg_arena_vsprintf(hg_arena_t *a, const char *fmt, va_list ap) {
  va_list cp;
  va_copy(cp, ap);
  int n = vsnprintf(NULL, 0, fmt, cp);
  va_end(cp);
  if (n < 0) return NULL;
  char *q = hg_arena_alloc(a, (size_t)n + 1);
  if (q) vsnprintf(q, (size_t)n + 1, fmt, ap);
  return q;
}

char *hg_arena_sprintf(hg_arena_t *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *q = hg_arena_vsprintf(a, fmt, ap);
  va_end(ap);
  return q;
}

static void *pbc_alloc(void *data, size_t size) { return hg_arena_alloc(data, size); }
static void pbc_free(void *data, void *p) {
  (void)data; /* arena memory is released with the arena */
  (void)p;
}

ProtobufCAllocator hg_arena_pbc_allocator(hg_arena_t *a) {
  return (ProtobufCAllocator){.alloc = pbc_alloc, .free = pbc_free, .allocator_data = a};
}
