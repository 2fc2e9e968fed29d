/* config.h - process settings from command-line flags and HANGAR_* environment variables.
 *
 * A program declares its settings as a table; a flag beats the environment, which beats the
 * default. Values are borrowed from argv/environ or the table's default literal.
 * Threads: call from main() before starting threads. */
#ifndef HANGAR_CONFIG_H
#define HANGAR_CONFIG_H

#include <stddef.h>

typedef struct hg_setting {
  const char *flag; /* "--listen" (takes one value: "--listen X" or "--listen=X") */
  const char *env;  /* "HANGAR_LISTEN", or NULL */
  const char *def;  /* default, or NULL */
  const char *help;
  const char **dst; /* receives the value */
} hg_setting_t;

/* Parses argv. Returns 0, 1 when --help was printed (caller exits 0), or -1 with a message
 * in err for an unknown flag or a missing value. */
int hg_config_parse(const hg_setting_t *settings, size_t n, int argc, char **argv,
                    const char *program, char *err, size_t err_len);
/* Parse a non-negative integer setting; -1 on bad text. */
long long hg_config_int(const char *value);
/* Parse a size in bytes with an optional K, M or G suffix (either case; powers of 1024: "64G", "1m",
 * "4096"); 0 on bad text, zero or a size that does not fit a size_t. */
size_t hg_config_size(const char *value);

#endif
