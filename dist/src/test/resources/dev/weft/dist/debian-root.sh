# Shared by the dist tests' scripts (sourced): a throwaway overlay on the clean Debian 12 root and
# the .deb installed into it with apt-get, its Depends coming from Debian's mirror (or the kept
# archive cache). Call from a private mount namespace: every mount goes away with it.

# mount_root LOWER WORK APTCACHE: the overlay at WORK/root ($r), with /proc, /sys, /dev, /run and
# apt's archive cache mounted for chroot use.
mount_root() {
  local lower=$1 work=$2 aptcache=$3
  mkdir -p "$work/upper" "$work/work" "$work/root" "$aptcache/partial"
  r=$work/root
  mount -t overlay overlay -o "lowerdir=$lower,upperdir=$work/upper,workdir=$work/work" "$r"
  mount --bind /proc "$r/proc"
  mount --rbind /sys "$r/sys"
  mount --bind /dev "$r/dev"
  mount -t tmpfs -o mode=0755 tmpfs "$r/run"
  mount --bind "$aptcache" "$r/var/cache/apt/archives"
  cp /etc/resolv.conf "$r/etc/resolv.conf"
  # debootstrap's minbase has no /etc/hosts, which every installed system has (the installer writes
  # it) and `weft run` bind-mounts a container's own onto
  [ -e "$r/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$r/etc/hosts"
}

# in_root COMMAND...: runs COMMAND in the root, with a clean environment.
in_root() {
  chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"
}

# install_deb DEB: apt-get installs the .deb and what it depends on (printing apt's log on failure).
install_deb() {
  cp "$1" "$r/tmp/weft.deb"
  in_root bash -c 'apt-get install -y -qq /tmp/weft.deb >/tmp/apt.log 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq /tmp/weft.deb >/tmp/apt.log 2>&1; } || { cat /tmp/apt.log; exit 1; }'
}

# unmount_for_boot: takes away the chroot mounts, so a booted system mounts its own.
unmount_for_boot() {
  umount "$r/var/cache/apt/archives" "$r/run" "$r/dev" "$r/proc"
  umount -R "$r/sys"
}
