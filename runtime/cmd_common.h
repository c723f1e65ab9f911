/* Helpers shared by create and run. */
#ifndef OCI_CMD_COMMON_H
#define OCI_CMD_COMMON_H

#include "cli.h"
#include "libcontainer/container.h"

/* Fill container_opts from the options create and run share. */
int cmd_container_opts(const struct cli_cmd *cmd, const struct cli_args *a,
                       struct container_opts *o);

struct criu_opts;
/* Fill criu_opts from the options checkpoint and restore share. */
int cmd_criu_opts(const struct cli_cmd *cmd, const struct cli_args *a, struct criu_opts *co);

#endif
