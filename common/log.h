/* log.h - one-line structured logs to stderr: time, level, module, request id, message.
 *
 * Threads: any (each line is written with one write(2)). The level is set once at start. */
#ifndef HANGAR_LOG_H
#define HANGAR_LOG_H

typedef enum {
  HG_LOG_DEBUG = 0,
  HG_LOG_INFO = 1,
  HG_LOG_WARN = 2,
  HG_LOG_ERROR = 3
} hg_log_level_t;

/* "debug", "info", "warn", "error"; returns -1 for anything else. */
int hg_log_parse_level(const char *s);
void hg_log_set_level(hg_log_level_t level);
/* module: "store", "rpc", "gateway" ...; reqid may be NULL. */
void hg_log(hg_log_level_t level, const char *module, const char *reqid, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define HG_DEBUG(mod, rid, ...) hg_log(HG_LOG_DEBUG, mod, rid, __VA_ARGS__)
#define HG_INFO(mod, rid, ...) hg_log(HG_LOG_INFO, mod, rid, __VA_ARGS__)
#define HG_WARN(mod, rid, ...) hg_log(HG_LOG_WARN, mod, rid, __VA_ARGS__)
#define HG_ERROR(mod, rid, ...) hg_log(HG_LOG_ERROR, mod, rid, __VA_ARGS__)

#endif
