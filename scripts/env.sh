#!/usr/bin/env bash
# Sourced by every project script: finds JDK 25 and the project root.
# JAVA_HOME wins when it already points at a JDK 25+; otherwise /usr/lib/jvm is searched.

OVSERVE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export OVSERVE_ROOT
export OVSERVE_HOME="${OVSERVE_HOME:-$OVSERVE_ROOT/.ovserve}"

java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

find_jdk25() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    local v; v=$(java_major "$JAVA_HOME")
    if [ "${v%%.*}" -ge 25 ] 2>/dev/null; then echo "$JAVA_HOME"; return 0; fi
  fi
  local d
  for d in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    [ -x "$d/bin/javac" ] || continue
    local v; v=$(java_major "$d")
    if [ "${v%%.*}" -ge 25 ] 2>/dev/null; then echo "$d"; return 0; fi
  done
  return 1
}

if ! OVSERVE_JAVA_HOME="$(find_jdk25)"; then
  echo "ovserve: no JDK 25 found (JAVA_HOME or /usr/lib/jvm/*). Install Temurin 25, e.g. 'apt-get install temurin-25-jdk', or set JAVA_HOME." >&2
  return 1 2>/dev/null || exit 1
fi
export JAVA_HOME="$OVSERVE_JAVA_HOME"
export PATH="$JAVA_HOME/bin:$PATH"
