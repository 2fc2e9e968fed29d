/* errlist.h - a module's error list written once (STYLE.md rule 4, after libuv's
 * UV_ERRNO_MAP): the list is an X-macro whose rows begin (name, value, text), and these row
 * macros turn it into the enum and the bodies of the module's _strerror() and _err_name().
 * Columns after the text are the module's own (the store's gRPC code).
 *
 *   #define FOO_ERRORS(XX) XX(FOO_EBAD, -1, "bad input") XX(FOO_ENOMEM, -2, "out of memory")
 *   typedef enum { FOO_ERRORS(HG_ERR_ENUM) } foo_errno_t;          (the header)
 *   HG_ERR_FUNCTIONS(foo_strerror, foo_err_name, FOO_ERRORS,      (one .c file)
 *                    "unknown foo error", "FOO_UNKNOWN")
 *
 * Owns nothing: macros only. */
#ifndef HANGAR_ERRLIST_H
#define HANGAR_ERRLIST_H

/* A switch case answering the row's name ("FOO_EBAD"). */
#define HG_ERR_NAME_CASE(name, ...)                                                                \
  case name: return #name;
/* A switch case answering the row's text. */
#define HG_ERR_TEXT_CASE(name, value, text, ...)                                                   \
  case name: return text;
/* An enumerator: name = value. */
#define HG_ERR_ENUM(name, value, ...) name = value,
/* Defines `const char *strerror_fn(int err)` and `const char *name_fn(int err)`: the listed
 * text and name of err, and for any other value the fallback expressions (which may use
 * err, e.g. to ask another module's list). */
#define HG_ERR_FUNCTIONS(strerror_fn, name_fn, LIST, text_fallback, name_fallback)                 \
  const char *strerror_fn(int err) {                                                               \
    switch (err) { LIST(HG_ERR_TEXT_CASE) }                                                        \
    return text_fallback;                                                                          \
  }                                                                                                \
  const char *name_fn(int err) {                                                                   \
    switch (err) { LIST(HG_ERR_NAME_CASE) }                                                        \
    return name_fallback;                                                                          \
  }

#endif
