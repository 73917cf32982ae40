# Installs weft's .deb into a throwaway overlay on a clean Debian 12 root and uses it there.
# Run by DebianPackageTest as: unshare --mount --propagation private -- bash THIS LOWER WORK DEB APTCACHE
# Every mount (the overlay, /proc, /sys, /dev, /run, weftd's and the demo's) is made in this private
# mount namespace and goes away with it; WORK (the overlay's upper layer) is deleted by the test.
set -euo pipefail
lower=$1 work=$2 deb=$3 aptcache=$4
. "$(dirname "$0")/debian-root.sh"
mount_root "$lower" "$work" "$aptcache"
cp "$deb" "$r/tmp/weft.deb"
cat > "$r/tmp/in-netns.sh" <<'EOF'
step() { printf '\n== %s\n' "$*"; }
ip link set lo up
step "doctor"
weft doctor
step "weftd as the unit runs it"
. /etc/default/weftd
/usr/bin/weftd $WEFTD_OPTS --run-dir /run/weft --log-level warning >/tmp/weftd.log 2>&1 &
pid=$!
for _ in $(seq 1 150); do weft network ls >/dev/null 2>&1 && break; kill -0 $pid || { cat /tmp/weftd.log; exit 1; }; sleep 0.2; done
weft network ls
stat -c '%a %U:%G %n' /run/weft/weft.sock
kill -TERM $pid
wait $pid && echo "weftd exited 0 on SIGTERM"
step "demo"
/usr/lib/weft/scripts/demo
EOF

cat > "$r/tmp/steps.sh" <<'EOF'
step() { printf '\n== %s\n' "$*"; }
step "no JDK"
if command -v java >/dev/null || [ -d /usr/lib/jvm ]; then echo "a JDK is installed in the clean root" >&2; exit 1; fi
echo "none"
step "install"
apt-get install -y -qq /tmp/weft.deb >/tmp/apt.log 2>&1 || { apt-get update -qq && apt-get install -y -qq /tmp/weft.deb >/tmp/apt.log 2>&1; } \
  || { cat /tmp/apt.log; exit 1; }
dpkg-query -W -f='${Package} ${Version} ${Status}\n' weft libnftables1 iproute2 iputils-ping
step "enabled"
test -L /etc/systemd/system/multi-user.target.wants/weftd.service && echo "weftd.service enabled"
step "runtime"
/usr/lib/weft/runtime/bin/java --list-modules | tr '\n' ' '; echo
step "versions"
weft --version
weftd --version
loris --version
step "aot caches"
# the caches trained in scripts/package on the bundled runtime, used where the package put them
WEFTD_JAVA_OPTS="-Xlog:aot=info" weftd --version 2>&1 | grep -E "Opened AOT cache|AOT cache.*(disabled|mismatch)|Unable" || true
step "cni"
CNI_COMMAND=VERSION /usr/lib/cni/weft </dev/null; echo
step "completion"
bash -c '. /usr/share/bash-completion/completions/weft && complete -p weft'
step "man"
man -w weft weft-network-create weftd loris
MANWIDTH=80 man weft-network-create 2>/dev/null | head -n 12
step "verify"
systemd-analyze verify /lib/systemd/system/weftd.service && echo "weftd.service verified"
mkdir -p /etc/systemd/system/weftd.service.d
cp /usr/share/weft/systemd/docker-plugin.conf /etc/systemd/system/weftd.service.d/
systemd-analyze verify /lib/systemd/system/weftd.service && echo "weftd.service with docker-plugin.conf verified"
rm -r /etc/systemd/system/weftd.service.d
# weftd, weft doctor and the demo run in a network namespace of their own: this machine's is left alone
unshare --net /bin/bash -euo pipefail /tmp/in-netns.sh </dev/null
step "remove"
dpkg -r weft >/dev/null
test ! -e /usr/bin/weft && test ! -e /usr/lib/weft && test -f /etc/default/weftd && echo "removed; /etc/default/weftd kept"
dpkg -P weft >/dev/null
test ! -e /etc/default/weftd && test ! -e /etc/systemd/system/multi-user.target.wants/weftd.service && echo "purged"
EOF
in_root /bin/bash -euo pipefail /tmp/steps.sh </dev/null
