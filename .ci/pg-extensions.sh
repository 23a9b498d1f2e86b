#!/usr/bin/env bash
# Install pgvector and TimescaleDB (Apache-2 part only) into the local PostgreSQL 15 cluster.
#
# Debian 12 packages neither for PostgreSQL 15, so both are built from Debian's own *source* packages
# (the trixie suite) against the installed server:
#   - the sources come from `apt-get source` through a PRIVATE apt configuration (its own sources file,
#     lists and cache under $CACHE_DIR/apt): the machine's sources.list and binary package lists are never
#     touched, and no trixie binary package can ever be installed by it;
#   - build dependencies (postgresql-server-dev-15, compilers, cmake, ...) come from the machine's own
#     bookworm sources, and only the missing ones are installed;
#   - each build is staged with DESTDIR, packed into $CACHE_DIR/pkg and unpacked into /, so a second run
#     on the same machine (or after the files were removed) takes seconds and needs no network.
# Then `shared_preload_libraries` gets 'timescaledb' (postgresql.conf, merged with what is already there),
# the cluster is restarted when that or the TimescaleDB loader changed, and both extensions are created,
# exercised and dropped again in a scratch database.
#
# Idempotent: when pg_available_extensions already lists both at the wanted versions (and their libraries
# are present) nothing is built or installed.
#
# Usage: .ci/pg-extensions.sh             install (or confirm) and verify
#        .ci/pg-extensions.sh --uninstall remove the installed files and the preload setting (keeps the cache)
# Environment: PG_MAJOR (15), PG_CLUSTER (main), PGHOST/PGPORT/PGUSER (127.0.0.1/5432/postgres),
#   STOCKPULSE_CI_CACHE (/var/cache/stockpulse-ci), DEBIAN_SOURCE_MIRROR (default: the host the machine's
#   own bookworm apt source uses), PGVECTOR_VERSION / TIMESCALEDB_VERSION (upstream versions wanted).
set -Eeuo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

PG_MAJOR=${PG_MAJOR:-15}
PG_CLUSTER=${PG_CLUSTER:-main}
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
PG_CONFIG=$PG_BIN/pg_config
PG_CONF=/etc/postgresql/$PG_MAJOR/$PG_CLUSTER/postgresql.conf
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}

# Upstream versions wanted (what trixie ships; its Debian revision may change, the upstream version may not).
PGVECTOR_VERSION=${PGVECTOR_VERSION:-0.8.0}
TIMESCALEDB_VERSION=${TIMESCALEDB_VERSION:-2.19.3}
SOURCE_SUITE=trixie

CACHE_DIR=${STOCKPULSE_CI_CACHE:-/var/cache/stockpulse-ci}
ARCH=$(dpkg --print-architecture)
BUILD_DEPS=("postgresql-server-dev-$PG_MAJOR" build-essential cmake libssl-dev dpkg-dev xz-utils)
APT_LOCK_WAIT=(-o DPkg::Lock::Timeout=300)

T0=$(date +%s.%N)
STEP_T0=$T0
STEP="start"
LOG_FILE=""
say() { printf '[pg-extensions] %s\n' "$*"; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
step() { # step <name>: prints the time taken by the previous step
  [ "$STEP" = start ] || say "  ${STEP}: $(elapsed "$STEP_T0") s"
  STEP=$1; STEP_T0=$(date +%s.%N)
  say "$STEP ..."
}
mark() { MARK=$(date +%s.%N); }
took() { printf '(%s s)' "$(elapsed "$MARK")"; }
die() {
  say "ERROR: $*" >&2
  exit 1
}
on_error() {
  local rc=$?
  [ "$BASHPID" = "$$" ] || exit "$rc" # a subshell: the main shell reports
  {
    say "FAILED (exit $rc) during step: $STEP"
    if [ -n "$LOG_FILE" ] && [ -s "$LOG_FILE" ]; then
      say "last lines of $LOG_FILE:"
      tail -n 40 "$LOG_FILE" | sed 's/^/    /'
    fi
    say "pgvector/TimescaleDB are NOT installed correctly; the real-backend suites would not run on them."
  } >&2
  exit "$rc"
}
trap on_error ERR

WORK=""
SCRATCH_DB=""
cleanup() {
  [ -z "$SCRATCH_DB" ] || psql -XqAt -d postgres -c "DROP DATABASE IF EXISTS \"$SCRATCH_DB\" WITH (FORCE)" >/dev/null 2>&1 || true
  [ -z "$WORK" ] || rm -rf "$WORK"
}
trap cleanup EXIT

pg_ready() { "$PG_BIN/pg_isready" -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null || pg_isready -q -h "$PGHOST" -p "$PGPORT"; }
wait_ready() { for _ in $(seq 1 60); do pg_ready && return 0; sleep 0.5; done; return 1; }
psql_at() { psql -XqAt -v ON_ERROR_STOP=1 "$@"; }
# The value the cluster's configuration files give a parameter (postgresql.conf, conf.d, postgresql.auto.conf).
configured() { runuser -u postgres -- "$PG_BIN/postgres" -C "$1" -c config_file="$PG_CONF"; }

# One run at a time per machine (two CI jobs would otherwise build into one cache and both restart the
# cluster). flock -o: the lock is held by flock itself, never inherited by the script's children: a
# PostgreSQL started here would otherwise keep it for as long as it runs.
if [ -z "${STOCKPULSE_PG_EXT_LOCKED:-}" ]; then
  mkdir -p "$CACHE_DIR"
  rc=0
  STOCKPULSE_PG_EXT_LOCKED=1 flock -o -w 600 -E 75 "$CACHE_DIR/.lock" "$(readlink -f "${BASH_SOURCE[0]}")" "$@" || rc=$?
  [ "$rc" != 75 ] || say "ERROR: another .ci/pg-extensions.sh has held $CACHE_DIR/.lock for 10 minutes" >&2
  trap - EXIT
  exit "$rc"
fi

# ---------------------------------------------------------------------------------------------- uninstall
if [ "${1:-}" = "--uninstall" ]; then
  STEP="uninstall"
  for name in pgvector timescaledb; do
    manifest=$CACHE_DIR/installed/$name.files
    [ -f "$manifest" ] || continue
    say "removing the files of $name ($(wc -l <"$manifest") files)"
    while IFS= read -r f; do rm -f "/$f"; done <"$manifest"
    rm -f "$manifest"
  done
  if configured shared_preload_libraries | grep -qw timescaledb; then
    new=$(configured shared_preload_libraries | tr ',' '\n' | sed 's/^ *//; s/ *$//' | { grep -vx timescaledb || true; } | paste -sd, -)
    if [ -n "$new" ]; then pg_conftool "$PG_MAJOR" "$PG_CLUSTER" set shared_preload_libraries "$new"
    else pg_conftool "$PG_MAJOR" "$PG_CLUSTER" remove shared_preload_libraries; fi
    say "removed timescaledb from shared_preload_libraries; restarting the cluster"
    pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" "$PG_CLUSTER" restart
  fi
  exit 0
fi
[ $# -eq 0 ] || die "unknown argument: $1 (usage: $0 [--uninstall])"

[ "$(id -u)" = 0 ] || die "must run as root (installs packages and files, edits the cluster's configuration)"
[ -f "$PG_CONF" ] || die "no PostgreSQL $PG_MAJOR cluster '$PG_CLUSTER' ($PG_CONF is missing)"
[ -x "$PG_BIN/postgres" ] || die "postgresql-$PG_MAJOR is not installed ($PG_BIN/postgres is missing)"

PKGLIBDIR=/usr/lib/postgresql/$PG_MAJOR/lib
SHAREDIR=/usr/share/postgresql/$PG_MAJOR
mkdir -p "$CACHE_DIR"/{apt,src,pkg,installed,logs}

# ------------------------------------------------------------------------------------------ current state
step "checking what is installed"
if ! pg_ready; then
  say "PostgreSQL is not answering on $PGHOST:$PGPORT; starting cluster $PG_MAJOR/$PG_CLUSTER"
  # It may fail to start because the preloaded TimescaleDB library is missing: then installing fixes it.
  if pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" "$PG_CLUSTER" start; then wait_ready || true
  else say "  (it does not start; trying again after installing)"; fi
fi

# name -> "extension-name|wanted-version|library that must exist"
declare -A EXT=(
  [pgvector]="vector|$PGVECTOR_VERSION|$PKGLIBDIR/vector.so"
  [timescaledb]="timescaledb|$TIMESCALEDB_VERSION|$PKGLIBDIR/timescaledb-$TIMESCALEDB_VERSION.so"
)
available_version() { # extension -> default_version listed by pg_available_extensions (or its control file when the server is down)
  if pg_ready; then
    psql_at -d postgres -c "SELECT default_version FROM pg_available_extensions WHERE name = '$1'"
  else
    sed -n "s/^default_version *= *'\(.*\)'.*/\1/p" "$SHAREDIR/extension/$1.control" 2>/dev/null || true
  fi
}
is_installed() {
  local ext ver lib
  IFS='|' read -r ext ver lib <<<"${EXT[$1]}"
  [ "$(available_version "$ext")" = "$ver" ] && [ -f "$lib" ]
}

TODO=()
for name in pgvector timescaledb; do
  IFS='|' read -r ext ver _ <<<"${EXT[$name]}"
  if is_installed "$name"; then
    say "  $ext $ver is installed"
  else
    have=$(available_version "$ext")
    if [ "$have" = "$ver" ]; then say "  $ext $ver is listed but its library is missing"
    else say "  $ext $ver is missing${have:+ (found $have)}"; fi
    TODO+=("$name")
  fi
done

# ---------------------------------------------------------------------------------- build, cache, install
deb_source_mirror() {
  # The host the machine's own bookworm apt source uses (deb822 .sources files, then one-line .list files).
  local uri
  uri=$(awk '
    BEGIN { RS = ""; FS = "\n" }
    {
      uris = ""; suites = ""; enabled = 1
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^URIs:/)    { uris = $i;   sub(/^URIs:[ \t]*/, "", uris) }
        if ($i ~ /^Suites:/)  { suites = " " $i " "; sub(/^ Suites:/, "", suites) }
        if ($i ~ /^Enabled:[ \t]*no/) enabled = 0
      }
      if (enabled && suites ~ /[ \t]bookworm[ \t]/ && uris != "") { split(uris, u, /[ \t]+/); print u[1]; exit }
    }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  if [ -z "$uri" ]; then
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | sed -E 's/\[[^]]*\]//' | awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' || true)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

SRC_APT_OPTS=()
setup_source_apt() {
  local mirror=${DEBIAN_SOURCE_MIRROR:-$(deb_source_mirror)}
  local d=$CACHE_DIR/apt
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/sources.list.d"
  cat >"$d/$SOURCE_SUITE-src.sources" <<EOF
# Private to .ci/pg-extensions.sh: source packages only, never used for binary packages.
Types: deb-src
URIs: $mirror
Suites: $SOURCE_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  SRC_APT_OPTS=(
    -o "Dir::Etc::sourcelist=$d/$SOURCE_SUITE-src.sources"
    -o "Dir::Etc::sourceparts=$d/sources.list.d" # empty: ignore the machine's own sources
    -o "Dir::State::Lists=$d/lists"
    -o "Dir::Cache=$d/cache"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
    -o "APT::Sandbox::User=_apt"
  )
  say "  source packages: deb-src $mirror $SOURCE_SUITE main (private apt config in $d)"
}

source_files_cached() { # <source package> <upstream version>
  compgen -G "$CACHE_DIR/src/$1_$2*.dsc" >/dev/null
}
fetch_sources() { # <source package> <upstream version>: .dsc + tarballs into $CACHE_DIR/src
  local pkg=$1 up=$2 debver dl
  mark
  if [ ${#SRC_APT_OPTS[@]} -eq 0 ]; then
    setup_source_apt
    LOG_FILE=$CACHE_DIR/logs/apt-source.log
    apt-get "${SRC_APT_OPTS[@]}" update >"$LOG_FILE" 2>&1 \
      || die "apt-get update of the private $SOURCE_SUITE deb-src index failed (see $LOG_FILE; a debian-archive-keyring without the trixie keys is one cause)"
  fi
  debver=$(apt-cache "${SRC_APT_OPTS[@]}" showsrc "$pkg" 2>/dev/null | awk '/^Version:/ { print $2 }' \
    | grep -E "^([0-9]+:)?${up//./\\.}([+~-]|$)" | sort -V | tail -1 || true)
  if [ -z "$debver" ]; then
    die "$SOURCE_SUITE no longer ships $pkg $up (it has: $(apt-cache "${SRC_APT_OPTS[@]}" showsrc "$pkg" 2>/dev/null | awk '/^Version:/ { printf "%s ", $2 }')); set the wanted version in .ci/pg-extensions.sh"
  fi
  dl=$(mktemp -d "$CACHE_DIR/src/.dl.XXXXXX")
  chown _apt "$dl"
  (cd "$dl" && apt-get "${SRC_APT_OPTS[@]}" source --download-only "$pkg=$debver") >>"$LOG_FILE" 2>&1 \
    || die "apt-get source $pkg=$debver failed (see $LOG_FILE)"
  chown -R root:root "$dl"
  mv "$dl"/* "$CACHE_DIR/src/"
  rmdir "$dl"
  say "  fetched $pkg $debver $(took)"
}
unpack_sources() { # <source package> <upstream version> -> prints the unpacked directory
  local dsc dir=$WORK/$1
  dsc=$(printf "%s\n" "$CACHE_DIR/src/$1_$2"*.dsc | sort -V | tail -1)
  # dpkg-source checks the tarballs against the checksums in the .dsc (apt verified the .dsc itself).
  if ! dpkg-source -x "$dsc" "$dir" >>"$LOG_FILE" 2>&1; then
    say "  cached sources of $1 do not unpack; fetching them again" >&2
    rm -rf "$dir" "$CACHE_DIR/src/$1_"*
    fetch_sources "$1" "$2" >&2
    dsc=$(printf "%s\n" "$CACHE_DIR/src/$1_$2"*.dsc | sort -V | tail -1)
    dpkg-source -x "$dsc" "$dir" >>"$LOG_FILE" 2>&1 || die "dpkg-source -x $dsc failed (see $LOG_FILE)"
  fi
  echo "$dir"
}

install_build_deps() {
  local missing=() p
  for p in "${BUILD_DEPS[@]}"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || { say "  build dependencies already installed"; return 0; }
  say "  installing from the machine's bookworm sources: ${missing[*]}"
  mark
  LOG_FILE=$CACHE_DIR/logs/apt-install.log
  apt-get "${APT_LOCK_WAIT[@]}" update >"$LOG_FILE" 2>&1 || die "apt-get update failed (see $LOG_FILE)"
  apt-get "${APT_LOCK_WAIT[@]}" install -y --no-install-recommends "${missing[@]}" >>"$LOG_FILE" 2>&1 \
    || die "installing the build dependencies failed (see $LOG_FILE)"
  say "  installed $(took)"
}

build_pgvector() { # <staging dir>
  local src
  src=$(unpack_sources pgvector "$PGVECTOR_VERSION")
  # OPTFLAGS="" (0.8's default too): no -march=native, so the cached library runs on any x86-64 CPU;
  # pgvector picks CPU-specific code for halfvec/bit at run time itself.
  make -C "$src" -j"$(nproc)" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >>"$LOG_FILE" 2>&1
  make -C "$src" install PG_CONFIG="$PG_CONFIG" DESTDIR="$1" >>"$LOG_FILE" 2>&1
}
build_timescaledb() { # <staging dir>
  local src
  src=$(unpack_sources timescaledb "$TIMESCALEDB_VERSION")
  # Debian's source is the Apache-2 part only (+dfsg drops tsl/; timescaledb.license = 'apache'): hypertables,
  # time_bucket, first/last, drop_chunks work; continuous aggregates, compression and policies (retention,
  # refresh) are TSL features and refuse to run. Telemetry compiled out, as Debian builds it.
  (cd "$src" && BUILD_FORCE_REMOVE=true ./bootstrap -DAPACHE_ONLY=ON -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF \
    -DWARNINGS_AS_ERRORS=OFF -DUSE_TELEMETRY=OFF -DSEND_TELEMETRY_DEFAULT=OFF -DCMAKE_BUILD_TYPE=Release \
    -DPG_CONFIG="$PG_CONFIG") >>"$LOG_FILE" 2>&1
  make -C "$src/build" -j"$(nproc)" >>"$LOG_FILE" 2>&1
  make -C "$src/build" install DESTDIR="$1" >>"$LOG_FILE" 2>&1
}

INSTALLED_TIMESCALEDB=false
if [ ${#TODO[@]} -gt 0 ]; then
  WORK=$(mktemp -d /tmp/stockpulse-pg-ext.XXXXXX)
  PG_SERVER_VERSION=$("$PG_BIN/postgres" -V | awk '{ print $3 }')
  for name in "${TODO[@]}"; do
    case $name in
      pgvector) ver=$PGVECTOR_VERSION ;;
      timescaledb) ver=$TIMESCALEDB_VERSION ;;
    esac
    # The artifact is built against the server's major version (extensions are ABI-compatible across minors).
    artifact=$CACHE_DIR/pkg/$name-$ver-pg$PG_MAJOR-$ARCH.tar.gz
    if [ -s "$artifact" ]; then
      step "installing $name $ver from the cache ($artifact)"
    else
      step "building $name $ver against PostgreSQL $PG_SERVER_VERSION"
      install_build_deps
      LOG_FILE=$CACHE_DIR/logs/build-$name.log
      : >"$LOG_FILE"
      source_files_cached "$name" "$ver" || fetch_sources "$name" "$ver"
      LOG_FILE=$CACHE_DIR/logs/build-$name.log
      stage=$WORK/stage-$name
      mark
      "build_$name" "$stage"
      say "  compiled and staged $(took)"
      [ -n "$(find "$stage" -type f -name '*.so' -print -quit)" ] || die "$name built no shared library (see $LOG_FILE)"
      tar -C "$stage" -czf "$artifact.tmp" . && mv "$artifact.tmp" "$artifact"
      say "  cached $(tar -tzf "$artifact" | grep -vc '/$') files in $artifact"
    fi
    # GNU tar unlinks before writing, so a library a running backend has mapped is replaced safely.
    tar -C / --no-same-owner --no-overwrite-dir -xzf "$artifact"
    tar -tzf "$artifact" | grep -v '/$' | sed 's|^\./||' >"$CACHE_DIR/installed/$name.files"
    [ "$name" != timescaledb ] || INSTALLED_TIMESCALEDB=true
  done
  rm -rf "$WORK"; WORK=""
fi

# ------------------------------------------------------------------------------------------------ preload
step "shared_preload_libraries"
RESTART=false
current=$(configured shared_preload_libraries)
if printf '%s' "$current" | tr ',' '\n' | sed 's/^ *//; s/ *$//' | grep -qx timescaledb; then
  say "  already preloads timescaledb ('$current')"
else
  new=${current:+$current,}timescaledb
  pg_conftool "$PG_MAJOR" "$PG_CLUSTER" set shared_preload_libraries "$new"
  effective=$(configured shared_preload_libraries)
  printf '%s' "$effective" | grep -qw timescaledb \
    || die "set shared_preload_libraries = '$new' in $PG_CONF, but the configuration still says '$effective' (overridden in conf.d/ or postgresql.auto.conf?)"
  say "  $PG_CONF: shared_preload_libraries = '$new'"
  RESTART=true
fi
if pg_ready && [ "$RESTART" = false ] && [ "$INSTALLED_TIMESCALEDB" = true ]; then
  # A running server keeps the old loader mapped: restart so the one just installed is used.
  running=$(psql_at -d postgres -c "SHOW shared_preload_libraries")
  printf '%s' "$running" | grep -qw timescaledb && RESTART=true
fi
if ! pg_ready; then
  step "starting PostgreSQL $PG_MAJOR/$PG_CLUSTER"
  pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" "$PG_CLUSTER" start \
    || die "PostgreSQL $PG_MAJOR/$PG_CLUSTER does not start (see /var/log/postgresql/postgresql-$PG_MAJOR-$PG_CLUSTER.log)"
elif [ "$RESTART" = true ]; then
  step "restarting PostgreSQL $PG_MAJOR/$PG_CLUSTER (open connections are dropped)"
  pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" "$PG_CLUSTER" restart \
    || die "PostgreSQL $PG_MAJOR/$PG_CLUSTER does not restart (see /var/log/postgresql/postgresql-$PG_MAJOR-$PG_CLUSTER.log)"
fi
wait_ready || die "PostgreSQL does not answer on $PGHOST:$PGPORT"
psql_at -d postgres -c "SHOW shared_preload_libraries" | grep -qw timescaledb \
  || die "the running server does not preload timescaledb (SHOW shared_preload_libraries = '$(psql_at -d postgres -c 'SHOW shared_preload_libraries')')"

# ----------------------------------------------------------------------------------------------- verify
step "verifying in a scratch database"
for name in pgvector timescaledb; do
  IFS='|' read -r ext ver _ <<<"${EXT[$name]}"
  is_installed "$name" || die "pg_available_extensions lists $ext '$(available_version "$ext")', wanted $ver"
done
SCRATCH_DB=stockpulse_ci_ext_$$
psql_at -d postgres -c "CREATE DATABASE \"$SCRATCH_DB\""
LOG_FILE=""
result=$(psql_at -d "$SCRATCH_DB" <<'SQL'
SET client_min_messages = warning;
SET TIME ZONE 'UTC';
CREATE EXTENSION vector;
CREATE EXTENSION timescaledb;
CREATE TABLE ci_probe (ts timestamptz NOT NULL, symbol text NOT NULL, embedding vector(3) NOT NULL);
SELECT count(*) FROM create_hypertable('ci_probe', 'ts', chunk_time_interval => interval '1 day');
INSERT INTO ci_probe SELECT timestamptz '2024-01-02' + i * interval '1 hour', 'S' || (i % 3), ARRAY[i, 1, 0]::vector
  FROM generate_series(0, 71) i;
CREATE INDEX ON ci_probe USING hnsw (embedding vector_l2_ops);
SELECT (SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = 'ci_probe') || ' chunks, '
    || (SELECT count(DISTINCT time_bucket('1 day', ts)) FROM ci_probe) || ' daily buckets, nearest '
    || (SELECT embedding::text FROM ci_probe ORDER BY embedding <-> '[5,1,0]' LIMIT 1) || ', '
    || string_agg(extname || ' ' || extversion, ', ' ORDER BY extname)
  FROM pg_extension WHERE extname IN ('vector', 'timescaledb');
SQL
)
say "  $(printf '%s' "$result" | tail -1)"
printf '%s' "$result" | tail -1 | grep -q "^3 chunks, 3 daily buckets, nearest \[5,1,0\], timescaledb $TIMESCALEDB_VERSION, vector $PGVECTOR_VERSION$" \
  || die "unexpected result from the scratch database: $result"
psql_at -d postgres -c "DROP DATABASE \"$SCRATCH_DB\" WITH (FORCE)"
SCRATCH_DB=""

say "  ${STEP}: $(elapsed "$STEP_T0") s"
say "pgvector $PGVECTOR_VERSION and TimescaleDB $TIMESCALEDB_VERSION (Apache-only) ready in PostgreSQL $PG_MAJOR/$PG_CLUSTER; total $(elapsed "$T0") s"
