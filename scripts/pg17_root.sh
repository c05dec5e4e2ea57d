#!/usr/bin/env bash
# `make test-pg17`: the project's own `make test` on PostgreSQL 17, in a Debian 13 (trixie) root that debootstrap
# builds from the Debian mirror this machine's apt is configured with. The root is kept under .pg/pg17-root
# between runs (only its Python, Node.js, npm and make; set-up inside installs PostgreSQL 17 the way it does on
# a Debian 13 machine). Every run copies the checkout as it is now (tracked and new files, not ignored ones) into
# the root; the root keeps its own .venv, .venv-lowest and node_modules. The host's CA bundle and certificate
# variables are carried in, so the root trusts what the host trusts. Runs as root (debootstrap, chroot and
# mounts need it); the mounts live in a mount namespace of this script's own and are undone on exit.
# The root shares the host's network: LEADSTROOM_PORT_BASE moves its clusters' ports as on the host.
#
#   scripts/pg17_root.sh [COMMAND...]    default: make test      (make test-pg17)
#   scripts/pg17_root.sh bash            a shell in the root, in the copied checkout
set -euo pipefail
project=$(cd "$(dirname "$0")/.." && pwd -P)
cache=$project/.pg/pg17-root
target=$cache/root
suite=trixie
# what the root is built with; a change here rebuilds it
root_packages=(python3 python3-venv nodejs npm make ca-certificates)
recipe="debian $suite minbase + ${root_packages[*]} (1)"

say() { echo "test-pg17: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  say "needs root: debootstrap, chroot and mounting /proc, /sys and /dev in the Debian 13 root (run: sudo make test-pg17)"
  exit 1
fi
for tool in unshare chroot git; do
  command -v "$tool" >/dev/null || { say "needs $tool"; exit 1; }
done

# Everything below runs in a private mount namespace: nothing mounted here is seen by the host or outlives us.
if [ -z "${LEADSTROOM_PG17_NAMESPACE:-}" ]; then
  LEADSTROOM_PG17_NAMESPACE=1 exec unshare --mount --propagation private -- "$0" "$@"
fi

# The mirror of the host's own Debian suite, from its apt sources (deb822 .sources and one-line .list files).
debian_mirror() {
  local codename
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ -n "$codename" ] || return 1
  {
    awk -v cn="$codename" '
      function flush() {
        if (!found && (" " types " ") ~ / deb / && (" " suites " ") ~ (" " cn " ") && enabled != "no" && uris != "") {
          split(uris, u, " "); print u[1]; found = 1
        }
        types = ""; uris = ""; suites = ""; enabled = ""
      }
      FNR == 1 { flush() }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]*#/ { next }
      { key = tolower($1); $1 = "" }
      key == "types:" { types = $0 } key == "uris:" { uris = $0 } key == "suites:" { suites = $0 }
      key == "enabled:" { enabled = tolower($2) }
      END { flush() }' /etc/apt/sources.list.d/*.sources 2>/dev/null
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | sed -E 's/\[[^]]*\]//' \
      | awk -v cn="$codename" '$1 == "deb" && $3 == cn { print $2 }'
  } | head -n 1 | sed 's:/*$::'
}

mounted=()
in_root_pids() {
  local pid
  for pid in /proc/[0-9]*; do
    if [ "$(readlink "$pid/root" 2>/dev/null)" = "$target" ]; then echo "${pid#/proc/}"; fi
  done
}
cleanup() {
  local pids i
  # processes left in the root (a server a failed test did not stop) go first, then the mounts, innermost first
  pids=$(in_root_pids)
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for i in 1 2 3 4 5 6 7 8 9 10; do [ -z "$(in_root_pids)" ] && break; sleep 1; done
  fi
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
  done
  mounted=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mount_into_root() {
  mkdir -p "$target/proc" "$target/sys" "$target/dev"
  mount -t proc proc "$target/proc" && mounted+=("$target/proc")
  mount -t sysfs sysfs "$target/sys" && mounted+=("$target/sys")
  mount --bind /dev "$target/dev" && mounted+=("$target/dev")
  mount --bind /dev/pts "$target/dev/pts" && mounted+=("$target/dev/pts")
  # PostgreSQL's shared memory; a tmpfs of the root's own
  mount -t tmpfs -o mode=1777 shm "$target/dev/shm" && mounted+=("$target/dev/shm")
  # what lies beside the checkout (shared/, whose runbook tests/test_sop.py reads), read-only beside the copy
  if [ -d "$project/../shared" ]; then
    mkdir -p "$target/shared"
    mount --bind "$project/../shared" "$target/shared" && mounted+=("$target/shared")
    mount -o remount,bind,ro "$target/shared"
  fi
}

# What the host trusts: its CA bundle, and every certificate variable that names a file or folder (copied to the
# same path in the root, the variable passed on); proxy settings as they are.
passenv=()
carry_trust() {
  local name value
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    mkdir -p "$target/etc/ssl/certs"
    cp -L /etc/ssl/certs/ca-certificates.crt "$target/etc/ssl/certs/ca-certificates.crt"
  fi
  for name in $(compgen -e); do
    value=${!name}
    case $name in
      *CERT* | *CA_BUNDLE* | *CAINFO* | *CAPATH* | *SSL_ROOTS*)
        if [ -f "$value" ]; then
          mkdir -p "$target$(dirname "$value")"
          cp -L --remove-destination "$value" "$target$value"
        elif [ -d "$value" ]; then
          mkdir -p "$target$value"
          cp -rL --remove-destination "$value/." "$target$value/"
        else
          continue
        fi
        passenv+=("$name=$value")
        ;;
      http_proxy | https_proxy | no_proxy | HTTP_PROXY | HTTPS_PROXY | NO_PROXY) passenv+=("$name=$value") ;;
    esac
  done
  cp -L /etc/resolv.conf "$target/etc/resolv.conf" 2>/dev/null || true
  cp -L /etc/hosts "$target/etc/hosts" 2>/dev/null || true
}

in_root() {
  chroot "$target" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    CI="${CI:-}" LEADSTROOM_PORT_BASE="${LEADSTROOM_PORT_BASE:-25430}" "${passenv[@]}" "$@"
}

build_root() {
  local mirror
  mirror=$(debian_mirror) || true
  if [ -z "$mirror" ]; then
    say "no Debian mirror for this machine's own suite in /etc/apt/sources.list or /etc/apt/sources.list.d/"
    exit 1
  fi
  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi
  say "building the Debian 13 root from $mirror into ${target#"$project"/} (once; a few minutes)"
  rm -rf "$target" "$target.new"
  mkdir -p "$cache"
  debootstrap --variant=minbase "$suite" "$target.new" "$mirror" >"$cache/debootstrap.log" 2>&1 || {
    say "debootstrap failed; its log ends:"
    tail -n 15 "$cache/debootstrap.log" >&2
    exit 1
  }
  printf 'deb %s %s main\ndeb %s %s-updates main\n' "$mirror" "$suite" "$mirror" "$suite" \
    >"$target.new/etc/apt/sources.list"
  # the host's word on the mirror's dates (a mirror serving a frozen snapshot has expired Release files)
  apt-config dump | grep -E '^Acquire::Check-(Valid-Until|Date) ' >"$target.new/etc/apt/apt.conf.d/99host" || true
  # packages installed in the root never start their services (the network is the host's)
  printf '#!/bin/sh\nexit 101\n' >"$target.new/usr/sbin/policy-rc.d"
  chmod +x "$target.new/usr/sbin/policy-rc.d"
  mv "$target.new" "$target"
}

stamp=$target/.leadstroom-root
if [ "$(cat "$stamp" 2>/dev/null)" != "$recipe" ]; then
  build_root
  mount_into_root
  carry_trust
  say "installing ${root_packages[*]} in the root"
  in_root apt-get update -qq
  in_root apt-get install -y -qq --no-install-recommends "${root_packages[@]}" >"$cache/apt.log" 2>&1 || {
    say "apt-get install in the root failed; its log ends:"
    tail -n 15 "$cache/apt.log" >&2
    exit 1
  }
  echo "$recipe" >"$stamp"
else
  mount_into_root
  carry_trust
fi

# The checkout as it is now, into /leadstroom in the root; the root's own installs and clusters stay.
src=$target/leadstroom
mkdir -p "$src"
find "$src" -mindepth 1 -maxdepth 1 ! -name .venv ! -name .venv-lowest ! -name node_modules ! -name .pg \
  -exec rm -rf {} +
git -C "$project" ls-files -z --cached --others --exclude-standard \
  | (cd "$project" && while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done) \
  | tar -C "$project" --null -T - -cf - | tar -C "$src" -xf -

command=("$@")
[ ${#command[@]} -gt 0 ] || command=(make test)
say "Debian $(cat "$target/etc/debian_version"), $(in_root python3 --version), node $(in_root node --version)," \
  "npm $(in_root npm --version); running: ${command[*]}"
status=0
in_root bash -c 'cd /leadstroom && exec "$@"' bash "${command[@]}" || status=$?

# the run is only worth its name on PostgreSQL 17
server=$(in_root bash -c 'cd /leadstroom && "$(scripts/pg_major.sh --bin)/postgres" --version' 2>&1) || true
say "ran on: ${server:-no PostgreSQL}"
if [[ $server != *" 17."* ]]; then
  say "the root's set-up did not give PostgreSQL 17"
  [ "$status" -ne 0 ] || status=1
fi
# set-up must leave a newcomer's checkout as it was, with Debian 13's npm too
for f in package.json package-lock.json; do
  if ! cmp -s "$project/$f" "$src/$f"; then
    say "set-up in Debian 13 modified $f (npm $(in_root npm --version))"
    [ "$status" -ne 0 ] || status=1
  fi
done
exit "$status"
