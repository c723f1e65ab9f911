/* Paths as profile models them (ktrace_path.c). */
#ifndef OCI_KTRACE_PATH_H
#define OCI_KTRACE_PATH_H

#include <stdbool.h>

/* Paths: normalize an absolute path in place ("//", ".", ".."). */
void kt_path_normalize(char *p);
/* Is path equal to or below dir? */
bool kt_path_under(const char *path, const char *dir);

#endif
