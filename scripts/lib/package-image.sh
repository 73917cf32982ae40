# Sourced by scripts/package: weftd's container image, built without a registry or `docker build`.
# The root filesystem holds weft's tree (/usr/lib/weft, with its jlink runtime), the few programs its
# launcher runs (bash, env, readlink, dirname) and the shared libraries these, the runtime and
# libnftables load, copied from this (Debian 12) machine with their ldd closure. One layer; the
# archive is both an OCI image layout (oci-layout, index.json, blobs/) and a docker-archive
# (manifest.json naming the same blobs), so that `docker load` (20.10 reads only the latter) and
# `ctr image import` accept it.

image_copy() { # ROOTFS FILE: copies FILE (following symlinks) to the same path in ROOTFS, keeping its name as a link
  local rootfs=$1 file=$2 real
  real=$(readlink -f "$file")
  real=${real#/usr}; real=/usr$real               # usrmerge: /lib/x -> /usr/lib/x
  file=${file#/usr}; file=/usr$file
  [ -e "$rootfs$real" ] || install -D "$(readlink -f "$2")" "$rootfs$real"
  if [ "$file" != "$real" ] && [ ! -e "$rootfs$file" ]; then
    mkdir -p "$rootfs$(dirname "$file")"
    ln -s "$real" "$rootfs$file"
  fi
}

image_rootfs() { # ROOTFS APP: a root filesystem for weftd from the staged /usr/lib/weft tree APP
  local rootfs=$1 app=$2 f lib
  rm -rf "$rootfs"
  mkdir -p "$rootfs"/usr/{bin,sbin,lib,lib64} "$rootfs"/{etc,tmp,proc,sys,dev,run/weft,run/docker/plugins,var/lib/weft}
  chmod 1777 "$rootfs/tmp"
  for d in bin sbin lib lib64; do ln -s usr/$d "$rootfs/$d"; done
  cp -a "$app" "$rootfs/usr/lib/weft"
  local programs=(/usr/bin/bash /usr/bin/env /usr/bin/readlink /usr/bin/dirname)
  local needs=("${programs[@]}" "$app/runtime/bin/java" "$app"/runtime/lib/*.so "$app/runtime/lib/server/libjvm.so"
    /usr/lib/x86_64-linux-gnu/libnftables.so.1)
  for f in "${programs[@]}" /usr/lib/x86_64-linux-gnu/libnftables.so.1; do image_copy "$rootfs" "$f"; done
  for f in "${needs[@]}"; do
    for lib in $(ldd "$f" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
      case $lib in "$app"/*) ;; *) image_copy "$rootfs" "$lib" ;; esac
    done
  done
  ln -s bash "$rootfs/usr/bin/sh"
  echo /usr/lib/x86_64-linux-gnu > "$rootfs/etc/ld.so.conf"
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\n' > "$rootfs/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
  ldconfig -r "$rootfs"
}

image_blob() { # DIR FILE: moves FILE into DIR/blobs/sha256/ under its digest; prints the digest
  local digest
  digest=$(sha256sum "$2" | cut -d' ' -f1)
  mv "$2" "$1/blobs/sha256/$digest"
  echo "$digest"
}

oci_archive() { # ROOTFS ARCHIVE REFERENCE VERSION
  local rootfs=$1 archive=$2 ref=$3 version=$4 dir created diff layer config manifest lsize csize msize
  dir=$(mktemp -d "${archive%/*}/oci.XXXXXX")
  mkdir -p "$dir/blobs/sha256"
  created=$(git log -1 --format=%cI 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)
  tar --sort=name --numeric-owner --owner=0 --group=0 --mtime="$created" -C "$rootfs" -cf "$dir/layer.tar" .
  diff=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
  gzip -n -6 "$dir/layer.tar"
  lsize=$(stat -c %s "$dir/layer.tar.gz")
  layer=$(image_blob "$dir" "$dir/layer.tar.gz")
  cat > "$dir/config.json" <<EOF
{"created":"$created","architecture":"amd64","os":"linux","config":{"Entrypoint":["/usr/lib/weft/bin/weftd"],"Cmd":["--plugin-socket"],"Env":["PATH=/usr/bin:/usr/sbin"],"Labels":{"org.opencontainers.image.title":"weftd","org.opencontainers.image.version":"$version"}},"rootfs":{"type":"layers","diff_ids":["sha256:$diff"]},"history":[{"created":"$created","created_by":"scripts/package"}]}
EOF
  csize=$(stat -c %s "$dir/config.json")
  config=$(image_blob "$dir" "$dir/config.json")
  cat > "$dir/manifest.oci.json" <<EOF
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$config","size":$csize},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:$layer","size":$lsize}]}
EOF
  msize=$(stat -c %s "$dir/manifest.oci.json")
  manifest=$(image_blob "$dir" "$dir/manifest.oci.json")
  echo '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
  cat > "$dir/index.json" <<EOF
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$manifest","size":$msize,"annotations":{"io.containerd.image.name":"docker.io/$ref","org.opencontainers.image.ref.name":"${ref##*:}"}}]}
EOF
  cat > "$dir/manifest.json" <<EOF
[{"Config":"blobs/sha256/$config","RepoTags":["$ref"],"Layers":["blobs/sha256/$layer"]}]
EOF
  tar --sort=name --numeric-owner --owner=0 --group=0 --mtime="$created" -C "$dir" -cf "$archive" oci-layout index.json manifest.json blobs
  rm -rf "$dir"
}
