# Sourced by ./rmr1, scripts/test and .ci/run: exports JAVA_HOME pointing at a JDK 25 or newer.
# Order: $JAVA_HOME if it is 25+, then a JDK 25+ under /usr/lib/jvm (Temurin first), then `java` on PATH.
rmr1_java_major() { # prints the feature version of the JDK at $1, or nothing
  [ -x "$1/bin/java" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
rmr1_find_jdk() {
  local c v
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25* /usr/lib/jvm/* \
           "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$c" ] && [ -d "$c" ] || continue
    v=$(rmr1_java_major "$c")
    if [ -n "$v" ] && [ "$v" -ge 25 ] && [ -x "$c/bin/javac" -o -x "$c/bin/jlink" ]; then
      export JAVA_HOME="$c"; return 0
    fi
  done
  echo "error: RM-R1 Java needs a JDK 25 or newer (java -version here: $(java -version 2>&1 | head -n 1))." >&2
  echo "       Install one, e.g. 'apt-get install temurin-25-jdk' (Adoptium repository) or unpack a JDK 25" >&2
  echo "       from https://adoptium.net, then set JAVA_HOME to it." >&2
  return 1
}
rmr1_find_jdk || exit 1
export PATH="$JAVA_HOME/bin:$PATH"
