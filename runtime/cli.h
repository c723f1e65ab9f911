/* The oci-rt command line: global options, the command table, option
 * parsing shared by the commands, error reporting. */
#ifndef OCI_CLI_H
#define OCI_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "libcontainer/cgroups.h"
#include "libcontainer/error.h"

struct global_opts {
    const char *root;
    const char *log_file;
    const char *log_format; /* "text" | "json" */
    const char *trace_file;
    bool debug;
    bool systemd_cgroup;
    const char *criu;         /* --criu PATH */
    enum cg_mode cgroup_mode; /* (enum cg_mode)-1: detect */
    uint64_t main_ns;         /* CLOCK_MONOTONIC at main */
};

extern struct global_opts G;

/* One option of a command. */
struct cli_opt {
    const char *name;
    char short_name;
    const char *arg; /* NULL: a flag */
    const char *help;
};

#define CLI_MAX_OPTS 24

struct cli_args {
    const char *val[CLI_MAX_OPTS];  /* by option index; "" for a set flag; the last one */
    const char **all[CLI_MAX_OPTS]; /* every occurrence (repeatable options: -e, --cap) */
    int n_all[CLI_MAX_OPTS];
    int argc; /* positional arguments */
    char **argv;
};

struct cli_cmd {
    const char *name;
    int (*fn)(const struct cli_cmd *cmd, struct cli_args *a);
    const char *summary;
    const char *usage; /* after "oci-rt NAME " */
    const struct cli_opt *opts;
    int min_args, max_args; /* -1: any */
    bool stop_at_first_arg; /* exec: what follows the ID is the command */
};

extern const struct cli_cmd *const cli_commands[];
/* The global options (before the command), the --help line every command
 * has, and the sentence that says what oci-rt is: --help prints them, and
 * so do the man pages. */
extern const struct cli_opt cli_global_opts[];
extern const struct cli_opt cli_help_opts[];
extern const char cli_about[];

/* oci-rt --generate-docs DIR: oci-rt.8 and oci-rt-COMMAND.8 (cli_man.c),
 * the bash and zsh completions oci-rt.bash and _oci-rt (cli_completion.c),
 * all from the tables above. 0, or -1 after printing the error. */
int cli_man_write(const char *dir);
int cli_completion_write(const char *dir);

/* Index of option name in cmd->opts (a programming error when absent). */
const char *cli_get(const struct cli_cmd *cmd, const struct cli_args *a, const char *name);
bool cli_flag(const struct cli_cmd *cmd, const struct cli_args *a, const char *name);
/* Every value of a repeatable option; *n gets the count. */
const char **cli_get_all(const struct cli_cmd *cmd, const struct cli_args *a, const char *name,
                         int *n);

/* Print "oci-rt: <msg>" and log it; returns the exit code 1. */
int cli_fail(const struct oci_err *err);
int cli_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A JSON document a specs/ writer made: json (NUL-terminated) printed on
 * stdout, or, when it is NULL, the failure "<fmt ...>: <msg>" (msg: the
 * writer's message, NULL for out of memory). Frees both; 0 or the exit
 * code 1. */
int cli_print_json(char *json, char *msg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int cli_log_setup(void);
void cli_log_close(void);
/* The container id of this command (for the trace and the log). */
void cli_set_id(const char *id);

/* The ids of the containers under the root matching the extended regular
 * expression re (crun's --regex); returns the count or -1 after an error. */
int cli_match_ids(const char *re, char ***ids);
void cli_free_ids(char **ids, int n);

/* A duration: "500ms", "5s", "1m", or seconds; > 0. */
int cli_parse_duration(const char *s, int *ms);

/* Signal names: "KILL", "SIGKILL", "9", "SIGRTMIN+3". -1 when unknown. */
int signal_parse(const char *s);
const char *signal_name(int sig);

/* Commands (cmd_*.c). */
extern const struct cli_cmd cmd_create, cmd_start, cmd_run, cmd_state, cmd_kill, cmd_delete,
    cmd_list, cmd_spec, cmd_trace, cmd_pause, cmd_resume, cmd_update, cmd_ps, cmd_events, cmd_exec,
    cmd_features, cmd_profile, cmd_checkpoint, cmd_restore;

#endif
