/* libcontainer never prints: warnings and debug lines go to the sink the
 * command line installs (stderr, --log FILE, json or text). */
#ifndef OCI_LOG_H
#define OCI_LOG_H

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

typedef void (*log_sink_fn)(enum log_level level, const char *msg);
void log_set_sink(log_sink_fn fn, enum log_level max);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
extern enum log_level log_max_level;

#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_debug(...)                                                                             \
    do {                                                                                           \
        if (log_max_level >= LOG_LVL_DEBUG)                                                        \
            log_msg(LOG_LVL_DEBUG, __VA_ARGS__);                                                   \
    } while (0)

#endif
