#!/usr/bin/env bats
# The package built by build.bats, installed: its man pages, its bash and
# zsh completion, its removal. An oci-rt package installed before the run
# is left alone (the file is skipped); an oci-rt in /usr/local/bin (make
# install, contrib/quickstart.sh) is not touched.

load helpers

# the sha256 of /usr/local/bin/oci-rt, or "none"
local_binary() {
    if [ -e /usr/local/bin/oci-rt ]; then
        sha256sum /usr/local/bin/oci-rt | cut -d' ' -f1
    else
        echo none
    fi
}

# Debian's bats reports a skip in setup_file as a failure: the reasons to
# skip are noted here and each test's setup() skips with them.
setup_file() {
    if package_installed && [ ! -f "$PKG_WORK/installed-by-test" ]; then
        echo "an oci-rt package was installed before this run: not replacing it" >"$PKG_WORK/install-skip"
        return 0
    fi
    if [ ! -f "$DEB" ]; then
        echo "no package was built (build.bats)" >"$PKG_WORK/install-skip"
        return 0
    fi
    rm -f "$PKG_WORK/install-skip"
    local_binary >"$PKG_WORK/local-before"
    dpkg_wait -i "$DEB"
    touch "$PKG_WORK/installed-by-test"
}

teardown_file() {
    if [ -f "$PKG_WORK/installed-by-test" ] && package_installed; then
        dpkg_wait -P oci-rt
    fi
    return 0
}

setup() {
    [ ! -f "$PKG_WORK/install-skip" ] || skip "$(cat "$PKG_WORK/install-skip")"
    CONTAINERS=()
    ROOT=$BATS_TEST_TMPDIR/state
}

teardown() {
    local id
    for id in "${CONTAINERS[@]}"; do
        "$BIN" --root "$ROOT" delete --force "$id" || true
    done
}

# a created container of this test under $ROOT; its id in $ID
container() {
    ID=pkgtest-$$-$RANDOM
    CONTAINERS+=("$ID")
    create_container "$ROOT" "$ID"
}

@test "the package's oci-rt is /usr/bin/oci-rt; /usr/local/bin/oci-rt is as it was" {
    package_installed
    run "$BIN" --version
    [ "$status" = 0 ]
    [ "${lines[0]}" = "oci-rt version $VERSION" ]
    [ -x /usr/bin/oci-bench ]
    [ -z "$(dpkg -L oci-rt | grep '^/usr/local')" ]
    [ "$(local_binary)" = "$(cat "$PKG_WORK/local-before")" ]
}

@test "the installed oci-rt runs what needs a shared library (features, with libsystemd's answer) through its twin" {
    package_installed
    run -0 --separate-stderr "$BIN" features
    jq -e '.linux.cgroup.systemd != null' <<<"$output" >/dev/null
    if readelf -l "$BIN" | grep -q 'program interpreter'; then
        skip "this oci-rt is dynamic: nothing to hand over"
    fi
    # the debug log names the program it handed the command to
    run -0 --separate-stderr "$BIN" --debug --log-format text features
    grep -q 'exec /usr/libexec/oci-rt/oci-rt-dynamic' <<<"$stderr"
}

@test "man oci-rt-run shows the page, with every option of oci-rt run --help" {
    # man finds the package's page (also when make install put one in /usr/local)
    run man -aw oci-rt-run
    [[ $output == */usr/share/man/man8/oci-rt-run.8.gz* ]]
    run env MANPAGER=cat man oci-rt-run
    [ "$status" = 0 ]
    [[ $output == *"oci-rt-run - create and start a container"* ]]
    run man -M /usr/share/man -P cat oci-rt-run
    [ "$status" = 0 ]
    local page=$output o n=0
    for o in $("$BIN" run --help | help_options); do
        grep -qe "$o" <<<"$page" || {
            echo "oci-rt-run(8) lacks $o"
            false
        }
        n=$((n + 1))
    done
    [ "$n" -ge 12 ] # --bundle ... --no-subreaper, -h --help
}

@test "every man page lists exactly the options of its --help: oci-rt-COMMAND(8), oci-rt(8), oci-bench(8)" {
    local c n=0
    for c in $(commands_of "$BIN"); do
        diff <("$BIN" "$c" --help | help_options) <(man_options "oci-rt-$c") || {
            echo "oci-rt-$c(8) and oci-rt $c --help list different options"
            false
        }
        n=$((n + 1))
    done
    [ "$n" -ge 19 ]
    diff <("$BIN" --help | help_options) <(man_options oci-rt "GLOBAL OPTIONS")
    # oci-rt(8) names every command
    diff <(commands_of "$BIN") <(MANWIDTH=200 man -M /usr/share/man -P cat oci-rt |
        awk '/^[A-Z]/ { on = ($0 == "COMMANDS"); next } on' | grep -E '^ {7}[a-z]' | awk '{ print $1 }')
    diff <(/usr/bin/oci-bench --help | help_options) <(man_options oci-bench)
    [ "$(man_options oci-bench | wc -l)" -ge 30 ]
}

@test "bash: oci-rt de<TAB> gives delete; each command's options; option values" {
    run bash_complete "oci-rt de"
    [ "$status" = 0 ]
    [ "$output" = delete ]
    run bash_complete "oci-rt "
    [ "$output" = "$(commands_of "$BIN")" ]
    # the long options of run --help, in their order
    run bash_complete "oci-rt run --"
    [ "$(sort <<<"$output")" = "$("$BIN" run --help | help_options | grep -e '^--')" ]
    run bash_complete "oci-rt --root /tmp --de"
    [ "$output" = --debug ]
    run bash_complete "oci-rt list --format "
    [ "$(sort <<<"$output")" = "$(printf 'json\ntable')" ]
    run bash_complete "oci-rt --log-format=j"
    [ "$output" = json ]
    run bash_complete "oci-rt --root /tmp ps -f t"
    [ "$output" = table ]
}

@test "bash: bash-completion loads the package's completion on first use" {
    run env HOME="$BATS_TEST_TMPDIR" XDG_DATA_DIRS=/usr/share PATH="$SYS_PATH" \
        bash --norc --noprofile -c '
            source /usr/share/bash-completion/bash_completion || exit 3
            complete -p oci-rt >/dev/null 2>&1 && exit 4
            __load_completion oci-rt || exit 5
            complete -p oci-rt'
    [ "$status" = 0 ]
    [ "$output" = "complete -F _oci_rt oci-rt" ]
}

@test "bash: container ids complete, from the --root on the command line" {
    container
    run bash_complete "oci-rt --root $ROOT kill "
    [ "$status" = 0 ]
    [ "$output" = "$ID" ]
    run bash_complete "oci-rt --root=$ROOT delete ${ID:0:12}"
    [ "$output" = "$ID" ]
    run bash_complete "oci-rt --debug --root $ROOT --log-format json state "
    [ "$output" = "$ID" ]
    # no --root: the default one, which does not have it
    run bash_complete "oci-rt kill $ID"
    [ -z "$output" ]
    # create names a new container: no ids offered
    run bash_complete "oci-rt --root $ROOT create --bundle /tmp "
    [ -z "$output" ]
    # the signal after the id
    run bash_complete "oci-rt --root $ROOT kill $ID "
    grep -qx KILL <<<"$output"
    grep -qx TERM <<<"$output"
}

@test "zsh: commands, options, values and container ids through compinit" {
    run zsh_complete "oci-rt de"
    [ "$status" = 0 ]
    [ "$output" = delete ]
    run zsh_complete "oci-rt run --"
    [ "$output" = "$("$BIN" run --help | help_options | grep -e '^--')" ]
    run zsh_complete "oci-rt list --format "
    [ "$output" = "$(printf 'json\ntable')" ]
    container
    run zsh_complete "oci-rt --root $ROOT kill "
    [ "$output" = "$ID" ]
    run zsh_complete "oci-rt kill $ID"
    [ -z "$output" ]
}

@test "dpkg -P removes everything the package installed; /usr/local/bin/oci-rt stays" {
    local files f
    files=$(dpkg -L oci-rt)
    dpkg_wait -P oci-rt
    run package_installed
    [ "$status" != 0 ]
    while read -r f; do
        [ -d "$f" ] || [ ! -e "$f" ] || {
            echo "$f is left"
            false
        }
    done <<<"$files"
    [ ! -e "$BIN" ] && [ ! -e "$BASH_COMPLETION" ] && [ ! -e /usr/share/man/man8/oci-rt-run.8.gz ]
    [ "$(local_binary)" = "$(cat "$PKG_WORK/local-before")" ]
    rm -f "$PKG_WORK/installed-by-test"
}
