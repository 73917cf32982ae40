# weftd.service under a real systemd: installs weft's .deb into a throwaway overlay on the clean
# Debian 12 root, boots that root's systemd as PID 1 in new PID, network, UTS, mount and cgroup
# namespaces (its cgroups are wtsd-PID in each of this machine's hierarchies, removed at the end),
# and checks that the unit starts weftd at boot, that a container runs, and that removing the
# package stops the service while the container keeps its networking.
# Run by SystemdServiceTest as: unshare --mount --propagation private -- bash THIS LOWER WORK DEB APTCACHE
set -euo pipefail
lower=$1 work=$2 deb=$3 aptcache=$4
. "$(dirname "$0")/debian-root.sh"
step() { printf '\n== %s\n' "$*"; }

sdpid= sdcg=wtsd-$$
hierarchies=$(awk '{for(i=1;i<=NF;i++) if($i=="-" && ($(i+1)=="cgroup" || $(i+1)=="cgroup2")) print $5}' /proc/self/mountinfo)

# Boots $r's systemd; sets $sdpid (its PID here).
boot() {
  awk '{for(i=1;i<=NF;i++) if($i=="-" && ($(i+1)=="cgroup" || $(i+1)=="cgroup2")) print $5, $(i+1), $(i+3)}' \
    /proc/self/mountinfo > "$r/.cgroups"
  for h in $hierarchies; do
    mkdir -p "$h/$sdcg"
    if [ -f "$h/cpuset.cpus" ]; then cat "$h/cpuset.cpus" > "$h/$sdcg/cpuset.cpus"; cat "$h/cpuset.mems" > "$h/$sdcg/cpuset.mems"; fi
  done
  cat > "$r/.boot.sh" <<'INNER'
set -e
r=$1
mount -t proc proc "$r/proc"
mount -t sysfs sysfs "$r/sys"
mount -t tmpfs -o mode=0755 tmpfs "$r/sys/fs/cgroup"
while read -r point type opts; do
  mkdir -p "$r$point"
  if [ "$type" = cgroup2 ]; then mount -t cgroup2 cgroup2 "$r$point"; else mount -t cgroup -o "${opts#rw,}" cgroup "$r$point"; fi
done < "$r/.cgroups"
mount -t tmpfs -o mode=0755 tmpfs "$r/run"
mount -t tmpfs tmpfs "$r/tmp"
exec chroot "$r" /usr/bin/env -i container=weft-test /lib/systemd/systemd
INNER
  # the launcher moves itself into the new cgroups, then becomes the namespaces' first process
  bash -c 'for h in $2; do echo $$ > "$h/$3/cgroup.procs"; done
           exec unshare --cgroup --pid --fork --net --uts --mount --propagation private bash "$1/.boot.sh" "$1"' \
    _ "$r" "$hierarchies" "$sdcg" </dev/null &
  local launcher=$!
  for _ in $(seq 1 100); do sdpid=$(pgrep -P "$launcher" || true); [ -n "$sdpid" ] && break; sleep 0.1; done
  [ -n "$sdpid" ] || { echo "systemd did not start" >&2; exit 1; }
}

# Runs a command in the booted system.
insd() { nsenter -t "$sdpid" -m -p -n -u -r -w /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

# How many processes of the booted system have the command name $1 (no procps in the root).
procs() { insd bash -c "grep -lx '$1' /proc/[0-9]*/comm 2>/dev/null | wc -l"; }

# Kills every process of the booted system and removes its cgroups; also on failure.
halt() {
  if [ -n "$sdpid" ]; then kill -9 "$sdpid" 2>/dev/null || true; fi
  for _ in $(seq 1 100); do
    [ -z "$(find "/sys/fs/cgroup/systemd/$sdcg" -name cgroup.procs -exec cat {} + 2>/dev/null)" ] && break
    sleep 0.1
  done
  for h in $hierarchies; do
    if [ -d "$h/$sdcg" ]; then find "$h/$sdcg" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
  done
}
trap halt EXIT

# Waits up to $2 tenths of a second for the booted system's command $1 to succeed.
await() { for _ in $(seq 1 "$2"); do insd bash -c "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

mount_root "$lower" "$work" "$aptcache"
step "install"
install_deb "$deb"
in_root dpkg-query -W -f='${Package} ${Version} ${Status}\n' weft
unmount_for_boot

step "boot"
boot
await 'case $(systemctl is-system-running) in running|degraded) true;; *) false;; esac' 300 || true
insd systemctl is-system-running || true
step "weftd.service"
await 'systemctl is-active weftd && weft network ls' 300 || { insd journalctl -u weftd --no-pager | tail -n 30; exit 1; }
insd systemctl is-active weftd
insd systemctl show -p KillMode -p Restart weftd
weftd_pid=$(insd systemctl show -p MainPID --value weftd)
echo "weftd pid $weftd_pid"
step "a container"
insd ip link set lo up
insd weft network create --subnet 198.51.100.0/24 sdnet >/dev/null
insd weft run -d --name c1 --net sdnet -- sleep 900 >/dev/null
insd weft ps
insd ping -c 1 -W 2 198.51.100.2 | grep -o '1 received'
step "restart on failure"
insd bash -c "kill -9 $weftd_pid"
await "systemctl is-active weftd && [ \"\$(systemctl show -p MainPID --value weftd)\" != $weftd_pid ] && weft ps | grep -q c1" 300 \
  || { insd journalctl -u weftd --no-pager | tail -n 30; exit 1; }
echo "weftd restarted by systemd; c1 still listed"
step "remove"
insd dpkg -r weft >/dev/null
insd systemctl is-active weftd || true
weftd_pid=$(insd systemctl show -p MainPID --value weftd)
[ "$weftd_pid" = 0 ] && [ "$(procs java)" = 0 ] && echo "no weftd process"
test ! -e "$r/usr/bin/weft" && echo "weft removed"
[ "$(procs sleep)" = 1 ] && echo "c1's process still runs"
insd ping -c 1 -W 2 198.51.100.2 | grep -o '1 received'
