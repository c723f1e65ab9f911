/* State directories (libcontainer/state.c): the spare directories that a
 * delete keeps and the next create takes, and what guards a reader or a
 * waiting locker against a directory that was removed and taken again as
 * another container's. Each test has a fresh state root under /tmp. */
#include "config.h"
#include "libcontainer/state.h"
#include "skip.h"
#include "unit_run.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char root[64];

static void setup(void)
{
    snprintf(root, sizeof(root), "/tmp/check_state.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    ck_assert_int_eq(system(cmd), 0);
}

/* The names in the root ("") or in a directory of it, sorted, joined by
 * spaces. */
static const char *names(const char *sub)
{
    static char out[512];
    char dir[128];
    snprintf(dir, sizeof(dir), "%s/%s", root, sub);
    struct dirent **list;
    int n = scandir(dir, &list, NULL, alphasort);
    ck_assert_int_ge(n, 0);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, "..")) {
            if (out[0])
                strcat(out, " ");
            strcat(out, list[i]->d_name);
        }
        free(list[i]);
    }
    free(list);
    return out;
}

static ino_t ino_of(const char *name)
{
    char p[128];
    struct stat st;
    snprintf(p, sizeof(p), "%s/%s", root, name);
    ck_assert_int_eq(stat(p, &st), 0);
    return st.st_ino;
}

static void make(const char *id, struct state_dir *sd)
{
    struct oci_err err = {0};
    ck_assert_msg(state_dir_create(root, id, sd, &err) == 0, "create %s: %s", id, err.msg);
}

static void make_and_remove(const char *id)
{
    struct state_dir sd = {.dirfd = -1};
    struct oci_err err = {0};
    make(id, &sd);
    ck_assert_int_eq(state_dir_remove(&sd, &err), 0);
    state_dir_close(&sd);
}

static void write_state(struct state_dir *sd, const char *id)
{
    struct spec_state s = {
        .oci_version = "1.3.0", .id = (char *)id, .status = "created", .pid = 1, .bundle = "/b"};
    struct oci_err err = {0};
    ck_assert_msg(state_write(sd, &s, &err) == 0, "%s", err.msg);
}

START_TEST(removed_directory_is_kept_and_taken_again)
{
    make_and_remove("a");
    ck_assert_str_eq(names(""), ".cache");
    ck_assert_str_eq(names(".cache"), "spare~0");
    ino_t spare = ino_of(".cache/spare~0");
    struct state_dir sd = {.dirfd = -1};
    make("b", &sd);
    ck_assert_str_eq(names(""), ".cache b");
    ck_assert_str_eq(names(".cache"), "");
    ck_assert_uint_eq(ino_of("b"), spare);
    /* as a mkdir makes it: the lock is held, and a second create of the ID fails */
    char p[128];
    snprintf(p, sizeof(p), "%s/b", root);
    int other = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ck_assert_int_ge(other, 0);
    ck_assert_int_eq(flock(other, LOCK_EX | LOCK_NB), -1);
    ck_assert_int_eq(errno, EWOULDBLOCK);
    close(other);
    struct state_dir again = {.dirfd = -1};
    struct oci_err err = {0};
    ck_assert_int_eq(state_dir_create(root, "b", &again, &err), -1);
    ck_assert_str_eq(err.msg, "container \"b\" already exists");
    state_dir_close(&sd);
}
END_TEST

/* A taken ID stays "already exists" while spares wait; none is used up. */
START_TEST(taken_id_with_spares_is_refused)
{
    struct state_dir sd = {.dirfd = -1};
    make("x", &sd);
    make_and_remove("a");
    make_and_remove("b"); /* a's spare was taken by b and kept again */
    ck_assert_str_eq(names(""), ".cache x");
    ck_assert_str_eq(names(".cache"), "spare~0");
    struct state_dir again = {.dirfd = -1};
    struct oci_err err = {0};
    ck_assert_int_eq(state_dir_create(root, "x", &again, &err), -1);
    ck_assert_str_eq(err.msg, "container \"x\" already exists");
    ck_assert_str_eq(names(""), ".cache x");
    ck_assert_str_eq(names(".cache"), "spare~0");
    state_dir_close(&sd);
}
END_TEST

/* At most four are kept, in the root's .cache (beside the seccomp cache:
 * the root lists containers only): the fifth removal is an rmdir. */
START_TEST(spares_are_bounded)
{
    struct state_dir sd[5];
    char id[8];
    for (int i = 0; i < 5; i++) {
        sd[i].dirfd = -1;
        snprintf(id, sizeof(id), "c%d", i);
        make(id, &sd[i]);
    }
    for (int i = 0; i < 5; i++) {
        struct oci_err err = {0};
        ck_assert_int_eq(state_dir_remove(&sd[i], &err), 0);
        state_dir_close(&sd[i]);
    }
    ck_assert_str_eq(names(""), ".cache");
    ck_assert_str_eq(names(".cache"), "spare~0 spare~1 spare~2 spare~3");
}
END_TEST

/* Whatever came into a spare, and a changed mode, are gone when it is
 * taken: the new container's directory is what a mkdir makes. */
START_TEST(taken_spare_is_reset)
{
    make_and_remove("a");
    char p[128];
    snprintf(p, sizeof(p), "%s/.cache/spare~0", root);
    ck_assert_int_eq(chmod(p, 0755), 0);
    snprintf(p, sizeof(p), "%s/.cache/spare~0/init", root);
    ck_assert_int_eq(symlink("1:1", p), 0);
    snprintf(p, sizeof(p), "%s/.cache/spare~0/notify", root);
    ck_assert_int_eq(mkdir(p, 0700), 0);
    snprintf(p, sizeof(p), "%s/.cache/spare~0/notify/notify.sock", root);
    ck_assert_int_ge(creat(p, 0600), 0);
    struct state_dir sd = {.dirfd = -1};
    make("b", &sd);
    struct stat st;
    ck_assert_int_eq(fstat(sd.dirfd, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0700);
    ck_assert_uint_eq(st.st_nlink, 2);
    snprintf(p, sizeof(p), "%s/b/init", root);
    ck_assert_int_eq(access(p, F_OK), -1);
    /* the stale init link would have told state which pid is b's */
    struct spec_state *s = NULL;
    struct oci_err err = {0};
    ck_assert_int_eq(state_read(&sd, "b", &s, &err), 0);
    ck_assert_int_eq(s->pid, 0);
    ck_assert_str_eq(s->status, "creating");
    spec_state_free(s);
    state_dir_close(&sd);
}
END_TEST

/* A reader that opened a's directory before a's delete must not read the
 * next container's record through it once that took it as a spare. */
START_TEST(reader_of_a_reused_directory_sees_no_container)
{
    struct state_dir a = {.dirfd = -1}, reader = {.dirfd = -1};
    make("a", &a);
    write_state(&a, "a");
    struct oci_err err = {0};
    ck_assert_int_eq(state_dir_open(root, "a", STATE_LOCK_NONE, &reader, &err), 0);
    ck_assert_int_eq(state_dir_remove(&a, &err), 0);
    state_dir_close(&a);
    struct state_dir b = {.dirfd = -1};
    make("b", &b);
    write_state(&b, "b");
    struct spec_state *s = NULL;
    ck_assert_int_eq(state_read(&reader, "a", &s, &err), -1);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(err.errnum, ENOENT);
    ck_assert_str_eq(err.msg, "container \"a\" does not exist");
    state_dir_close(&reader);
    state_dir_close(&b);
}
END_TEST

/* Whether pid waits for a flock (/proc/locks lists it with "->"). */
static int waits_for_lock(pid_t pid)
{
    FILE *f = fopen("/proc/locks", "re");
    ck_assert_ptr_nonnull(f);
    char line[256], want[32];
    snprintf(want, sizeof(want), " %d ", pid);
    int found = 0;
    while (fgets(line, sizeof(line), f))
        if (strstr(line, "->") && strstr(line, want))
            found = 1;
    fclose(f);
    return found;
}

/* A locker (delete, start) that waited for a's lock while a's delete
 * kept the directory and b's create took it finds no container a. */
START_TEST(waiting_locker_of_a_reused_directory_sees_no_container)
{
    struct state_dir a = {.dirfd = -1};
    make("a", &a);
    write_state(&a, "a");
    int out[2];
    ck_assert_int_eq(pipe(out), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(a.dirfd); /* its lock is the parent's */
        struct state_dir sd = {.dirfd = -1};
        struct oci_err err = {0};
        int rc = state_dir_open(root, "a", STATE_LOCK_EXCLUSIVE, &sd, &err);
        char msg[256];
        int n = snprintf(msg, sizeof(msg), "%d %d %s", rc, err.errnum, rc ? err.msg : "");
        _exit(write(out[1], msg, (size_t)n) == n ? 0 : 1);
    }
    close(out[1]);
    for (int i = 0; i < 500 && !waits_for_lock(pid); i++)
        usleep(10000);
    ck_assert_msg(waits_for_lock(pid), "the child never waited for the lock");
    struct oci_err err = {0};
    ck_assert_int_eq(state_dir_remove(&a, &err), 0);
    state_dir_close(&a);
    struct state_dir b = {.dirfd = -1};
    make("b", &b);
    write_state(&b, "b");
    state_dir_close(&b); /* b's lock goes: the child gets it */
    char msg[256] = "";
    ssize_t n = read(out[0], msg, sizeof(msg) - 1);
    ck_assert_int_gt(n, 0);
    msg[n] = '\0';
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_int_eq(status, 0);
    char want[128];
    snprintf(want, sizeof(want), "-1 %d container \"a\" does not exist", ENOENT);
    ck_assert_str_eq(msg, want);
}
END_TEST

int main(void)
{
    if (geteuid() != 0)
        return unit_skip("spare state directories are root's only: run as root");
    Suite *s = suite_create("state");
    TCase *t = tcase_create("state directories");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, removed_directory_is_kept_and_taken_again);
    tcase_add_test(t, taken_id_with_spares_is_refused);
    tcase_add_test(t, spares_are_bounded);
    tcase_add_test(t, taken_spare_is_reset);
    tcase_add_test(t, reader_of_a_reused_directory_sees_no_container);
    tcase_add_test(t, waiting_locker_of_a_reused_directory_sees_no_container);
    suite_add_tcase(s, t);
    return unit_run(s);
}
