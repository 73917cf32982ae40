#!/bin/sh
# loris DHCP supervisor: runs busybox udhcpc inside a container's network namespace for one interface
# and stops it (udhcpc then releases the lease, -R) when told to or when the container is gone.
# Arguments: NETNS IFACE PIDFILE WATCHPID HOOK. WATCHPID 0: the container lives as long as NETNS exists.
ns=$1; iface=$2; pidfile=$3; watch=$4; hook=$5
nsenter --net="$ns" busybox udhcpc -f -R -n -t 8 -T 1 -A 2 -i "$iface" -s "$hook" -p "$pidfile" &
child=$!
stop() { kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0; }
trap stop TERM INT
while kill -0 "$child" 2>/dev/null; do
  if [ "$watch" != 0 ]; then [ -d "/proc/$watch" ] || stop; else [ -e "$ns" ] || stop; fi
  sleep 1 & wait $!
done
wait "$child"
