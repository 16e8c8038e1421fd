#!/usr/bin/env bash
# Prepares a Docker engine for the deploy tests (internal/testenv.RequireDocker)
# and the base images mlctl's deploy images build on. No registry is
# reachable here, so every base image is built locally from Debian packages:
#
#   mlctl-base/glibc:bookworm           glibc + libgcc + libstdc++ only (a few MB): the
#                                       default base for pmml and onnx bundles
#   mlctl-base/python-sklearn:bookworm  debootstrap minbase + python3-sklearn (large):
#                                       the base for pickle bundles; built only
#                                       when MLCTL_DOCKER_PYTHON_BASE=1
#
# Also installs a registry (distribution v3) into the cache for push tests.
# Starts dockerd only when no daemon answers, and records the PID of the one
# it started in $cache/dockerd.pid (scripts/testenv/docker.sh stop ends only
# that one). Safe to run again: cached root filesystems make reruns fast.
set -euo pipefail
cd "$(dirname "$0")/../.."

cache="${XDG_CACHE_HOME:-$HOME/.cache}/mlctl"
dcache="$cache/docker"
pidfile="$cache/dockerd.pid"
sock=/var/run/docker.sock
suite=bookworm
mirror="${MLCTL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
REGISTRY_VERSION=v3.1.2

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

if [ "${1:-}" = stop ]; then
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "testenv: stopping the dockerd this script started (pid $(cat "$pidfile"))"
    $sudo kill "$(cat "$pidfile")"
    rm -f "$pidfile"
  fi
  exit 0
fi

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  echo "testenv: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# An unrelated client earlier on PATH may shadow Debian's; use Debian's.
docker=/usr/bin/docker
[ -x "$docker" ] || docker=docker

engine_up() { $sudo "$docker" -H "unix://$sock" version >/dev/null 2>&1; }

mkdir -p "$dcache"
if ! engine_up; then
  echo "testenv: starting dockerd (log: $dcache/dockerd.log)"
  # No bridge or iptables here: containers use the host network.
  $sudo setsid dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
    >"$dcache/dockerd.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 60); do
    engine_up && break
    sleep 1
  done
  engine_up || { echo "testenv: dockerd did not answer on $sock within 60s; see $dcache/dockerd.log" >&2; exit 1; }
fi

# Reproducible tarballs: sorted, numeric owners, fixed times.
tar_rootfs() { tar --sort=name --numeric-owner --mtime=@0 --clamp-mtime -C "$1" -cf "$2" "${@:3}"; }

# debootstrap_tar DIR_NAME TARBALL [--include=...]: a minbase root file system, cached as a tarball.
debootstrap_tar() {
  local out=$2
  [ -s "$out" ] && return 0
  local dir
  dir=$(mktemp -d "$dcache/rootfs.XXXXXX")
  echo "testenv: debootstrap --variant=minbase $suite ${*:3} (a few minutes once; cached in $out)"
  $sudo debootstrap --variant=minbase "${@:3}" "$suite" "$dir" "$mirror" >"$dcache/debootstrap-$1.log" 2>&1 ||
    { echo "testenv: debootstrap failed; see $dcache/debootstrap-$1.log" >&2; exit 1; }
  # mktemp made the root 0700: the image's / must be traversable by non-root users.
  $sudo chmod 755 "$dir"
  $sudo rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/var/log/* "$dir"/dev/*
  $sudo bash -c "$(declare -f tar_rootfs); tar_rootfs '$dir' '$out.tmp' ."
  mv "$out.tmp" "$out"
  $sudo rm -rf "$dir"
}

image_exists() { $sudo "$docker" image inspect "$1" >/dev/null 2>&1; }

minbase="$dcache/$suite-minbase.tar"
debootstrap_tar minbase "$minbase"

# The glibc base: only the shared libraries of libc6, libgcc-s1 and
# libstdc++6 from the minbase root, plus passwd/group with the non-root
# user 65532 the images run as and a /tmp.
glibc_image=mlctl-base/glibc:$suite
glibc_tar="$dcache/$suite-glibc.tar"
if [ ! -s "$glibc_tar" ]; then
  work=$(mktemp -d "$dcache/glibc.XXXXXX")
  mkdir -p "$work/full" "$work/root"
  tar -C "$work/full" -xf "$minbase"
  for pkg in libc6 libgcc-s1 libstdc++6; do
    list=""
    for l in "$work/full/var/lib/dpkg/info/$pkg".list "$work/full/var/lib/dpkg/info/$pkg":*.list; do
      [ -f "$l" ] && list=$l && break
    done
    [ -n "$list" ] || { echo "testenv: $pkg not in the minbase root" >&2; exit 1; }
    while IFS= read -r f; do
      case "$f" in /usr/share/doc/*|/usr/share/lintian/*|/usr/share/locale/*|/usr/share/man/*) continue ;; esac
      # usrmerge: /lib, /lib64, /bin, /sbin are links into /usr; copy the real path.
      top=${f#/}; top=${top%%/*}
      [ -L "$work/full/$top" ] && f="/usr$f"
      if [ -f "$work/full$f" ] || [ -L "$work/full$f" ]; then
        (cd "$work/full" && cp -a --parents ".$f" "$work/root/")
      fi
    done <"$list"
  done
  # usrmerge: /lib, /lib64 are links into /usr in bookworm.
  for l in lib lib64 bin sbin; do
    [ -L "$work/full/$l" ] && cp -a "$work/full/$l" "$work/root/$l"
  done
  mkdir -p "$work/root/etc" "$work/root/tmp" "$work/root/home/nonroot"
  chmod 755 "$work/root"
  chmod 1777 "$work/root/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$work/root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$work/root/etc/group"
  chown 65532:65532 "$work/root/home/nonroot"
  tar_rootfs "$work/root" "$glibc_tar.tmp" .
  mv "$glibc_tar.tmp" "$glibc_tar"
  rm -rf "$work"
fi
if ! image_exists "$glibc_image"; then
  echo "testenv: importing $glibc_image"
  $sudo "$docker" import "$glibc_tar" "$glibc_image" >/dev/null
fi

if [ "${MLCTL_DOCKER_PYTHON_BASE:-0}" = 1 ]; then
  py_image=mlctl-base/python-sklearn:$suite
  py_tar="$dcache/$suite-python-sklearn.tar"
  debootstrap_tar python-sklearn "$py_tar" --include=python3-sklearn
  if ! image_exists "$py_image"; then
    echo "testenv: importing $py_image"
    $sudo "$docker" import "$py_tar" "$py_image" >/dev/null
  fi
fi

# A registry for push tests: distribution v3, outside any module so the
# project's go.mod is untouched.
bin="$cache/bin"
stamp="$bin/.registry-$REGISTRY_VERSION"
if [ ! -x "$bin/registry" ] || [ ! -f "$stamp" ]; then
  echo "testenv: installing the distribution registry $REGISTRY_VERSION into $bin"
  mkdir -p "$bin"
  if (cd "$(mktemp -d)" && GOBIN="$bin" GOFLAGS=-mod=mod go install "github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_VERSION"); then
    rm -f "$bin"/.registry-*
    touch "$stamp"
  else
    echo "testenv: could not install the registry (push tests will skip)" >&2
  fi
fi
