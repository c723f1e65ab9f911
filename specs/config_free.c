/* Freeing the config model. Every function accepts a partly filled struct
 * (what a failed parse leaves behind): arrays are zeroed when allocated and
 * their counts set at once, so unset members are NULL. */
#include "specs/spec_config.h"

#include <stdlib.h>

static void strv_free(struct spec_strv *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->items[i]);
    free(v->items);
    v->items = NULL;
    v->n = 0;
}

static void map_free(struct spec_map *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->items[i].key);
        free(m->items[i].value);
    }
    free(m->items);
    m->items = NULL;
    m->n = 0;
}

/* ---- process ---- */

static void caps_free(struct spec_caps *c)
{
    strv_free(&c->bounding);
    strv_free(&c->effective);
    strv_free(&c->inheritable);
    strv_free(&c->permitted);
    strv_free(&c->ambient);
}

void spec_process_free(struct spec_process *p)
{
    if (!p)
        return;
    free(p->cwd);
    strv_free(&p->env);
    strv_free(&p->args);
    free(p->command_line);
    for (size_t i = 0; i < p->n_rlimits; i++)
        free(p->rlimits[i].type);
    free(p->rlimits);
    free(p->apparmor_profile);
    caps_free(&p->capabilities);
    if (p->scheduler) {
        free(p->scheduler->policy);
        strv_free(&p->scheduler->flags);
        free(p->scheduler);
    }
    free(p->selinux_label);
    if (p->io_priority) {
        free(p->io_priority->class_);
        free(p->io_priority);
    }
    if (p->exec_cpu_affinity) {
        free(p->exec_cpu_affinity->initial);
        free(p->exec_cpu_affinity->final);
        free(p->exec_cpu_affinity);
    }
    free(p->user.additional_gids);
    free(p->user.username);
    free(p);
}

/* ---- linux.resources ---- */

static void blkio_free(struct spec_blkio *b)
{
    if (!b)
        return;
    free(b->weight_device);
    free(b->throttle_read_bps);
    free(b->throttle_write_bps);
    free(b->throttle_read_iops);
    free(b->throttle_write_iops);
    free(b);
}

void spec_resources_free(struct spec_resources *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_devices; i++) {
        free(r->devices[i].type);
        free(r->devices[i].access);
    }
    free(r->devices);
    free(r->memory);
    if (r->cpu) {
        free(r->cpu->cpus);
        free(r->cpu->mems);
        free(r->cpu);
    }
    blkio_free(r->block_io);
    for (size_t i = 0; i < r->n_hugepage_limits; i++)
        free(r->hugepage_limits[i].page_size);
    free(r->hugepage_limits);
    if (r->network) {
        for (size_t i = 0; i < r->network->n_priorities; i++)
            free(r->network->priorities[i].name);
        free(r->network->priorities);
        free(r->network);
    }
    for (size_t i = 0; i < r->n_rdma; i++)
        free(r->rdma[i].device);
    free(r->rdma);
    map_free(&r->unified);
    free(r);
}

/* ---- linux ---- */

static void seccomp_free(struct spec_seccomp *s)
{
    if (!s)
        return;
    free(s->default_action);
    strv_free(&s->architectures);
    strv_free(&s->flags);
    free(s->listener_path);
    free(s->listener_metadata);
    for (size_t i = 0; i < s->n_syscalls; i++) {
        struct spec_seccomp_syscall *sc = &s->syscalls[i];
        strv_free(&sc->names);
        free(sc->action);
        for (size_t j = 0; j < sc->n_args; j++)
            free(sc->args[j].op);
        free(sc->args);
    }
    free(s->syscalls);
    free(s);
}

static void linux_objs_free(struct spec_linux *l)
{
    if (l->intel_rdt) {
        free(l->intel_rdt->clos_id);
        strv_free(&l->intel_rdt->schemata);
        free(l->intel_rdt->l3_cache_schema);
        free(l->intel_rdt->mem_bw_schema);
        free(l->intel_rdt);
    }
    if (l->personality) {
        free(l->personality->domain);
        strv_free(&l->personality->flags);
        free(l->personality);
    }
    if (l->memory_policy) {
        free(l->memory_policy->mode);
        free(l->memory_policy->nodes);
        strv_free(&l->memory_policy->flags);
        free(l->memory_policy);
    }
    seccomp_free(l->seccomp);
    spec_resources_free(l->resources);
}

static void linux_free(struct spec_linux *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n_namespaces; i++)
        free(l->namespaces[i].path);
    free(l->namespaces);
    free(l->uid_mappings.items);
    free(l->gid_mappings.items);
    for (size_t i = 0; i < l->n_devices; i++) {
        free(l->devices[i].type);
        free(l->devices[i].path);
    }
    free(l->devices);
    for (size_t i = 0; i < l->n_net_devices; i++) {
        free(l->net_devices[i].host_name);
        free(l->net_devices[i].name);
    }
    free(l->net_devices);
    free(l->cgroups_path);
    map_free(&l->sysctl);
    free(l->rootfs_propagation);
    strv_free(&l->masked_paths);
    strv_free(&l->readonly_paths);
    free(l->mount_label);
    linux_objs_free(l);
    free(l);
}

/* ---- the document ---- */

static void hooks_free(struct spec_hooks *h)
{
    for (int k = 0; k < SPEC_HOOK_KINDS; k++) {
        for (size_t i = 0; i < h->n[k]; i++) {
            free(h->items[k][i].path);
            strv_free(&h->items[k][i].args);
            strv_free(&h->items[k][i].env);
        }
        free(h->items[k]);
    }
}

void spec_config_free(struct spec_config *c)
{
    if (!c)
        return;
    free(c->oci_version);
    free(c->root_path);
    free(c->hostname);
    free(c->domainname);
    for (size_t i = 0; i < c->n_mounts; i++) {
        struct spec_mount *m = &c->mounts[i];
        free(m->destination);
        free(m->source);
        free(m->type);
        strv_free(&m->options);
        free(m->uid_mappings.items);
        free(m->gid_mappings.items);
    }
    free(c->mounts);
    spec_process_free(c->process);
    hooks_free(&c->hooks);
    map_free(&c->annotations);
    linux_free(c->linux_);
    free(c);
}
