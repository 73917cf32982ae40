# Helpers shared by the Docker benchmarks (bench/run-docker-connect, bench/run-docker-overlay).
# Sourced, not run.

# wtb_image_tar DIR TAR TOOL...: a one-layer image of busybox-static (/bin/busybox, with TOOL... linked
# to it) built under DIR and packed into TAR, for `docker import TAR NAME`.
wtb_image_tar() {
  local dir=$1 tar=$2 t; shift 2
  mkdir -p "$dir/bin"
  cp /bin/busybox "$dir/bin/busybox"
  for t in "$@"; do ln -s busybox "$dir/bin/$t"; done
  tar -C "$dir" -cf "$tar" .
}

# wtb_stats FILE: one number a line in, "median p95 min max n" out (p95: the nearest-rank value).
wtb_stats() {
  sort -g "$1" | awk '{ v[NR] = $1 } END {
    n = NR; m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    p = int(0.95 * n); if (p < 0.95 * n) p++
    printf "%.1f %.1f %.1f %.1f %d\n", m, v[p], v[1], v[n], n }'
}

# wtb_ratio A B: A/B as "1.23x".
wtb_ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2fx\n", a / b }'
}

# wtb_ms T0 T1: milliseconds between two $EPOCHREALTIME readings, to 0.001 ms.
wtb_ms() {
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
}
