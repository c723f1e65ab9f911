/* Writing JSON strings by hand, where a yajl generator would be too much
 * (one log line, one span line). */
#ifndef OCI_SPECS_JSONOUT_H
#define OCI_SPECS_JSONOUT_H

#include <stdio.h>

/* s as a quoted, escaped JSON string. */
void spec_json_fputs(FILE *f, const char *s);

#endif
