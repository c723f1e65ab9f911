/* Writing man pages (roff): what oci-rt's and oci-bench's generated pages
 * share. */
#ifndef OCI_ROFF_H
#define OCI_ROFF_H

#include <stdio.h>

/* s as roff text: backslashes and hyphens escaped, a line that would start
 * with a control character protected. */
void roff_text(FILE *f, const char *s);
/* ".TH" and the NAME section: "name \- what"; page in capitals in the
 * title; section 8. */
void roff_header(FILE *f, const char *page, const char *name, const char *what);
/* One option as a tagged paragraph: "-s, --name ARG" and its help. */
void roff_option(FILE *f, char short_name, const char *name, const char *arg, const char *help);

#endif
