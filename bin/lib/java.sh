# Sourced by weft's scripts: sets JAVA_HOME and JAVA to a JDK >= 25, or exits with one clear message.
# Order: the runtime the .deb ships beside these scripts ($root/runtime, made by scripts/package with
# jlink), then $JAVA_HOME, then the newest JDK 25+ under /usr/lib/jvm (WEFT_JVM_ROOT overrides that directory).
weft_java_major() { # prints the feature version of the java binary $1, or nothing
  # the JDK's release file answers without starting a JVM (which would cost every weft command
  # ~0.1 s), read with shell builtins only: every weft command runs this
  local release=${1%/bin/java}/release line
  if [ -f "$release" ]; then
    while IFS= read -r line; do
      if [[ $line =~ ^JAVA_VERSION=\"([0-9]+) ]]; then echo "${BASH_REMATCH[1]}"; return; fi
    done < "$release"
    return
  fi
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}
weft_find_java() {
  if [ -n "${root:-}" ] && [ -x "$root/runtime/bin/java" ]; then JAVA_HOME=$root/runtime; JAVA="$JAVA_HOME/bin/java"; export JAVA_HOME; return 0; fi
  local candidate major best="" best_major=0 root=${WEFT_JVM_ROOT:-/usr/lib/jvm}
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    major=$(weft_java_major "$JAVA_HOME/bin/java")
    if [ "${major:-0}" -ge 25 ]; then JAVA="$JAVA_HOME/bin/java"; export JAVA_HOME; return 0; fi
    echo "weft: JAVA_HOME=$JAVA_HOME is Java ${major:-unknown}; looking for a JDK >= 25 under $root" >&2
  fi
  for candidate in "$root"/*/; do
    [ -x "${candidate}bin/java" ] && [ -x "${candidate}bin/javac" ] || continue
    major=$(weft_java_major "${candidate}bin/java")
    if [ "${major:-0}" -ge 25 ] && [ "$major" -gt "$best_major" ]; then best=${candidate%/}; best_major=$major; fi
  done
  if [ -n "$best" ]; then JAVA_HOME=$best; JAVA="$best/bin/java"; export JAVA_HOME; return 0; fi
  echo "weft: no JDK 25 or newer found (set JAVA_HOME, or install one under $root, for example Eclipse Temurin 25: https://adoptium.net)" >&2
  exit 3
}
weft_find_java
