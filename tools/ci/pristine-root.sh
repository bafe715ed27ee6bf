#!/usr/bin/env bash
# Proves the README on a pristine Debian 12, as CI must (a green CI on a hand-set-up machine once hid a missing
# package). Needs root (debootstrap, chroot, mounts) and network access to the host's Debian mirror.
#
#   tools/ci/pristine-root.sh            all steps below
#   P2P_CI_SCRATCH=/path                 where the roots are made (default /var/tmp/p2p-ci); wiped first
#   P2P_CI_CACHE=/path                   debootstrap/apt download cache (default /var/cache/p2p-ci)
#   P2P_CI_KEEP_ROOTS=1                  leave the roots for a look afterwards (unmounted)
#
# 1. debootstrap --variant=minbase bookworm, from the mirror in the host's own apt sources (none is written here).
# 2. The checkout's tracked files go to /src/main in the root and ../shared (read-only) beside them; the README's
#    test command, ./tools/test.sh, runs there exactly as written, with the host's ccache bind-mounted.
# 3. The README's first command, ./tools/studio.sh, runs there with --self-test, headless, with a first-start
#    HOME: the embedded facades model must load and translate a stored label map into a picture.
# 4. The tests that skip as root (permission checks) run again as an unprivileged user, and must not skip.
# 5. cpack makes the .deb; a second pristine root installs it with apt-get, which pulls its dependencies, and
#    runs `pix2pix translate` with the installed model and `pix2pix-studio --self-test`.
set -euo pipefail
SRC="$(cd "$(dirname "$0")/../.." && pwd)"
SHARED="$(cd "$SRC/.." && pwd)/shared"
SCRATCH="${P2P_CI_SCRATCH:-/var/tmp/p2p-ci}"
CACHE="${P2P_CI_CACHE:-/var/cache/p2p-ci}"
HOST_CCACHE="${CCACHE_DIR:-${HOME:-/root}/.cache/ccache}"
ROOT="$SCRATCH/root"
DEB_ROOT="$SCRATCH/deb-root"
SUITE=bookworm

log() { echo "pristine-root: $*"; }
die() { echo "pristine-root: FAILED: $*" >&2; exit 1; }
elapsed() { echo $(( $(date +%s) - $1 )); }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot and bind mounts)"
[ -d "$SHARED" ] || die "$SHARED (../shared beside the checkout) is missing; the tests need it"

# ------------------------------------------------------------------------------------------------ mounts

mounts_under() { awk -v r="$1" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r; }

unmount_all() {
  local root="$1" m
  for m in $(mounts_under "$root"); do umount -l "$m" 2>/dev/null || true; done
}

# Removes a root only when nothing is mounted inside it: a bind-mounted cache on the same disk would otherwise
# be deleted with it.
remove_root() {
  local root="$1"
  [ -e "$root" ] || return 0
  unmount_all "$root"
  if [ -n "$(mounts_under "$root")" ]; then die "cannot unmount everything under $root; not deleting it"; fi
  rm -rf "$root"
}

cleanup() {
  local status=$?
  for r in "$ROOT" "$DEB_ROOT"; do
    if [ "${P2P_CI_KEEP_ROOTS:-0}" = 1 ]; then unmount_all "$r"; else remove_root "$r"; fi
  done
  exit $status
}
trap cleanup EXIT

bind() {  # bind SRC DEST [ro]
  mkdir -p "$2"
  mount --bind "$1" "$2"
  if [ "${3:-}" = ro ]; then mount -o remount,bind,ro "$2"; fi
}

mount_system() {
  local root="$1"
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys"
  mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev"
  mkdir -p "$CACHE/apt-archives/partial"
  bind "$CACHE/apt-archives" "$root/var/cache/apt/archives"  # .debs downloaded once, kept for a warm CI
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  # debootstrap writes no /etc/hosts (Debian's installer does, with localhost): without it "localhost" does not
  # resolve, and torchrun --standalone's rendezvous on localhost:29400 cannot start.
  [ -e "$root/etc/hosts" ] || cp -L /etc/hosts "$root/etc/hosts"
}

# Runs a command in a root as a clean login would: root's HOME, a plain PATH, no host variables.
in_root() {
  local root="$1"; shift
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI=true \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# ------------------------------------------------------------------------------------------------ the mirror

# The host's Debian mirror for $SUITE, from its apt sources (one-line .list or deb822 .sources).
host_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v s="$SUITE" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) while ($i !~ /\]$/) i++; if ($2 ~ /^\[/) i++;
                        if ($(i + 1) == s) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v s="$SUITE" 'BEGIN { RS = ""; FS = "\n" }
      { uri = ""; ok = 0; deb = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); uri = u[1] }
          if ($i ~ /^Types:/ && $i ~ /(^|[ \t])deb([ \t]|$)/) deb = 1
          if ($i ~ /^Suites:/) { n = split($i, w, /[ \t]+/); for (j = 2; j <= n; j++) if (w[j] == s) ok = 1 }
          if ($i ~ /^Enabled:[ \t]*no/) deb = 0 }
        if (ok && deb && uri != "") { print uri; exit } }' "$f"
  done
}

# The host's apt sources and Acquire settings (proxy, snapshot validity) for the new root, so it installs
# from where the host does.
copy_apt_config() {
  local root="$1" f
  rm -f "$root/etc/apt/sources.list"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && grep -qw "$SUITE" "$f" || continue
    # A source signed by a keyring the root does not have (a vendor's) is not Debian's: leave it out.
    local key; key=$(sed -n 's/^Signed-By:[ \t]*//p; s/.*signed-by=\([^] ]*\).*/\1/p' "$f" | head -1)
    if [ -n "$key" ] && [ ! -f "$root$key" ]; then continue; fi
    mkdir -p "$root$(dirname "$f")"
    cp "$f" "$root$f"
  done
  for f in /etc/apt/apt.conf.d/*; do
    [ -f "$f" ] && grep -q '^Acquire::' "$f" && cp "$f" "$root/etc/apt/apt.conf.d/" || true
  done
}

make_pristine_root() {
  local mirror; mirror=$(host_mirror | head -1)
  [ -n "$mirror" ] || die "no '$SUITE' Debian mirror in the host's apt sources (/etc/apt/sources.list*)"
  command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
  mkdir -p "$CACHE/debootstrap"
  log "debootstrap --variant=minbase $SUITE from the host's mirror $mirror"
  debootstrap --variant=minbase --cache-dir="$CACHE/debootstrap" "$SUITE" "$ROOT" "$mirror" \
    > "$SCRATCH/debootstrap.log" 2>&1 || { tail -20 "$SCRATCH/debootstrap.log"; die "debootstrap failed"; }
  copy_apt_config "$ROOT"
}

# ------------------------------------------------------------------------------------------------ steps

t0=$(date +%s)
mkdir -p "$SCRATCH" "$CACHE" "$HOST_CCACHE"
remove_root "$ROOT"
remove_root "$DEB_ROOT"
make_pristine_root
cp -a "$ROOT" "$DEB_ROOT"  # the second root starts just as pristine
log "pristine root made in $(elapsed "$t0") s"

# The checkout: its tracked files as they are in the working tree (a clean clone in CI), models included.
mkdir -p "$ROOT/src/main"
git -C "$SRC" ls-files -z --recurse-submodules | (cd "$SRC" && tar --null -T - -cf -) | tar -xf - -C "$ROOT/src/main"
mount_system "$ROOT"
bind "$SHARED" "$ROOT/src/shared" ro
bind "$HOST_CCACHE" "$ROOT/root/.cache/ccache"

step=$(date +%s)
log "the README's test command: ./tools/test.sh (unprivileged first: install-deps must say what it cannot install)"
if in_root "$ROOT" setpriv --reuid=65534 --regid=65534 --clear-groups /bin/bash -c 'cd /src/main && tools/install-deps.sh' \
     > "$SCRATCH/install-deps-unprivileged.log" 2>&1; then
  die "install-deps.sh as a plain user without sudo should fail on a pristine root"
fi
grep -q "cannot be installed" "$SCRATCH/install-deps-unprivileged.log" && grep -q "libtorch-dev" "$SCRATCH/install-deps-unprivileged.log" \
  || { cat "$SCRATCH/install-deps-unprivileged.log"; die "install-deps.sh gave no clear message without sudo"; }
in_root "$ROOT" P2P_TESTS_REQUIRE_SHARED=1 /bin/bash -c 'cd /src/main && ./tools/test.sh' \
  || die "./tools/test.sh failed on the pristine root"
log "./tools/test.sh passed on the pristine root in $(elapsed "$step") s"

step=$(date +%s)
log "the README's first command: ./tools/studio.sh --self-test (headless, first start)"
in_root "$ROOT" QT_QPA_PLATFORM=offscreen /bin/bash -c \
  'export HOME=$(mktemp -d) && cd /src/main && ./tools/studio.sh --self-test' \
  || die "the studio's self-test failed on the pristine root"
log "studio self-test passed in $(elapsed "$step") s"

step=$(date +%s)
log "permission tests as an unprivileged user (ctest -L unprivileged)"
in_root "$ROOT" /bin/bash -c 'mkdir -p /src/main/build/Testing/Temporary && chmod -R a+rwX /src/main/build/Testing'
in_root "$ROOT" setpriv --reuid=65534 --regid=65534 --clear-groups \
  /usr/bin/env HOME=/tmp P2P_TESTS_REQUIRE_UNPRIVILEGED=1 P2P_TESTS_REQUIRE_SHARED=1 \
  ctest --test-dir /src/main/build -L unprivileged --output-on-failure --no-tests=error \
  || die "the permission tests failed as an unprivileged user"
log "permission tests passed unprivileged in $(elapsed "$step") s"

step=$(date +%s)
log "the .deb: cpack, then apt-get install ./pix2pix-studio_*.deb on a second pristine root"
in_root "$ROOT" /bin/bash -c 'cd /src/main/build && cpack -G DEB' > "$SCRATCH/cpack.log" 2>&1 \
  || { tail -30 "$SCRATCH/cpack.log"; die "cpack failed"; }
deb=$(ls "$ROOT"/src/main/build/pix2pix-studio_*.deb | head -1)
[ -f "$deb" ] || die "cpack made no .deb"
dpkg-deb -f "$deb" Depends | sed 's/^/pristine-root: Depends: /'
mount_system "$DEB_ROOT"
cp "$deb" "$DEB_ROOT/tmp/"
cp "$ROOT/src/main/resources/examples/facade-labels.png" "$DEB_ROOT/tmp/labels.png"
in_root "$DEB_ROOT" /bin/bash -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends /tmp/'"$(basename "$deb")" > "$SCRATCH/deb-install.log" 2>&1 \
  || { tail -30 "$SCRATCH/deb-install.log"; die "apt-get install of the .deb failed"; }
in_root "$DEB_ROOT" pix2pix translate --model /usr/share/pix2pix-studio/models/facades.p2pm \
  --input /tmp/labels.png --output /tmp/photo.png || die "pix2pix translate with the installed model failed"
[ -s "$DEB_ROOT/tmp/photo.png" ] || die "pix2pix translate wrote no output"
sigma=$(convert "$DEB_ROOT/tmp/photo.png" -colorspace gray -format '%[fx:int(255*standard_deviation)]' info:)
[ "$sigma" -ge 4 ] || die "the installed model's output is blank (grey-level σ $sigma)"
log "installed pix2pix translate: output $(identify -format '%wx%h' "$DEB_ROOT/tmp/photo.png"), grey-level σ $sigma"
in_root "$DEB_ROOT" QT_QPA_PLATFORM=offscreen /bin/bash -c 'export HOME=$(mktemp -d) && pix2pix-studio --self-test' \
  || die "the installed studio's self-test failed"
log ".deb checks passed in $(elapsed "$step") s"
log "all passed in $(elapsed "$t0") s"
