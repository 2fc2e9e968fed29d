/* media.c - Content-Type and Accept matching (see media.h). */
#include "gateway/media.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#define OWS " \t"

/* [p, *end) trimmed of optional whitespace: the type of one media range (before ';'). */
static const char *type_span(const char *p, const char *stop, size_t *n) {
  p += strspn(p, OWS);
  const char *semi = memchr(p, ';', (size_t)(stop - p));
  const char *e = semi ? semi : stop;
  while (e > p && (e[-1] == ' ' || e[-1] == '\t')) e--;
  *n = (size_t)(e - p);
  return p;
}

int gw_media_is_json(const char *content_type) {
  static const char app[] = "application/", suffix[] = "+json";
  size_t n;
  if (!content_type) return 0;
  const char *t = type_span(content_type, content_type + strlen(content_type), &n);
  if (n == strlen("application/json") && strncasecmp(t, "application/json", n) == 0) return 1;
  return n > strlen(app) + strlen(suffix) && strncasecmp(t, app, strlen(app)) == 0 &&
         strncasecmp(t + n - strlen(suffix), suffix, strlen(suffix)) == 0;
}

int gw_media_is_yaml(const char *content_type) {
  static const char *const types[] = {"application/yaml", "application/x-yaml", "text/yaml",
                                      "text/x-yaml"};
  size_t n;
  if (!content_type) return 0;
  const char *t = type_span(content_type, content_type + strlen(content_type), &n);
  for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
    if (n == strlen(types[i]) && strncasecmp(t, types[i], n) == 0) return 1;
  return 0;
}

/* Does the parameter list [p, stop) of one media range hold q=0 (0, 0.0, 0.00, 0.000)? */
static int q_zero(const char *p, const char *stop) {
  for (const char *s = memchr(p, ';', (size_t)(stop - p)); s;
       s = memchr(s + 1, ';', (size_t)(stop - s - 1))) {
    const char *k = s + 1 + strspn(s + 1, OWS);
    if (stop - k < 2 || (k[0] != 'q' && k[0] != 'Q') || k[1] != '=') continue;
    const char *v = k + 2;
    size_t digits = strspn(v, "0."), len = 0;
    while (v + len < stop && v[len] != ';' && v[len] != ' ' && v[len] != '\t') len++;
    return len > 0 && digits >= len && v[0] == '0';
  }
  return 0;
}

int gw_media_accepts(const char *accept, const char *type) {
  size_t want = strlen(type);
  if (!accept) return 0;
  for (const char *p = accept; *p;) {
    const char *comma = strchr(p, ',');
    const char *stop = comma ? comma : p + strlen(p);
    size_t n;
    const char *t = type_span(p, stop, &n);
    if (n == want && strncasecmp(t, type, n) == 0 && !q_zero(t, stop)) return 1;
    p = comma ? comma + 1 : stop;
  }
  return 0;
}
