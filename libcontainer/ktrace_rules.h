/* The rules that name what the kernel saw (ktrace_model's events) as
 * lifecycle phases, with oci-rt's own phase names where they mean the same,
 * and the rows built from them: every process's life cut into phases, time
 * that matches no rule shown as "other", never dropped. */
#ifndef OCI_KTRACE_RULES_H
#define OCI_KTRACE_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "ktrace.h"
#include "specs/trace.h"

/* What a matched event does to its process's rows. */
enum kt_class {
    KC_OTHER,   /* no rule: time of its own, "other" */
    KC_PHASE,   /* starts (or continues) the named phase */
    KC_WAIT,    /* idle in the call: a row of exactly its duration */
    KC_NEUTRAL, /* bookkeeping: continues whatever phase is running */
    KC_PREP,    /* part of the phase that follows (a path in the container's root) */
    KC_FINAL,   /* the container's program: execve, then the program runs */
};

/* One rule, for the documentation (oci-rt profile --rules, README.md). */
struct kt_rule_doc {
    const char *phase; /* NULL for neutral and prep rules */
    enum kt_class cls;
    const char *kernel; /* the kernel events it matches, in words */
};

/* Rule i in the order they are tried; NULL after the last. */
const struct kt_rule_doc *kt_rules_doc(size_t i);

/* The verdict of the rules on one event (used by ktrace_phases.c). */
struct kt_model;
struct kt_process;
struct kt_event;
struct kt_verdict {
    enum kt_class cls;
    char name[96];
};
void kt_classify(const struct kt_model *m, const struct kt_process *p, const struct kt_event *e,
                 struct kt_verdict *v);

#endif
