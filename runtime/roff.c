/* Writing man pages (roff): escaping, the title, an option. */
#include "config.h"
#include "roff.h"

#include <ctype.h>
#include <stdbool.h>

void roff_text(FILE *f, const char *s)
{
    bool bol = true;
    for (; *s; s++) {
        if (bol && (*s == '.' || *s == '\''))
            fputs("\\&", f);
        bol = *s == '\n';
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else
            fputc(*s, f);
    }
}

void roff_header(FILE *f, const char *page, const char *name, const char *what)
{
    fputs(".\\\" generated from the option tables that print --help: do not edit\n.TH ", f);
    for (const char *p = page; *p; p++)
        if (*p == '-')
            fputs("\\-", f);
        else
            fputc(toupper((unsigned char)*p), f);
    /* no hyphenation, ragged right: option names stay whole */
    fputs(" 8 \"\" \"oci\\-rt " PACKAGE_VERSION "\" \"System Administration\"\n.nh\n.ad l\n"
          ".SH NAME\n",
          f);
    roff_text(f, name);
    fputs(" \\- ", f);
    roff_text(f, what);
    fputc('\n', f);
}

void roff_option(FILE *f, char short_name, const char *name, const char *arg, const char *help)
{
    fputs(".TP\n", f);
    if (short_name)
        fprintf(f, "\\fB\\-%c\\fR, ", short_name);
    fputs("\\fB\\-\\-", f);
    roff_text(f, name);
    fputs("\\fR", f);
    if (arg) {
        fputs(" \\fI", f);
        roff_text(f, arg);
        fputs("\\fR", f);
    }
    fputc('\n', f);
    roff_text(f, help);
    fputc('\n', f);
}
