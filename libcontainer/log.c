#include "config.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

enum log_level log_max_level = LOG_LVL_WARN;
static log_sink_fn sink;

void log_set_sink(log_sink_fn fn, enum log_level max)
{
    sink = fn;
    log_max_level = max;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (!sink || level > log_max_level)
        return;
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    sink(level, buf);
}
