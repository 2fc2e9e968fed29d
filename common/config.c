/* config.c - settings from flags, then HANGAR_* environment, then defaults. */
#include "common/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_help(const hg_setting_t *s, size_t n, const char *program) {
  printf("usage: %s [options]\n", program);
  for (size_t i = 0; i < n; i++)
    printf("  %-24s %s (env %s, default %s)\n", s[i].flag, s[i].help, s[i].env ? s[i].env : "-",
           s[i].def ? s[i].def : "none");
}

static const hg_setting_t *find_flag(const hg_setting_t *s, size_t n, const char *arg, size_t len) {
  for (size_t i = 0; i < n; i++)
    if (strlen(s[i].flag) == len && strncmp(s[i].flag, arg, len) == 0) return &s[i];
  return NULL;
}

static void apply_defaults(const hg_setting_t *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const char *env = s[i].env ? getenv(s[i].env) : NULL;
    *s[i].dst = (env && *env) ? env : s[i].def;
  }
}

int hg_config_parse(const hg_setting_t *s, size_t n, int argc, char **argv, const char *program,
                    char *err, size_t err_len) {
  apply_defaults(s, n);
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      print_help(s, n, program);
      return 1;
    }
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const hg_setting_t *set = find_flag(s, n, arg, len);
    if (!set) {
      snprintf(err, err_len, "unknown option '%s' (try --help)", arg);
      return -1;
    }
    if (eq) {
      *set->dst = eq + 1;
    } else if (i + 1 < argc) {
      *set->dst = argv[++i];
    } else {
      snprintf(err, err_len, "option '%s' needs a value", arg);
      return -1;
    }
  }
  return 0;
}

size_t hg_config_size(const char *value) {
  static const struct {
    char suffix;
    unsigned shift;
  } units[] = {{'\0', 0}, {'K', 10}, {'M', 20}, {'G', 30}};
  if (!value || *value < '0' || *value > '9') return 0;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(value, &end, 10);
  if (errno || v == 0) return 0;
  for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
    if (toupper((unsigned char)end[0]) != units[i].suffix || (end[0] && end[1])) continue;
    if (v > (SIZE_MAX >> units[i].shift)) return 0;
    return (size_t)v << units[i].shift;
  }
  return 0;
}

long long hg_config_int(const char *value) {
  if (!value || !*value) return -1;
  char *end;
  errno = 0;
  long long v = strtoll(value, &end, 10);
  if (errno || *end || v < 0) return -1;
  return v;
}
