#!/usr/bin/env bats
# The release tarball and the Debian package: make distcheck, then
# dpkg-buildpackage -us -uc -b on the tarball's files, lintian, what the
# .deb holds. install.bats installs the .deb built here.

load helpers

@test "make distcheck: the tarball builds out of tree (read-only sources, as nobody), checks, installs, uninstalls" {
    local dc=$PKG_WORK/distcheck
    mkdir -p "$dc"
    dist_tree "$dc"
    chown -R nobody: "$dc"
    # as nobody, so that the read-only source tree of distcheck's VPATH
    # build is read-only indeed
    local rc=0
    runuser -u nobody -- sh -c "cd '$dc/oci-rt-$VERSION' && ./configure -q && make -s -j$(nproc) distcheck" \
        >"$dc/log" 2>&1 || rc=$?
    [ "$rc" = 0 ] && grep -q 'archives ready for distribution' "$dc/log" || {
        tail -40 "$dc/log"
        false
    }
    rm -rf "$dc"
}

@test "dpkg-buildpackage -us -uc -b builds oci-rt_VERSION_ARCH.deb from the tarball's files" {
    mkdir -p "$PKG_WORK/build"
    dist_tree "$PKG_WORK/build"
    cd "$PKG_WORK/build/oci-rt-$VERSION"
    local rc=0
    dpkg-buildpackage -us -uc -b -j"$(nproc)" >"$PKG_WORK/build/log" 2>&1 || rc=$?
    [ "$rc" = 0 ] && [ -f "$DEB" ] && [ -f "$CHANGES" ] || {
        tail -40 "$PKG_WORK/build/log"
        false
    }
    # the unit tests ran in the build (dh_auto_test: make check) unless nocheck
    [[ ${DEB_BUILD_OPTIONS:-} == *nocheck* ]] || grep -q '^# FAIL: *0' "$PKG_WORK/build/log"
    dpkg-deb -I "$DEB" | grep -E '^ (Package|Version|Depends|Recommends|Built-Using):' >&3
}

@test "lintian: no error in the package" {
    [ -f "$CHANGES" ] || skip "no package was built"
    run lintian --info "$CHANGES"
    echo "$output" | grep -v '^N:' | grep -v 'running with root privileges' | sed 's/^/# lintian: /' >&3 || true
    # --fail-on error is lintian's default: status 1 after an error
    [ "$status" = 0 ]
    [ -z "$(grep '^E:' <<<"$output")" ]
}

@test "the .deb holds the binaries, a man page per command, the completions, the engine configurations" {
    [ -f "$DEB" ] || skip "no package was built"
    local x=$PKG_WORK/extract c
    dpkg-deb -x "$DEB" "$x"
    [ -x "$x/usr/bin/oci-rt" ] && [ -x "$x/usr/bin/oci-bench" ]
    # a static oci-rt comes with its dynamic twin (libcontainer/dynload.h)
    if ! readelf -l "$x/usr/bin/oci-rt" | grep -q 'program interpreter'; then
        [ -x "$x/usr/libexec/oci-rt/oci-rt-dynamic" ]
        readelf -l "$x/usr/libexec/oci-rt/oci-rt-dynamic" | grep -q 'program interpreter'
    fi
    [ -f "$x/usr/share/man/man8/oci-rt.8.gz" ] && [ -f "$x/usr/share/man/man8/oci-bench.8.gz" ]
    local n=0
    for c in $(commands_of "$x/usr/bin/oci-rt"); do
        [ -f "$x/usr/share/man/man8/oci-rt-$c.8.gz" ] || {
            echo "no man page for $c"
            false
        }
        n=$((n + 1))
    done
    [ "$n" -ge 19 ]
    # nothing but pages of commands there are
    [ "$(find "$x/usr/share/man/man8" -name 'oci-rt-*.8.gz' | wc -l)" = "$n" ]
    [ -f "$x$BASH_COMPLETION" ] && [ -f "$x$ZSH_COMPLETION_DIR/_oci-rt" ]
    grep -q '^complete -F _oci_rt oci-rt$' "$x$BASH_COMPLETION"
    grep -q '^#compdef oci-rt$' "$x$ZSH_COMPLETION_DIR/_oci-rt"
    # the engine configurations, naming the package's binary
    local doc=$x/usr/share/doc/oci-rt
    for c in docker/daemon.json podman/containers.conf containerd/config.toml \
        crio/crio.conf.d/10-oci-rt.conf kubernetes/runtimeclass.yaml; do
        [ -f "$doc/contrib/$c" ] || {
            echo "missing contrib/$c"
            false
        }
    done
    [ "$(jq -r '.runtimes."oci-rt".path' "$doc/contrib/docker/daemon.json")" = /usr/bin/oci-rt ]
    grep -q '^runtime_path = "/usr/bin/oci-rt"$' "$doc/contrib/crio/crio.conf.d/10-oci-rt.conf"
    grep -q 'BinaryName = "/usr/bin/oci-rt"$' "$doc/contrib/containerd/config.toml"
    [ -f "$doc/copyright" ] && [ -f "$doc/README.md.gz" ]
    # the version of the tree built
    run "$x/usr/bin/oci-rt" --version
    [[ ${lines[0]} == "oci-rt version $VERSION" ]]
    [[ ${lines[1]} == "commit: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)" ]]
}
