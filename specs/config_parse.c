/* config.json: the document, root, process, mounts, hooks, annotations. */
#include "specs/spec_config.h"
#include "specs/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const spec_hook_kind_names[SPEC_HOOK_KINDS] = {
    [SPEC_HOOK_PRESTART] = "prestart",
    [SPEC_HOOK_CREATE_RUNTIME] = "createRuntime",
    [SPEC_HOOK_CREATE_CONTAINER] = "createContainer",
    [SPEC_HOOK_START_CONTAINER] = "startContainer",
    [SPEC_HOOK_POSTSTART] = "poststart",
    [SPEC_HOOK_POSTSTOP] = "poststop",
};

static const char *const ioprio_classes[] = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
                                             "IOPRIO_CLASS_IDLE", NULL};

static const char *const sched_policies[] = {
    "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",       "SCHED_BATCH",
    "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE", NULL,
};

static const char *const sched_flags[] = {
    "SCHED_FLAG_RESET_ON_FORK",  "SCHED_FLAG_RECLAIM",
    "SCHED_FLAG_DL_OVERRUN",     "SCHED_FLAG_KEEP_POLICY",
    "SCHED_FLAG_KEEP_PARAMS",    "SCHED_FLAG_UTIL_CLAMP_MIN",
    "SCHED_FLAG_UTIL_CLAMP_MAX", NULL,
};

/* ---- process ---- */

static const struct json_field process_fields[] = {
    JSON_F("terminal", JSON_BOOL, struct spec_process, terminal),
    JSON_FR("cwd", JSON_STR, struct spec_process, cwd),
    JSON_F("env", JSON_STRV, struct spec_process, env),
    JSON_FR("args", JSON_STRV, struct spec_process, args),
    JSON_F("commandLine", JSON_STR, struct spec_process, command_line),
    JSON_F("apparmorProfile", JSON_STR, struct spec_process, apparmor_profile),
    JSON_F("noNewPrivileges", JSON_BOOL, struct spec_process, no_new_privileges),
    JSON_FH("oomScoreAdj", JSON_I32, struct spec_process, oom_score_adj, has_oom_score_adj),
    JSON_F("selinuxLabel", JSON_STR, struct spec_process, selinux_label),
};

static const struct json_field console_fields[] = {
    JSON_FR("height", JSON_U64, struct spec_process, console_height),
    JSON_FR("width", JSON_U64, struct spec_process, console_width),
};

static const struct json_field user_fields[] = {
    JSON_FR("uid", JSON_U32, struct spec_user, uid),
    JSON_FR("gid", JSON_U32, struct spec_user, gid),
    JSON_FH("umask", JSON_U32, struct spec_user, umask, has_umask),
    JSON_F("username", JSON_STR, struct spec_user, username),
};

static const struct json_field caps_fields[] = {
    JSON_FH("bounding", JSON_STRV, struct spec_caps, bounding, has_bounding),
    JSON_FH("effective", JSON_STRV, struct spec_caps, effective, has_effective),
    JSON_FH("inheritable", JSON_STRV, struct spec_caps, inheritable, has_inheritable),
    JSON_FH("permitted", JSON_STRV, struct spec_caps, permitted, has_permitted),
    JSON_FH("ambient", JSON_STRV, struct spec_caps, ambient, has_ambient),
};

static const struct json_field rlimit_fields[] = {
    JSON_FR("type", JSON_STR, struct spec_rlimit, type),
    JSON_FR("soft", JSON_U64, struct spec_rlimit, soft),
    JSON_FR("hard", JSON_U64, struct spec_rlimit, hard),
};

static const struct json_field sched_fields[] = {
    JSON_FE("policy", JSON_ENUM, JSON_REQ, struct spec_scheduler, policy, sched_policies,
            "scheduler policy"),
    JSON_F("nice", JSON_I32, struct spec_scheduler, nice),
    JSON_F("priority", JSON_I32, struct spec_scheduler, priority),
    JSON_FE("flags", JSON_ENUMV, 0, struct spec_scheduler, flags, sched_flags, "scheduler flag"),
    JSON_F("runtime", JSON_U64, struct spec_scheduler, runtime),
    JSON_F("deadline", JSON_U64, struct spec_scheduler, deadline),
    JSON_F("period", JSON_U64, struct spec_scheduler, period),
};

static const struct json_field ioprio_fields[] = {
    JSON_FE("class", JSON_ENUM, JSON_REQ, struct spec_io_priority, class_, ioprio_classes,
            "I/O priority class"),
    JSON_F("priority", JSON_I32, struct spec_io_priority, priority),
};

static const struct json_field affinity_fields[] = {
    JSON_F("initial", JSON_STR, struct spec_cpu_affinity, initial),
    JSON_F("final", JSON_STR, struct spec_cpu_affinity, final),
};

/* ^RLIMIT_[A-Z]+$ */
static bool rlimit_name_ok(const char *s)
{
    if (strncmp(s, "RLIMIT_", 7) != 0 || !s[7])
        return false;
    for (s += 7; *s; s++)
        if (*s < 'A' || *s > 'Z')
            return false;
    return true;
}

static int parse_rlimit(const struct json_obj *o, void *item, void *ud)
{
    struct spec_rlimit *rl = item;
    char q[JSON_QUOTE_MAX];

    (void)ud;
    if (json_fields(o, rlimit_fields, JSON_ARRAY_LEN(rlimit_fields), rl) < 0)
        return -1;
    if (!rlimit_name_ok(rl->type)) {
        struct json_path p = JSON_PATH_FIELD_INIT(o->path, "type");
        return json_error(o->cx, &p, "invalid rlimit type %s", json_quote(q, rl->type));
    }
    return 0;
}

static int parse_rlimits(const struct json_obj *o, struct spec_process *p)
{
    struct json_path ap = JSON_PATH_FIELD_INIT(o->path, "rlimits");
    struct json_path ip = {.up = &ap, .kind = JSON_PATH_INDEX};
    struct json_path tp = JSON_PATH_FIELD_INIT(&ip, "type");
    char q[JSON_QUOTE_MAX];
    void *items;
    long dup;
    int r;

    r = json_get_objarray(o, "rlimits", sizeof(*p->rlimits), &items, &p->n_rlimits, parse_rlimit,
                          NULL);
    p->rlimits = items;
    if (r <= 0)
        return r;
    dup = json_first_dup(p->rlimits, p->n_rlimits, sizeof(*p->rlimits),
                         offsetof(struct spec_rlimit, type));
    if (dup == -2)
        return json_error(o->cx, &ap, "out of memory");
    if (dup >= 0) {
        ip.index = (size_t)dup;
        return json_error(o->cx, &tp, "duplicate rlimit %s", json_quote(q, p->rlimits[dup].type));
    }
    return 1;
}

static int parse_gids(const struct json_obj *o, struct spec_user *u)
{
    struct json_path p = JSON_PATH_FIELD_INIT(o->path, "additionalGids");
    yajl_val v = json_get(o->v, "additionalGids");
    size_t n;

    if (!v)
        return 0;
    if (!YAJL_IS_ARRAY(v))
        return json_error(o->cx, &p, "expected an array");
    n = v->u.array.len;
    if (n == 0)
        return 1;
    u->additional_gids = calloc(n, sizeof(uint32_t));
    if (!u->additional_gids)
        return json_error(o->cx, &p, "out of memory");
    u->n_additional_gids = n;
    for (size_t i = 0; i < n; i++) {
        struct json_path ip = {.up = &p, .kind = JSON_PATH_INDEX, .index = i};
        if (json_int(o->cx, &ip, v->u.array.values[i], JSON_U32, &u->additional_gids[i]) < 0)
            return -1;
    }
    return 1;
}

/* ^[0-9, -]*$ */
static int check_cpu_list(const struct json_obj *o, const char *key, const char *s)
{
    char q[JSON_QUOTE_MAX];

    if (!s || s[strspn(s, "0123456789, -")] == '\0')
        return 0;
    struct json_path p = JSON_PATH_FIELD_INIT(o->path, key);
    return json_error(o->cx, &p, "invalid CPU list %s", json_quote(q, s));
}

/* Nested objects of process that map to a struct of their own. */
static int parse_process_subs(const struct json_obj *o, struct spec_process *p)
{
    struct json_path sp;
    struct json_obj so;
    int r;

    if ((r = json_get_obj(o, "scheduler", false, &sp, &so)) < 0)
        return -1;
    if (r > 0) {
        if (!(p->scheduler = calloc(1, sizeof(*p->scheduler))))
            return json_error(o->cx, &sp, "out of memory");
        if (json_fields(&so, sched_fields, JSON_ARRAY_LEN(sched_fields), p->scheduler) < 0)
            return -1;
    }
    if ((r = json_get_obj(o, "ioPriority", false, &sp, &so)) < 0)
        return -1;
    if (r > 0) {
        if (!(p->io_priority = calloc(1, sizeof(*p->io_priority))))
            return json_error(o->cx, &sp, "out of memory");
        if (json_fields(&so, ioprio_fields, JSON_ARRAY_LEN(ioprio_fields), p->io_priority) < 0)
            return -1;
    }
    if ((r = json_get_obj(o, "execCPUAffinity", false, &sp, &so)) < 0)
        return -1;
    if (r > 0) {
        struct spec_cpu_affinity *a = calloc(1, sizeof(*a));
        if (!(p->exec_cpu_affinity = a))
            return json_error(o->cx, &sp, "out of memory");
        if (json_fields(&so, affinity_fields, JSON_ARRAY_LEN(affinity_fields), a) < 0 ||
            check_cpu_list(&so, "initial", a->initial) < 0 ||
            check_cpu_list(&so, "final", a->final) < 0)
            return -1;
    }
    return 0;
}

static int parse_process(const struct json_obj *o, struct spec_process *p)
{
    struct json_path sp;
    struct json_obj so;
    int r;

    if (json_fields(o, process_fields, JSON_ARRAY_LEN(process_fields), p) < 0)
        return -1;
    if (p->cwd[0] != '/') {
        struct json_path cp = JSON_PATH_FIELD_INIT(o->path, "cwd");
        return json_error(o->cx, &cp, "must be an absolute path");
    }
    if (p->args.n == 0) {
        struct json_path ap = JSON_PATH_FIELD_INIT(o->path, "args");
        return json_error(o->cx, &ap, "at least one entry is required");
    }
    if ((r = json_get_obj(o, "consoleSize", false, &sp, &so)) < 0)
        return -1;
    p->has_console_size = r > 0;
    if (r > 0 && json_fields(&so, console_fields, JSON_ARRAY_LEN(console_fields), p) < 0)
        return -1;
    if ((r = json_get_obj(o, "user", false, &sp, &so)) < 0)
        return -1;
    if (r > 0 && (json_fields(&so, user_fields, JSON_ARRAY_LEN(user_fields), &p->user) < 0 ||
                  parse_gids(&so, &p->user) < 0))
        return -1;
    if ((r = json_get_obj(o, "capabilities", false, &sp, &so)) < 0)
        return -1;
    p->has_capabilities = r > 0;
    if (r > 0 && json_fields(&so, caps_fields, JSON_ARRAY_LEN(caps_fields), &p->capabilities) < 0)
        return -1;
    if (parse_rlimits(o, p) < 0)
        return -1;
    return parse_process_subs(o, p);
}

/* ---- mounts, hooks ---- */

static const struct json_field mount_fields[] = {
    JSON_FR("destination", JSON_STR, struct spec_mount, destination),
    JSON_F("source", JSON_STR, struct spec_mount, source),
    JSON_F("type", JSON_STR, struct spec_mount, type),
    JSON_F("options", JSON_STRV, struct spec_mount, options),
};

static int parse_mount(const struct json_obj *o, void *item, void *ud)
{
    struct spec_mount *m = item;
    int ru, rg;

    (void)ud;
    if (json_fields(o, mount_fields, JSON_ARRAY_LEN(mount_fields), m) < 0)
        return -1;
    if ((ru = spec_parse_idmaps(o, "uidMappings", &m->uid_mappings)) < 0 ||
        (rg = spec_parse_idmaps(o, "gidMappings", &m->gid_mappings)) < 0)
        return -1;
    if ((ru > 0) != (rg > 0))
        return json_error(o->cx, o->path, "uidMappings and gidMappings must be given together");
    return 0;
}

static const struct json_field hook_fields[] = {
    JSON_FR("path", JSON_STR, struct spec_hook, path),
    JSON_F("args", JSON_STRV, struct spec_hook, args),
    JSON_F("env", JSON_STRV, struct spec_hook, env),
    JSON_FH("timeout", JSON_I32, struct spec_hook, timeout, has_timeout),
};

static int parse_hook(const struct json_obj *o, void *item, void *ud)
{
    struct spec_hook *h = item;

    (void)ud;
    if (json_fields(o, hook_fields, JSON_ARRAY_LEN(hook_fields), h) < 0)
        return -1;
    if (h->path[0] != '/') {
        struct json_path p = JSON_PATH_FIELD_INIT(o->path, "path");
        return json_error(o->cx, &p, "must be an absolute path");
    }
    if (h->has_timeout && h->timeout < 1) {
        struct json_path p = JSON_PATH_FIELD_INIT(o->path, "timeout");
        return json_error(o->cx, &p, "must be greater than zero");
    }
    return 0;
}

static int parse_hooks(const struct json_obj *o, struct spec_hooks *hooks)
{
    struct json_path hp;
    struct json_obj ho;
    void *items;
    int r = json_get_obj(o, "hooks", false, &hp, &ho);

    for (int k = 0; r > 0 && k < SPEC_HOOK_KINDS; k++) {
        r = json_get_objarray(&ho, spec_hook_kind_names[k], sizeof(struct spec_hook), &items,
                              &hooks->n[k], parse_hook, NULL);
        hooks->items[k] = items;
        r = r < 0 ? -1 : 1;
    }
    return r;
}

/* ---- the document ---- */

static const struct json_field version_field =
    JSON_FR("ociVersion", JSON_STR, struct spec_config, oci_version);

static const struct json_field config_fields[] = {
    JSON_F("hostname", JSON_STR, struct spec_config, hostname),
    JSON_F("domainname", JSON_STR, struct spec_config, domainname),
};

static const struct json_field root_fields[] = {
    JSON_FR("path", JSON_STR, struct spec_config, root_path),
    JSON_F("readonly", JSON_BOOL, struct spec_config, root_readonly),
};

static int parse_version(const struct json_obj *o, struct spec_config *c)
{
    struct json_path p = JSON_PATH_FIELD_INIT(NULL, "ociVersion");
    char q[JSON_QUOTE_MAX];

    if (json_field(o, &version_field, c) < 0)
        return -1;
    if (!spec_version_supported(c->oci_version))
        return json_error(o->cx, &p, "unsupported version %s (supported: 1.0.0 to 1.3.x)",
                          json_quote(q, c->oci_version));
    return 0;
}

static int parse_annotations(const struct json_obj *o, struct spec_map *m)
{
    struct json_path p = JSON_PATH_FIELD_INIT(NULL, "annotations");

    if (json_get_map(o, "annotations", m) < 0)
        return -1;
    for (size_t i = 0; i < m->n; i++)
        if (m->items[i].key[0] == '\0')
            return json_error(o->cx, &p, "keys must not be empty");
    return 0;
}

static int parse_config(struct json_ctx *cx, yajl_val doc, void *out)
{
    struct spec_config *c = out;
    struct json_obj o = {.cx = cx, .path = NULL, .v = doc}, so;
    struct json_path sp;
    void *items;
    int r;

    if (parse_version(&o, c) < 0)
        return -1;
    if (json_get_obj(&o, "root", true, &sp, &so) < 0 ||
        json_fields(&so, root_fields, JSON_ARRAY_LEN(root_fields), c) < 0)
        return -1;
    if (json_fields(&o, config_fields, JSON_ARRAY_LEN(config_fields), c) < 0)
        return -1;
    r = json_get_objarray(&o, "mounts", sizeof(*c->mounts), &items, &c->n_mounts, parse_mount,
                          NULL);
    c->mounts = items;
    if (r < 0)
        return -1;
    if ((r = json_get_obj(&o, "process", false, &sp, &so)) < 0)
        return -1;
    if (r > 0) {
        if (!(c->process = calloc(1, sizeof(*c->process))))
            return json_error(cx, &sp, "out of memory");
        if (parse_process(&so, c->process) < 0)
            return -1;
    }
    if (parse_hooks(&o, &c->hooks) < 0 || parse_annotations(&o, &c->annotations) < 0)
        return -1;
    if ((r = json_get_obj(&o, "linux", false, &sp, &so)) < 0)
        return -1;
    if (r > 0) {
        if (!(c->linux_ = calloc(1, sizeof(*c->linux_))))
            return json_error(cx, &sp, "out of memory");
        if (spec_parse_linux(&so, c->linux_) < 0)
            return -1;
    }
    return 0;
}

static int parse_process_doc(struct json_ctx *cx, yajl_val doc, void *out)
{
    struct json_obj o = {.cx = cx, .path = NULL, .v = doc};

    return parse_process(&o, out);
}

/* yajl's message spans lines (an excerpt and a caret): make it one line. */
static void flatten(char *s)
{
    char *w = s;
    bool space = false;

    for (char *r = s; *r; r++) {
        if ((unsigned char)*r <= ' ' || *r == 0x7f) {
            space = w != s;
            continue;
        }
        if (space)
            *w++ = ' ';
        space = false;
        *w++ = *r;
    }
    *w = '\0';
}

typedef int (*doc_fn)(struct json_ctx *cx, yajl_val doc, void *out);

bool spec_parse_prune = true;

/* buf[len] must be '\0'. */
static int parse_doc(const char *buf, size_t len, const char *name, char **errmsg, doc_fn fn,
                     void *out)
{
    struct json_ctx cx = {.name = name ? name : "config.json", .err = NULL};
    const char *bad = json_prescan(buf, len);
    char ebuf[512] = "";
    yajl_val doc = NULL;
    struct json_arena arena = {NULL};
    int r = -1;

    if (bad) {
        json_error(&cx, NULL, "invalid JSON: %s", bad);
    } else if (!(doc = json_tree_parse(buf, len, spec_parse_prune, &arena, ebuf, sizeof(ebuf)))) {
        flatten(ebuf);
        json_error(&cx, NULL, "invalid JSON: %s", ebuf[0] ? ebuf : "parse error");
    } else if (!YAJL_IS_OBJECT(doc)) {
        json_error(&cx, NULL, "expected a JSON object");
    } else {
        r = fn(&cx, doc, out);
    }
    json_arena_free(&arena);
    if (r < 0 && !cx.err)
        cx.err = strdup("out of memory");
    if (errmsg)
        *errmsg = r < 0 ? cx.err : NULL;
    else
        free(cx.err);
    return r < 0 ? -1 : 0;
}

static struct spec_config *config_from(const char *buf, size_t len, const char *name, char **errmsg)
{
    struct spec_config *c = calloc(1, sizeof(*c));

    if (!c) {
        if (errmsg)
            *errmsg = strdup("out of memory");
        return NULL;
    }
    if (parse_doc(buf, len, name, errmsg, parse_config, c) < 0) {
        spec_config_free(c);
        return NULL;
    }
    return c;
}

struct spec_config *spec_config_parse_nul(const char *data, size_t len, const char *name,
                                          char **errmsg)
{
    return config_from(data, len, name, errmsg);
}

struct spec_config *spec_config_parse(const char *data, size_t len, const char *name, char **errmsg)
{
    struct spec_config *c;
    char *buf = malloc(len + 1); /* yajl_tree_parse wants a C string */

    if (!buf) {
        if (errmsg)
            *errmsg = strdup("out of memory");
        return NULL;
    }
    if (len)
        memcpy(buf, data, len);
    buf[len] = '\0';
    c = config_from(buf, len, name, errmsg);
    free(buf);
    return c;
}

/* The whole file, '\0'-terminated; NULL with errno set on failure. */
static char *read_file(const char *path, size_t *len)
{
    size_t cap, n = 0;
    struct stat st;
    char *buf = NULL, *nb;
    int fd = open(path, O_RDONLY | O_CLOEXEC), e;
    ssize_t r;

    if (fd < 0)
        return NULL;
    /* st_size + 2: the last read sees EOF without growing the buffer */
    cap = fstat(fd, &st) == 0 && st.st_size > 0 ? (size_t)st.st_size + 2 : 4096;
    if (!(buf = malloc(cap)))
        goto fail;
    for (;;) {
        if (n + 1 >= cap) {
            if (!(nb = realloc(buf, cap * 2)))
                goto fail;
            buf = nb;
            cap *= 2;
        }
        r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            goto fail;
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *len = n;
    return buf;
fail:
    e = errno;
    free(buf);
    close(fd);
    errno = e;
    return NULL;
}

struct spec_config *spec_config_load(const char *path, char **errmsg)
{
    struct spec_config *c;
    size_t len;
    char *buf = read_file(path, &len);

    if (!buf) {
        struct json_ctx cx = {.name = path, .err = NULL};
        json_error(&cx, NULL, "cannot read: %s", strerror(errno));
        if (errmsg)
            *errmsg = cx.err ? cx.err : strdup("out of memory");
        else
            free(cx.err);
        return NULL;
    }
    c = config_from(buf, len, path, errmsg);
    free(buf);
    return c;
}

/* A document whose top level is one object of the model (process.json,
 * a linux.resources file): size bytes zeroed, parsed by fn, freed by
 * free_fn on failure. */
static void *parse_part(const char *data, size_t len, const char *name, char **errmsg, size_t size,
                        doc_fn fn, void (*free_fn)(void *))
{
    void *p = calloc(1, size);
    char *buf = malloc(len + 1);

    if (!p || !buf) {
        free(p);
        free(buf);
        if (errmsg)
            *errmsg = strdup("out of memory");
        return NULL;
    }
    if (len)
        memcpy(buf, data, len);
    buf[len] = '\0';
    if (parse_doc(buf, len, name, errmsg, fn, p) < 0) {
        free_fn(p);
        p = NULL;
    }
    free(buf);
    return p;
}

static void process_free_v(void *p)
{
    spec_process_free(p);
}

static void resources_free_v(void *p)
{
    spec_resources_free(p);
}

struct spec_process *spec_process_parse(const char *data, size_t len, const char *name,
                                        char **errmsg)
{
    return parse_part(data, len, name, errmsg, sizeof(struct spec_process), parse_process_doc,
                      process_free_v);
}

static int parse_resources_doc(struct json_ctx *cx, yajl_val doc, void *out)
{
    struct json_obj o = {.cx = cx, .path = NULL, .v = doc};

    return spec_parse_resources(&o, out);
}

struct spec_resources *spec_resources_parse(const char *data, size_t len, const char *name,
                                            char **errmsg)
{
    return parse_part(data, len, name, errmsg, sizeof(struct spec_resources), parse_resources_doc,
                      resources_free_v);
}

/* ---- helpers on the model ---- */

const struct spec_namespace *spec_config_namespace(const struct spec_config *c, enum spec_ns_type t)
{
    if (!c || !c->linux_)
        return NULL;
    for (size_t i = 0; i < c->linux_->n_namespaces; i++)
        if (c->linux_->namespaces[i].type == t)
            return &c->linux_->namespaces[i];
    return NULL;
}

const char *spec_map_get(const struct spec_map *m, const char *key)
{
    if (!m || !key)
        return NULL;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->items[i].key, key) == 0)
            return m->items[i].value;
    return NULL;
}

/* A semver number: "0" or no leading zero. */
static const char *semver_num(const char *s, unsigned long *v)
{
    if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9'))
        return NULL;
    for (*v = 0; *s >= '0' && *s <= '9'; s++)
        if ((*v = *v * 10 + (unsigned long)(*s - '0')) > 100000000)
            return NULL;
    return s;
}

/* Dot-separated non-empty [0-9A-Za-z-]+ identifiers (pre-release, build). */
static const char *semver_idents(const char *s)
{
    static const char ok[] = "0123456789abcdefghijklmnopqrstuvwxyz"
                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ-";
    for (;;) {
        size_t n = strspn(s, ok);
        if (n == 0)
            return NULL;
        s += n;
        if (*s != '.')
            return s;
        s++;
    }
}

bool spec_version_supported(const char *version)
{
    unsigned long major, minor, patch;
    const char *s = version;

    if (!s || !(s = semver_num(s, &major)) || *s++ != '.' || !(s = semver_num(s, &minor)) ||
        *s++ != '.' || !(s = semver_num(s, &patch)))
        return false;
    if (*s == '-' && !(s = semver_idents(s + 1)))
        return false;
    if (*s == '+' && !(s = semver_idents(s + 1)))
        return false;
    return *s == '\0' && major == 1 && minor <= 3;
}
