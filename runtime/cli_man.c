/* The man pages, written from the tables that print --help (so the two
 * cannot disagree): oci-rt(8) with the global options and the commands, and
 * oci-rt-COMMAND(8) with a command's options. make runs
 * `oci-rt --generate-docs DIR` to write them. */
#include "config.h"
#include "cli.h"
#include "roff.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void man_opts(FILE *f, const struct cli_opt *o)
{
    for (; o && o->name; o++)
        roff_option(f, o->short_name, o->name, o->arg, o->help);
}

/* The usage of a command, one synopsis line per alternative ("\n" in the
 * table, where the continuation repeats "oci-rt NAME"). */
static void man_synopsis(FILE *f, const struct cli_cmd *cmd)
{
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "oci-rt %s ", cmd->name);
    fputs(".SH SYNOPSIS\n", f);
    const char *u = cmd->usage;
    for (bool first = true; u; first = false) {
        const char *nl = strchr(u, '\n');
        size_t n = nl ? (size_t)(nl - u) : strlen(u);
        while (n && *u == ' ')
            u++, n--;
        if (n >= strlen(prefix) && !strncmp(u, prefix, strlen(prefix)))
            u += strlen(prefix), n -= strlen(prefix);
        char line[512];
        snprintf(line, sizeof(line), "%.*s", (int)n, u);
        fputs(first ? "" : ".br\n", f);
        fputs("\\fBoci\\-rt\\fR [\\fIGLOBAL OPTIONS\\fR] \\fB", f);
        roff_text(f, cmd->name);
        fputs("\\fR ", f);
        roff_text(f, line);
        fputc('\n', f);
        u = nl ? nl + 1 : NULL;
    }
}

static FILE *open_page(const char *dir, const char *page, char *path, size_t size)
{
    snprintf(path, size, "%s/%s.8", dir, page);
    FILE *f = fopen(path, "we");
    if (!f)
        cli_failf("%s: %s", path, strerror(errno));
    return f;
}

static int close_page(FILE *f, const char *path)
{
    bool bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return cli_failf("%s: write error", path), -1;
    return 0;
}

static int write_cmd_page(const char *dir, const struct cli_cmd *cmd)
{
    char page[64], path[4096];
    snprintf(page, sizeof(page), "oci-rt-%s", cmd->name);
    FILE *f = open_page(dir, page, path, sizeof(path));
    if (!f)
        return -1;
    roff_header(f, page, page, cmd->summary);
    man_synopsis(f, cmd);
    fputs(".SH DESCRIPTION\n\\fBoci\\-rt ", f);
    roff_text(f, cmd->name);
    fputs("\\fR: ", f);
    roff_text(f, cmd->summary);
    fputs(".\n.PP\nThe global options, which come before the command, are described in\n"
          ".BR oci\\-rt (8).\n.SH OPTIONS\n",
          f);
    man_opts(f, cmd->opts);
    man_opts(f, cli_help_opts);
    fputs(".SH SEE ALSO\n.BR oci\\-rt (8)\n", f);
    return close_page(f, path);
}

static const char main_description[] =
    "It implements the lifecycle of the OCI runtime specification (create, start, state, kill,\n"
    "delete) on a bundle's config.json, with a command line that takes runc's and crun's\n"
    "options, so that Docker, Podman, containerd and CRI-O can run it in their place.\n"
    "Every command has a page of its own, named below; \\fBoci\\-rt\\fR \\fICOMMAND\\fR\n"
    "\\fB\\-\\-help\\fR prints the same options.\n";

static const char main_rest[] =
    ".SH ENVIRONMENT\n"
    ".TP\n.B OCI_RT_TRACE\nA trace file, as \\fB\\-\\-trace\\fR gives one.\n"
    ".TP\n.B XDG_RUNTIME_DIR\nThe state directory of a user other than root is "
    "\\fI$XDG_RUNTIME_DIR/oci\\-rt\\fR.\n"
    ".TP\n.B NOTIFY_SOCKET\n\\fBcreate\\fR, \\fBrun\\fR, \\fBrestore\\fR and \\fBstart\\fR pass "
    "systemd's "
    "notification socket on to the container.\n"
    ".TP\n.BR LISTEN_FDS \", \" LISTEN_PID\n\\fBcreate\\fR, \\fBrun\\fR and \\fBrestore\\fR pass "
    "socket-activated "
    "file descriptors on to the container.\n"
    ".SH FILES\n"
    ".TP\n.I /run/oci\\-rt\nThe state directory of root (\\fB\\-\\-root\\fR chooses another): "
    "one directory per container.\n"
    ".SH EXIT STATUS\n"
    "0 on success and 1 after an error, which is one line on standard error naming the object\n"
    "and the cause. \\fBrun\\fR in the foreground and \\fBexec\\fR exit with the status of the\n"
    "container's process (126 or 127 when its program could not be executed).\n";

static int write_main_page(const char *dir)
{
    char path[4096];
    FILE *f = open_page(dir, "oci-rt", path, sizeof(path));
    if (!f)
        return -1;
    roff_header(f, "oci-rt", "oci-rt", "an OCI container runtime");
    fputs(".SH SYNOPSIS\n\\fBoci\\-rt\\fR [\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR "
          "[\\fIOPTIONS\\fR] [\\fIARGS\\fR]\n.SH DESCRIPTION\n",
          f);
    roff_text(f, cli_about);
    fputc('\n', f);
    fputs(main_description, f);
    fputs(".SH COMMANDS\n", f);
    for (const struct cli_cmd *const *c = cli_commands; *c; c++) {
        fputs(".TP\n\\fB", f);
        roff_text(f, (*c)->name);
        fputs("\\fR\n", f);
        roff_text(f, (*c)->summary);
        fputs(": \\fBoci\\-rt\\-", f);
        roff_text(f, (*c)->name);
        fputs("\\fR(8)\n", f);
    }
    fputs(".SH GLOBAL OPTIONS\n", f);
    man_opts(f, cli_global_opts);
    fputs(main_rest, f);
    fputs(".SH SEE ALSO\n", f);
    for (const struct cli_cmd *const *c = cli_commands; *c; c++) {
        fputs(".BR oci\\-rt\\-", f);
        roff_text(f, (*c)->name);
        fputs(" (8),\n", f);
    }
    fputs(".BR oci\\-bench (8)\n", f);
    return close_page(f, path);
}

int cli_man_write(const char *dir)
{
    if (write_main_page(dir) < 0)
        return -1;
    for (const struct cli_cmd *const *c = cli_commands; *c; c++)
        if (write_cmd_page(dir, *c) < 0)
            return -1;
    return 0;
}
