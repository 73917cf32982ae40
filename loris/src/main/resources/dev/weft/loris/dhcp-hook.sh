#!/bin/sh
# udhcpc's event script for loris: hands the event to loris, which configures the address through
# rtnetlink and records the lease in OVSDB. Runs inside the container's network namespace.
exec "$LORIS_JAVA" --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$LORIS_CP" \
  dev.weft.loris.LorisCli --db="$LORIS_DB" dhcp-event "$1"
