#!/usr/bin/env bash
# Idempotent host setup: installs the Debian packages Berth needs when run as root,
# otherwise names the missing ones. Runs before `npm run demo` and `npm test`.
set -euo pipefail

# package -> a command (or file) that proves it is installed
declare -A NEEDS=(
  [runc]=runc                                 # OCI runtime (default)
  [crun]=crun                                 # alternative OCI runtime, probed
  [conmon]=conmon                             # per-container monitor
  [busybox-static]=/bin/busybox               # test and demo images are built from it
  [docker-registry]=docker-registry           # local registry for pull/push tests
  [skopeo]=skopeo                             # interop peer for pull/push
  [iptables]=iptables                         # NAT and port publishing
  [nftables]=nft
  [iproute2]=ip                               # bridges, veths, netns
  [golang-github-containers-common]=/usr/share/containers/seccomp.json  # default seccomp profile
  [clang-14]=clang-14                         # builds the WASM demo program
  [lld-14]=wasm-ld-14
  [wasi-libc]=/usr/lib/wasm32-wasi/libc.a
  [libclang-rt-14-dev-wasm32]=/usr/lib/llvm-14/lib/clang/14.0.6/lib/wasi/libclang_rt.builtins-wasm32.a
  [python3-docker]=/usr/lib/python3/dist-packages/docker/__init__.py  # docker-py scenario
  [procps]=ps
  [curl]=curl
  [socat]=socat                               # runtime-linux: tty exec and attach stdin (SEQPACKET)
  [apache2-utils]=htpasswd                    # bcrypt htpasswd entries for registry auth tests
  [tini]=/usr/bin/tini-static                 # docker run --init: bound into the container as /sbin/docker-init
)

have() { case "$1" in /*) [ -e "$1" ] ;; *) command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ] ;; esac; }

missing=()
for pkg in "${!NEEDS[@]}"; do
  have "${NEEDS[$pkg]}" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "berth setup: installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
  echo "berth setup: missing Debian packages: ${missing[*]}" >&2
  echo "berth setup: install them as root with: apt-get install ${missing[*]}" >&2
fi
