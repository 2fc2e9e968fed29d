/* rpc_descriptors.c - an index over a FileDescriptorSet: the questions server reflection
 * asks of it (which file has this name, defines this symbol or this extension; which files
 * does it import).
 *
 * Each file keeps its serialized FileDescriptorProto as it came in the set (reflection
 * sends those bytes on unchanged); the set is unpacked only while the index is built. A
 * service's set is several protoc sets concatenated, so a file imported by two of them
 * comes twice: the first copy is kept. Symbols are scoped as protobuf's DescriptorPool
 * scopes them: "pkg.Message", "pkg.Message.field", "pkg.Message.Nested", "pkg.Service",
 * "pkg.Service.Method", and an enum value beside its enum ("pkg.VALUE", not
 * "pkg.Enum.VALUE"). They are sorted once and found by binary search. */
#include <stdlib.h>
#include <string.h>

#include "google/protobuf/descriptor.pb-c.h"
#include "common/wire.h"
#include "rpc/rpc_internal.h"

typedef Google__Protobuf__FileDescriptorProto file_proto_t;
typedef Google__Protobuf__DescriptorProto message_proto_t;
typedef Google__Protobuf__EnumDescriptorProto enum_proto_t;
typedef Google__Protobuf__FieldDescriptorProto field_proto_t;

typedef struct file {
  char *name;
  ProtobufCBinaryData bytes; /* borrowed from the set */
  int *deps;                 /* indexes of the files it imports (those in the set) */
  size_t n_deps;
} file_t;

typedef struct symbol {
  char *name;
  int file;
  int is_message;
} symbol_t;

typedef struct extension {
  char *extendee; /* fully qualified, no leading dot */
  int32_t number;
  int file;
} extension_t;

struct rpc__descriptors {
  file_t *files;
  size_t n_files;
  symbol_t *symbols;
  size_t n_symbols, cap_symbols;
  extension_t *extensions;
  size_t n_extensions, cap_extensions;
};

void rpc__descriptors_free(rpc__descriptors_t *d) {
  if (!d) return;
  for (size_t i = 0; i < d->n_files; i++) {
    free(d->files[i].name);
    free(d->files[i].deps);
  }
  for (size_t i = 0; i < d->n_symbols; i++) free(d->symbols[i].name);
  for (size_t i = 0; i < d->n_extensions; i++) free(d->extensions[i].extendee);
  free(d->files);
  free(d->symbols);
  free(d->extensions);
  free(d);
}

/* ---- reading the set ------------------------------------------------------------------- */

/* The next file of the set (field 1, length-delimited) at set[*i..n); 1, 0 at the end, -1
 * when the bytes are not a FileDescriptorSet. */
static int next_file(const uint8_t *set, size_t n, size_t *i, ProtobufCBinaryData *out) {
  hg_wire_field_t f;
  int rc = hg_wire_next(set, n, i, &f);
  if (rc != 1) return rc;
  if (f.number != 1 || f.type != HG_WIRE_LEN) return -1;
  out->data = (uint8_t *)f.p;
  out->len = f.n;
  return 1;
}

/* ---- symbols --------------------------------------------------------------------------- */

static char *join(const char *scope, const char *name) {
  size_t a = strlen(scope), b = strlen(name);
  char *s = malloc(a + b + 2);
  if (!s) return NULL;
  memcpy(s, scope, a);
  if (a) s[a++] = '.';
  memcpy(s + a, name, b + 1);
  return s;
}

/* Adds scope.name for file; takes the joined name. 0 or -1. */
static int add_symbol(rpc__descriptors_t *d, const char *scope, const char *name, int file,
                      int is_message) {
  char *full;
  if (!name) return 0; /* a nameless entry defines nothing that can be asked for */
  if (d->n_symbols == d->cap_symbols) {
    size_t cap = d->cap_symbols ? d->cap_symbols * 2 : 64;
    symbol_t *grown = realloc(d->symbols, cap * sizeof *grown);
    if (!grown) return -1;
    d->symbols = grown;
    d->cap_symbols = cap;
  }
  if (!(full = join(scope, name))) return -1;
  d->symbols[d->n_symbols++] = (symbol_t){full, file, is_message};
  return 0;
}

static int add_extension(rpc__descriptors_t *d, const char *scope, const field_proto_t *f,
                         int file) {
  const char *extendee = f->extendee;
  if (!extendee || !f->has_number) return 0;
  if (extendee[0] == '.') extendee++;
  if (add_symbol(d, scope, f->name, file, 0) != 0) return -1;
  if (d->n_extensions == d->cap_extensions) {
    size_t cap = d->cap_extensions ? d->cap_extensions * 2 : 16;
    extension_t *grown = realloc(d->extensions, cap * sizeof *grown);
    if (!grown) return -1;
    d->extensions = grown;
    d->cap_extensions = cap;
  }
  char *copy = strdup(extendee);
  if (!copy) return -1;
  d->extensions[d->n_extensions++] = (extension_t){copy, f->number, file};
  return 0;
}

static int index_enum(rpc__descriptors_t *d, const char *scope, const enum_proto_t *e, int file) {
  if (add_symbol(d, scope, e->name, file, 0) != 0) return -1;
  for (size_t i = 0; i < e->n_value; i++)
    if (add_symbol(d, scope, e->value[i]->name, file, 0) != 0) return -1;
  return 0;
}

static int index_message(rpc__descriptors_t *d, const char *scope, const message_proto_t *m,
                         int file) {
  char *full;
  int rc = -1;
  if (!m->name) return 0;
  if (add_symbol(d, scope, m->name, file, 1) != 0 || !(full = join(scope, m->name))) return -1;
  for (size_t i = 0; i < m->n_field; i++)
    if (add_symbol(d, full, m->field[i]->name, file, 0) != 0) goto out;
  for (size_t i = 0; i < m->n_oneof_decl; i++)
    if (add_symbol(d, full, m->oneof_decl[i]->name, file, 0) != 0) goto out;
  for (size_t i = 0; i < m->n_nested_type; i++)
    if (index_message(d, full, m->nested_type[i], file) != 0) goto out;
  for (size_t i = 0; i < m->n_enum_type; i++)
    if (index_enum(d, full, m->enum_type[i], file) != 0) goto out;
  for (size_t i = 0; i < m->n_extension; i++)
    if (add_extension(d, full, m->extension[i], file) != 0) goto out;
  rc = 0;
out:
  free(full);
  return rc;
}

static int index_file(rpc__descriptors_t *d, const file_proto_t *f, int file) {
  const char *pkg = f->package ? f->package : "";
  for (size_t i = 0; i < f->n_message_type; i++)
    if (index_message(d, pkg, f->message_type[i], file) != 0) return -1;
  for (size_t i = 0; i < f->n_enum_type; i++)
    if (index_enum(d, pkg, f->enum_type[i], file) != 0) return -1;
  for (size_t i = 0; i < f->n_extension; i++)
    if (add_extension(d, pkg, f->extension[i], file) != 0) return -1;
  for (size_t i = 0; i < f->n_service; i++) {
    const Google__Protobuf__ServiceDescriptorProto *s = f->service[i];
    char *full;
    if (!s->name) continue;
    if (add_symbol(d, pkg, s->name, file, 0) != 0 || !(full = join(pkg, s->name))) return -1;
    for (size_t k = 0; k < s->n_method; k++)
      if (add_symbol(d, full, s->method[k]->name, file, 0) != 0) {
        free(full);
        return -1;
      }
    free(full);
  }
  return 0;
}

static int symbol_cmp(const void *a, const void *b) {
  return strcmp(((const symbol_t *)a)->name, ((const symbol_t *)b)->name);
}

/* ---- building -------------------------------------------------------------------------- */

static int file_index(const rpc__descriptors_t *d, const char *name) {
  for (size_t i = 0; i < d->n_files; i++)
    if (strcmp(d->files[i].name, name) == 0) return (int)i;
  return -1;
}

/* Unpacks every file of the set into protos (the first copy of each name), recording its
 * name and bytes. 0 or -1. */
static int load_files(rpc__descriptors_t *d, const rpc_descriptor_set_t *set,
                      file_proto_t ***protos) {
  ProtobufCBinaryData bytes;
  size_t cap = 0, at = 0;
  int more;
  while ((more = next_file(set->bytes, set->len, &at, &bytes)) == 1) {
    file_proto_t *f = google__protobuf__file_descriptor_proto__unpack(NULL, bytes.len, bytes.data);
    if (!f || !f->name) {
      if (f) google__protobuf__file_descriptor_proto__free_unpacked(f, NULL);
      return -1;
    }
    if (file_index(d, f->name) >= 0) { /* a later copy of a shared import */
      google__protobuf__file_descriptor_proto__free_unpacked(f, NULL);
      continue;
    }
    if (d->n_files == cap) {
      cap = cap ? cap * 2 : 16;
      file_t *files = realloc(d->files, cap * sizeof *files);
      file_proto_t **grown = realloc(*protos, cap * sizeof *grown);
      if (files) d->files = files;
      if (grown) *protos = grown;
      if (!files || !grown) {
        google__protobuf__file_descriptor_proto__free_unpacked(f, NULL);
        return -1;
      }
    }
    (*protos)[d->n_files] = f;
    d->files[d->n_files] = (file_t){strdup(f->name), bytes, NULL, 0};
    if (!d->files[d->n_files++].name) return -1;
  }
  return more;
}

/* Resolves each file's imports to indexes (an import missing from the set is left out). */
static int link_deps(rpc__descriptors_t *d, file_proto_t **protos) {
  for (size_t i = 0; i < d->n_files; i++) {
    file_t *f = &d->files[i];
    if (protos[i]->n_dependency == 0) continue;
    if (!(f->deps = calloc(protos[i]->n_dependency, sizeof *f->deps))) return -1;
    for (size_t k = 0; k < protos[i]->n_dependency; k++) {
      int dep = file_index(d, protos[i]->dependency[k]);
      if (dep >= 0) f->deps[f->n_deps++] = dep;
    }
  }
  return 0;
}

int rpc__descriptors_new(const rpc_descriptor_set_t *set, rpc__descriptors_t **out) {
  rpc__descriptors_t *d;
  file_proto_t **protos = NULL;
  int rc = -1;
  if (!set || !set->bytes || !out || !(d = calloc(1, sizeof *d))) return -1;
  if (load_files(d, set, &protos) != 0 || d->n_files == 0 || link_deps(d, protos) != 0) goto out;
  for (size_t i = 0; i < d->n_files; i++)
    if (index_file(d, protos[i], (int)i) != 0) goto out;
  qsort(d->symbols, d->n_symbols, sizeof *d->symbols, symbol_cmp);
  rc = 0;
out:
  for (size_t i = 0; i < d->n_files && protos; i++)
    google__protobuf__file_descriptor_proto__free_unpacked(protos[i], NULL);
  free(protos);
  if (rc != 0)
    rpc__descriptors_free(d);
  else
    *out = d;
  return rc;
}

/* ---- questions ------------------------------------------------------------------------- */

int rpc__descriptors_file(const rpc__descriptors_t *d, const char *name) {
  return name ? file_index(d, name) : -1;
}

static const symbol_t *find_symbol(const rpc__descriptors_t *d, const char *name) {
  symbol_t key = {(char *)name, 0, 0};
  if (!name) return NULL;
  return bsearch(&key, d->symbols, d->n_symbols, sizeof *d->symbols, symbol_cmp);
}

int rpc__descriptors_symbol(const rpc__descriptors_t *d, const char *symbol) {
  const symbol_t *s = find_symbol(d, symbol);
  return s ? s->file : -1;
}

int rpc__descriptors_extension(const rpc__descriptors_t *d, const char *type, int32_t number) {
  if (!type) return -1;
  for (size_t i = 0; i < d->n_extensions; i++)
    if (d->extensions[i].number == number && strcmp(d->extensions[i].extendee, type) == 0)
      return d->extensions[i].file;
  return -1;
}

int rpc__descriptors_extension_numbers(const rpc__descriptors_t *d, const char *type, hg_arena_t *a,
                                       int32_t **out) {
  const symbol_t *s = find_symbol(d, type);
  int32_t *nums;
  int n = 0;
  if (!s || !s->is_message) return -1;
  if (!(nums = hg_arena_alloc(a, (d->n_extensions + 1) * sizeof *nums))) return -1;
  for (size_t i = 0; i < d->n_extensions; i++)
    if (strcmp(d->extensions[i].extendee, type) == 0) nums[n++] = d->extensions[i].number;
  *out = n ? nums : NULL;
  return n;
}

int rpc__descriptors_closure(const rpc__descriptors_t *d, int file, hg_arena_t *a,
                             ProtobufCBinaryData **out) {
  /* Breadth-first over imports; the order array doubles as the queue. */
  int *order = hg_arena_alloc(a, d->n_files * sizeof *order);
  char *seen = hg_arena_alloc(a, d->n_files);
  ProtobufCBinaryData *files = hg_arena_alloc(a, d->n_files * sizeof *files);
  size_t n = 0;
  if (!order || !seen || !files || file < 0 || (size_t)file >= d->n_files) return -1;
  order[n++] = file;
  seen[file] = 1;
  for (size_t i = 0; i < n; i++) {
    const file_t *f = &d->files[order[i]];
    files[i] = f->bytes;
    for (size_t k = 0; k < f->n_deps; k++)
      if (!seen[f->deps[k]]) {
        seen[f->deps[k]] = 1;
        order[n++] = f->deps[k];
      }
  }
  *out = files;
  return (int)n;
}
