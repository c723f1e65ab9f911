/* Paths as profile models them: absolute, normalized, compared by prefix. */
#include "config.h"
#include "ktrace_path.h"

#include <string.h>

void kt_path_normalize(char *p)
{
    char *out = p, *s = p;
    if (*s != '/')
        return;
    while (*s) {
        while (*s == '/')
            s++;
        char *e = strchrnul(s, '/');
        size_t n = (size_t)(e - s);
        if (n == 0 || (n == 1 && s[0] == '.')) {
            /* skip */
        } else if (n == 2 && s[0] == '.' && s[1] == '.') {
            while (out > p && *--out != '/')
                ;
        } else {
            *out++ = '/';
            memmove(out, s, n);
            out += n;
        }
        s = e;
    }
    if (out == p)
        *out++ = '/';
    *out = '\0';
}

bool kt_path_under(const char *path, const char *dir)
{
    if (!path || !dir)
        return false;
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 1 && dir[0] == '/')
        return path[0] == '/';
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}
