/* markdown_ast.c - libcmark's tree -> Konnect ChildNode Structs.
 *
 * One table row per CommonMark node type: the spec's type name, an optional decorator that
 * adds the type's own keys, and whether the node lists its children. Line breaks are not
 * nodes in the spec's shape but flags on the text before them, so the children loop folds
 * them in. Recursion is bounded by PR_AST_MAX_DEPTH, so hostile nesting fails cleanly
 * instead of exhausting the stack. */
#include "products/markdown_ast.h"

#include <string.h>

#include <cmark.h>

#include "common/buf.h"
#include "rpc/rpc.h"

/* A node's children are a Struct field: map entry, Value, ListValue, Value, then the child
 * Struct, five message levels per AST level. In ApiProductDocument (level 1) the top nodes
 * are level 2 and a leaf's value (entry, Value) sits 5 * PR_AST_MAX_DEPTH - 1 deep, which
 * must stay within what the gateway's client decodes (RPC_MAX_DEPTH); at 48 it did not, and
 * such a document was stored but could never be read. The margin leaves room for one more
 * wrapping message. */
_Static_assert(5 * PR_AST_MAX_DEPTH - 1 + 10 <= RPC_MAX_DEPTH,
               "a document at PR_AST_MAX_DEPTH must decode within RPC_MAX_DEPTH");

typedef Google__Protobuf__Struct pb_struct_t;
typedef Google__Protobuf__Value pb_value_t;
typedef Google__Protobuf__Struct__FieldsEntry pb_entry_t;

#define NODE_MAX_FIELDS 6 /* type + at most four attributes + children */

typedef struct ast {
  hg_arena_t *a;
  size_t nodes;
  int err; /* the first PR_AST_* error, 0 while fine */
} ast_t;

static int fail(ast_t *t, int err) {
  if (!t->err) t->err = err;
  return t->err;
}

static void *fail_null(ast_t *t, int err) {
  fail(t, err);
  return NULL;
}

/* ---- Struct building ------------------------------------------------------------------ */

static pb_value_t *value_new(ast_t *t, Google__Protobuf__Value__KindCase kind) {
  pb_value_t *v = hg_arena_alloc(t->a, sizeof(*v));
  if (!v) return fail_null(t, PR_AST_ENOMEM);
  google__protobuf__value__init(v);
  v->kind_case = kind;
  return v;
}

static int put(ast_t *t, pb_struct_t *s, const char *key, pb_value_t *v) {
  pb_entry_t *e = hg_arena_alloc(t->a, sizeof(*e));
  if (!v || !e) return fail(t, PR_AST_ENOMEM);
  if (s->n_fields == NODE_MAX_FIELDS) return fail(t, PR_AST_TOO_COMPLEX);
  google__protobuf__struct__fields_entry__init(e);
  e->key = (char *)key; /* static key names; packing only reads them */
  e->value = v;
  s->fields[s->n_fields++] = e;
  return 0;
}

static int put_string(ast_t *t, pb_struct_t *s, const char *key, const char *text) {
  pb_value_t *v = value_new(t, GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE);
  if (v && !(v->string_value = hg_arena_strdup(t->a, text ? text : "")))
    return fail(t, PR_AST_ENOMEM);
  return put(t, s, key, v);
}

static int put_number(ast_t *t, pb_struct_t *s, const char *key, double x) {
  pb_value_t *v = value_new(t, GOOGLE__PROTOBUF__VALUE__KIND_NUMBER_VALUE);
  if (v) v->number_value = x;
  return put(t, s, key, v);
}

static int put_bool(ast_t *t, pb_struct_t *s, const char *key, int b) {
  pb_value_t *v = value_new(t, GOOGLE__PROTOBUF__VALUE__KIND_BOOL_VALUE);
  if (v) v->bool_value = b != 0;
  return put(t, s, key, v);
}

static int put_nodes(ast_t *t, pb_struct_t *s, const char *key, pb_struct_t **items, size_t n) {
  pb_value_t *v = value_new(t, GOOGLE__PROTOBUF__VALUE__KIND_LIST_VALUE);
  Google__Protobuf__ListValue *l = hg_arena_alloc(t->a, sizeof(*l));
  pb_value_t **values = hg_arena_alloc(t->a, (n ? n : 1) * sizeof(*values));
  if (!v || !l || !values) return fail(t, PR_AST_ENOMEM);
  google__protobuf__list_value__init(l);
  for (size_t i = 0; i < n; i++) {
    if (!(values[i] = value_new(t, GOOGLE__PROTOBUF__VALUE__KIND_STRUCT_VALUE))) return t->err;
    values[i]->struct_value = items[i];
  }
  l->values = values;
  l->n_values = n;
  v->list_value = l;
  return put(t, s, key, v);
}

static pb_struct_t *node_new(ast_t *t, const char *type) {
  if (++t->nodes > PR_AST_MAX_NODES) return fail_null(t, PR_AST_TOO_COMPLEX);
  pb_struct_t *s = hg_arena_alloc(t->a, sizeof(*s));
  pb_entry_t **fields = hg_arena_alloc(t->a, NODE_MAX_FIELDS * sizeof(*fields));
  if (!s || !fields) return fail_null(t, PR_AST_ENOMEM);
  google__protobuf__struct__init(s);
  s->fields = fields;
  return put_string(t, s, "type", type) ? NULL : s;
}

/* A text node no break has flagged yet (type and text are its only keys). */
static int is_plain_text(const pb_struct_t *s) {
  return s->n_fields == 2 && strcmp(s->fields[0]->value->string_value, "text") == 0;
}

/* ---- node decorators ------------------------------------------------------------------ */

typedef int (*decorate_fn)(ast_t *t, cmark_node *n, pb_struct_t *s);

/* children: [{type: text, text: <the node's literal>}] */
static int literal_child(ast_t *t, cmark_node *n, pb_struct_t *s) {
  pb_struct_t *child = node_new(t, "text");
  if (!child || put_string(t, child, "text", cmark_node_get_literal(n))) return t->err;
  return put_nodes(t, s, "children", &child, 1);
}

static int heading(ast_t *t, cmark_node *n, pb_struct_t *s) {
  return put_number(t, s, "level", cmark_node_get_heading_level(n));
}

static int list(ast_t *t, cmark_node *n, pb_struct_t *s) {
  return put_bool(t, s, "isOrdered", cmark_node_get_list_type(n) == CMARK_ORDERED_LIST);
}

/* lang: the first word of the fence's info string, when there is one. */
static int code_block(ast_t *t, cmark_node *n, pb_struct_t *s) {
  const char *info = cmark_node_get_fence_info(n);
  size_t len = info ? strcspn(info, " \t") : 0;
  if (len) {
    pb_value_t *v = value_new(t, GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE);
    if (v && !(v->string_value = hg_arena_strndup(t->a, info, len))) return fail(t, PR_AST_ENOMEM);
    if (put(t, s, "lang", v)) return t->err;
  }
  return literal_child(t, n, s);
}

static int text(ast_t *t, cmark_node *n, pb_struct_t *s) {
  return put_string(t, s, "text", cmark_node_get_literal(n));
}

static int italic(ast_t *t, cmark_node *n, pb_struct_t *s) {
  (void)n;
  return put_number(t, s, "level", 1);
}

static int bold(ast_t *t, cmark_node *n, pb_struct_t *s) {
  (void)n;
  return put_number(t, s, "level", 2);
}

static int put_title(ast_t *t, cmark_node *n, pb_struct_t *s) {
  const char *title = cmark_node_get_title(n);
  return title && *title ? put_string(t, s, "title", title) : 0;
}

static int link(ast_t *t, cmark_node *n, pb_struct_t *s) {
  if (put_string(t, s, "href", cmark_node_get_url(n))) return t->err;
  return put_title(t, n, s);
}

/* alt: the plain text of the image's description. */
static int image(ast_t *t, cmark_node *n, pb_struct_t *s) {
  hg_buf_t alt = HG_BUF_INIT;
  cmark_iter *it = cmark_iter_new(n);
  cmark_event_type ev;
  int rc = 0;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE && rc == 0) {
    cmark_node *c = cmark_iter_get_node(it);
    cmark_node_type ct = cmark_node_get_type(c);
    if (ev != CMARK_EVENT_ENTER || c == n) continue;
    if (ct == CMARK_NODE_TEXT || ct == CMARK_NODE_CODE)
      rc = hg_buf_puts(&alt, cmark_node_get_literal(c));
    if (ct == CMARK_NODE_SOFTBREAK || ct == CMARK_NODE_LINEBREAK) rc = hg_buf_putc(&alt, ' ');
  }
  cmark_iter_free(it);
  if (rc == 0 && put_string(t, s, "url", cmark_node_get_url(n)) == 0)
    rc = put_string(t, s, "alt", alt.p ? alt.p : "");
  hg_buf_free(&alt);
  if (rc) return fail(t, PR_AST_ENOMEM);
  return put_title(t, n, s);
}

static const struct kind {
  cmark_node_type type;
  const char *name;
  decorate_fn decorate;
  int children;
} kinds[] = {
    {CMARK_NODE_HEADING, "heading", heading, 1},
    {CMARK_NODE_BLOCK_QUOTE, "blockquote", NULL, 1},
    {CMARK_NODE_PARAGRAPH, "paragraph", NULL, 1},
    {CMARK_NODE_THEMATIC_BREAK, "break", NULL, 0},
    {CMARK_NODE_CODE_BLOCK, "code_block", code_block, 0},
    {CMARK_NODE_HTML_BLOCK, "text_block", literal_child, 0},
    {CMARK_NODE_LIST, "list", list, 1},
    {CMARK_NODE_ITEM, "list_item", NULL, 1},
    {CMARK_NODE_TEXT, "text", text, 0},
    {CMARK_NODE_HTML_INLINE, "text", text, 0},
    {CMARK_NODE_CODE, "code", literal_child, 0},
    {CMARK_NODE_EMPH, "emphasis", italic, 1},
    {CMARK_NODE_STRONG, "emphasis", bold, 1},
    {CMARK_NODE_LINK, "link", link, 1},
    {CMARK_NODE_IMAGE, "image", image, 0},
};

static const struct kind *kind_of(cmark_node_type type) {
  for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
    if (kinds[i].type == type) return &kinds[i];
  return NULL;
}

/* ---- conversion ----------------------------------------------------------------------- */

static int convert_children(ast_t *t, cmark_node *parent, int depth, pb_struct_t ***out,
                            size_t *n_out);

/* NULL with t->err set on failure; NULL with t->err 0 for a node type the shape lacks
 * (custom blocks and inlines, which the parser never produces). */
static pb_struct_t *convert(ast_t *t, cmark_node *n, int depth) {
  const struct kind *k = kind_of(cmark_node_get_type(n));
  pb_struct_t *s = k ? node_new(t, k->name) : NULL;
  pb_struct_t **children;
  size_t n_children;
  if (!s || (k->decorate && k->decorate(t, n, s))) return NULL;
  if (k->children && (convert_children(t, n, depth + 1, &children, &n_children) ||
                      put_nodes(t, s, "children", children, n_children)))
    return NULL;
  return s;
}

/* A line break flags the text before it (or a new empty text node). */
static int fold_break(ast_t *t, cmark_node_type type, pb_struct_t **items, size_t *n) {
  pb_struct_t *prev = *n ? items[*n - 1] : NULL;
  if (!prev || !is_plain_text(prev)) {
    if (!(prev = node_new(t, "text")) || put_string(t, prev, "text", "")) return t->err;
    items[(*n)++] = prev;
  }
  return put_bool(t, prev, type == CMARK_NODE_SOFTBREAK ? "softBreak" : "hardBreak", 1);
}

static int convert_children(ast_t *t, cmark_node *parent, int depth, pb_struct_t ***out,
                            size_t *n_out) {
  size_t cap = 0, n = 0;
  if (depth > PR_AST_MAX_DEPTH) return fail(t, PR_AST_TOO_COMPLEX);
  for (cmark_node *c = cmark_node_first_child(parent); c; c = cmark_node_next(c)) cap++;
  pb_struct_t **items = hg_arena_alloc(t->a, (cap ? cap : 1) * sizeof(*items));
  if (!items) return fail(t, PR_AST_ENOMEM);
  for (cmark_node *c = cmark_node_first_child(parent); c; c = cmark_node_next(c)) {
    cmark_node_type type = cmark_node_get_type(c);
    if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK) {
      if (fold_break(t, type, items, &n)) return t->err;
    } else if ((items[n] = convert(t, c, depth))) {
      n++;
    } else if (t->err) {
      return t->err;
    }
  }
  *out = items;
  *n_out = n;
  return 0;
}

int pr_markdown_ast(const char *text, size_t n, hg_arena_t *a, pb_struct_t ***nodes,
                    size_t *n_nodes) {
  ast_t t = {.a = a};
  pb_struct_t **items;
  size_t count;
  cmark_node *root = cmark_parse_document(text, n, CMARK_OPT_DEFAULT);
  if (!root) return PR_AST_ENOMEM;
  int rc = convert_children(&t, root, 1, &items, &count);
  cmark_node_free(root);
  if (rc) return rc;
  *nodes = items;
  *n_nodes = count;
  return 0;
}
