# shellcheck shell=bash
# Helpers of the package tests (bats). Load with `load helpers`.
#
# Environment: PKG_WORK (the work directory of this run, made by run.sh:
# the trees built, the .deb, markers), OCI_RT_TEST_CACHE (the test rootfs,
# default /var/tmp/oci-rt-test).

bats_require_minimum_version 1.5.0

PKG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$PKG_DIR/../.." && pwd)
: "${PKG_WORK:?run the package tests with tests/package/run.sh}"
VERSION=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version)
ARCH=$(dpkg --print-architecture)
DEB=$PKG_WORK/build/oci-rt_${VERSION}_$ARCH.deb
CHANGES=$PKG_WORK/build/oci-rt_${VERSION}_$ARCH.changes
TEST_CACHE=${OCI_RT_TEST_CACHE:-/var/tmp/oci-rt-test}
# what the package installs, and the programs a user reaches there
BIN=/usr/bin/oci-rt
BASH_COMPLETION=/usr/share/bash-completion/completions/oci-rt
ZSH_COMPLETION_DIR=/usr/share/zsh/vendor-completions
SYS_PATH=/usr/sbin:/usr/bin:/sbin:/bin

# make's distdir of the working tree into DIR/oci-rt-VERSION: the files of
# the release tarball, without packing them
dist_tree() {
    make -s -C "$REPO" distdir distdir="$1/oci-rt-$VERSION" >/dev/null
}

# dpkg, waiting while another dpkg or apt holds the lock
dpkg_wait() {
    local i out
    for ((i = 0; i < 150; i++)); do
        out=$(dpkg "$@" 2>&1) && return 0
        grep -qi 'lock' <<<"$out" || break
        sleep 2
    done
    echo "$out" >&2
    return 1
}

package_installed() {
    dpkg-query -W -f '${Status}' oci-rt 2>/dev/null | grep -q ' installed$'
}

# The commands of `oci-rt --help`, one a line.
commands_of() {
    "$1" --help | awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 } on { print $1 }'
}

# The options of a --help text on stdin: "-b --bundle", one name a line,
# sorted. Option lines start with two to six spaces and a dash (wrapped
# help lines are indented further).
help_options() {
    grep -E '^ {2,6}-' | awk '{ print $1; if ($1 ~ /,$/) print $2 }' | tr -d , | sort
}

# The options of a rendered man page's OPTIONS section (or GLOBAL OPTIONS
# with $2 = GLOBAL), the same way: tags are indented 7, paragraphs 14.
man_options() {
    local section=${2:-OPTIONS}
    MANWIDTH=200 man -M /usr/share/man -P cat "$1" 2>/dev/null |
        awk -v s="$section" '/^[A-Z]/ { on = ($0 == s); next } on' |
        grep -E '^ {7}-' | awk '{ print $1; if ($1 ~ /,$/) print $2 }' | tr -d , | sort
}

# bash_complete LINE: what the installed bash completion offers at the end
# of LINE (one candidate a line), in a clean bash whose PATH finds the
# package's oci-rt. It sources the completion file, finds the function
# `complete -p oci-rt` names, sets COMP_WORDS, COMP_CWORD, COMP_LINE and
# COMP_POINT as readline would (which splits words at '=' too) and calls it.
bash_complete() {
    PATH=$SYS_PATH bash --norc --noprofile -c '
        source "$1" || exit 1
        fn=$(complete -p oci-rt | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
        [ -n "$fn" ] || { echo "no completion function for oci-rt" >&2; exit 1; }
        line=$2
        COMP_LINE=$line
        COMP_POINT=${#line}
        read -ra COMP_WORDS <<<"${line//=/ = }"
        [[ $line == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMPREPLY=()
        "$fn" oci-rt "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        printf "%s\n" "${COMPREPLY[@]}"' _ "$BASH_COMPLETION" "$1"
}

# zsh_complete LINE: the same through zsh's completion system (compinit,
# the installed _oci-rt), in an interactive zsh on a pseudo-terminal.
zsh_complete() {
    PATH=$SYS_PATH timeout 30 zsh -f "$PKG_DIR/zcomp.zsh" "$ZSH_COMPLETION_DIR" "$1" | sort -u
}

# A container made (created, not started) by the package's oci-rt under
# the state root $1, with id $2, from the test rootfs.
create_container() {
    local root=$1 id=$2 bundle=$BATS_TEST_TMPDIR/bundle
    mkdir -p "$TEST_CACHE" "$bundle"
    bash "$REPO/tests/lib/mkrootfs.sh" "$TEST_CACHE/rootfs" >/dev/null 2>&1 || return 1
    "$BIN" spec --bundle "$bundle" || return 1
    jq --arg r "$TEST_CACHE/rootfs" \
        '.root = {path: $r, readonly: true} | .process.terminal = false | .process.args = ["sleep", "600"]' \
        "$bundle/config.json" >"$bundle/config.json.new" && mv "$bundle/config.json.new" "$bundle/config.json"
    "$BIN" --root "$root" create --bundle "$bundle" "$id"
}
