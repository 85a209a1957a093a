#!/usr/bin/env bash
# Runs a command inside an approximation of freeze-relay.service's sandbox, for machines
# (containers, CI) where systemd is not PID 1 and `systemd-run -p ...` is not available.
#
# Usage (as root; needs util-linux unshare/setpriv, python3-seccomp, systemd-analyze):
#   deploy/systemd/sandbox-smoke.sh STATE_DIR -- COMMAND [ARG ...]
# e.g.
#   deploy/systemd/sandbox-smoke.sh /var/lib/freeze-relay-smoke -- \
#       .build/release/freeze-relay demo --duration 40s --port 0 \
#       --database /var/lib/freeze-relay-smoke/demo.sqlite
#
# What it reproduces, in a private mount and PID namespace:
#   ProtectSystem=strict    every mount read-only except /dev, /proc, /sys and STATE_DIR
#   PrivateTmp=yes          empty tmpfs on /tmp and /var/tmp
#   ProtectProc=invisible, ProcSubset=pid
#                           /proc remounted with hidepid=invisible,subset=pid
#   User=, CapabilityBoundingSet=, AmbientCapabilities=, NoNewPrivileges=yes
#                           the command runs as "nobody" with no capabilities at all
#   SystemCallFilter=, SystemCallArchitectures=native, MemoryDenyWriteExecute=yes
#                           seccomp rules from sandbox-smoke.py (see there)
# What it does not: ProtectKernel*/ProtectControlGroups/PrivateDevices (read-only /proc/sys
# and /sys, minimal /dev), RestrictAddressFamilies, RestrictNamespaces, LockPersonality,
# PrivateUsers, PrivateIPC, LoadCredential.
set -euo pipefail

if [ "$#" -lt 3 ] || [ "$2" != "--" ]; then
    sed -n '2,/^set -euo/p' "$0" | sed -e 's/^# \{0,1\}//' -e '$d' >&2
    exit 2
fi
[ "$(id -u)" -eq 0 ] || { echo "sandbox-smoke: run as root (it sets up namespaces, then drops to nobody)" >&2; exit 2; }
state="$(realpath -m "$1")"
shift 2
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$state"
chown nobody:nogroup "$state"
chmod 0750 "$state"

# Everything below runs in the new namespaces; the host's mounts are not touched.
# shellcheck disable=SC2016 # the script is expanded by the inner bash, on purpose
exec unshare --mount --pid --fork --propagation private -- bash -euo pipefail -c '
state="$1"; here="$2"; shift 2
mount -t proc -o hidepid=invisible,subset=pid proc /proc
# ProtectSystem=strict: remount every mount read-only, deepest first, but the API file systems.
ro=0
while read -r target; do
    case "$target" in /dev|/dev/*|/proc|/proc/*|/sys|/sys/*) continue ;; esac
    if mount -o remount,bind,ro "$target" 2>/dev/null; then ro=$((ro + 1)); fi
done < <(awk "{print \$2}" /proc/self/mounts | sort -r -u)
# PrivateTmp=yes
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /var/tmp
# StateDirectory=: the one writable place.
mount --bind "$state" "$state"
mount -o remount,bind,rw "$state"
echo "sandbox-smoke: $ro mounts read-only, private /tmp and /var/tmp, /proc subset=pid, writable $state" >&2
cd "$state"
exec setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all \
    --no-new-privs -- /usr/bin/python3 "$here/sandbox-smoke.py" "$@"
' sandbox "$state" "$here" "$@"
