# Sourced by bin/probe, bin/test, bin/bench and .ci/run: finds a JDK 25 and exports JAVA_HOME and JAVA.
# Looks at $JAVA_HOME, then the system's JVM folder, then java on the PATH.

java_feature_version() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1
}

find_jdk25() {
  local candidate version
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    version=$(java_feature_version "$candidate/bin/java")
    if [ -n "$version" ] && [ "$version" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      export JAVA="$candidate/bin/java"
      return 0
    fi
  done
  if command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    version=$(java_feature_version "$candidate/bin/java")
    if [ -n "$version" ] && [ "$version" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      export JAVA="$candidate/bin/java"
      return 0
    fi
  fi
  echo "probe: needs a JDK 25 (none in JAVA_HOME, /usr/lib/jvm or on the PATH): install one, such as Temurin 25 (temurin-25-jdk), and set JAVA_HOME to it" >&2
  return 2
}

# Installs Debian packages that are missing (as root, or through sudo). Usage: ensure_packages pkg...
ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "probe: missing Debian packages: ${missing[*]}; install them as root: apt-get install ${missing[*]}" >&2
      return 2
    fi
  fi
  echo "probe: installing Debian packages: ${missing[*]}" >&2
  $sudo apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Flags every JVM of the project runs with (the same as probe.jvm.flags in pom.xml).
PROBE_JVM_FLAGS="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
