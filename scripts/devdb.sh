#!/usr/bin/env bash
# devdb.sh provisions dalil's private development PostgreSQL cluster.
#
# Usage: scripts/devdb.sh [start|url|test-url|stop|status|destroy]
#
#   start     (default) install PostgreSQL >= 14, pgvector and unaccent if
#             missing, then start the project's own cluster and create the
#             role and database "dalil". Idempotent; a no-op when already up.
#   url       print the URL of the dalil database.
#   test-url  print the URL of the "postgres" database, from which tests
#             create their own fresh databases.
#   stop      stop the cluster (a no-op when it is not running).
#   status    say whether the cluster is running; exit 0 if it is, 3 if not.
#   destroy   stop the cluster and delete its data directory.
#
# The cluster keeps its data in <repo>/.data/pg and listens only on
# 127.0.0.1, port 54329 unless DALIL_PGPORT says otherwise, with trust
# authentication. It never touches the system's own clusters.
# Progress goes to stderr; stdout carries only the URL for url/test-url.
set -euo pipefail

readonly MIN_MAJOR=14
readonly DB_NAME=dalil
readonly DB_USER=dalil
readonly PG_USER_WHEN_ROOT=postgres

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
port=${DALIL_PGPORT:-54329}

log() { printf 'devdb: %s\n' "$*" >&2; }
die() {
	printf 'devdb: error: %s\n' "$*" >&2
	exit 1
}

if ! [[ $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
	die "DALIL_PGPORT=$port is not a TCP port number"
fi

# --- which PostgreSQL ------------------------------------------------------

# highest_major prints the highest installed PostgreSQL server major version
# (>= MIN_MAJOR) found under /usr/lib/postgresql, or nothing.
highest_major() {
	local d m best=
	for d in /usr/lib/postgresql/*/bin/postgres; do
		[[ -x $d ]] || continue
		m=${d#/usr/lib/postgresql/}
		m=${m%%/*}
		[[ $m =~ ^[0-9]+$ ]] || continue
		((m >= MIN_MAJOR)) || continue
		if [[ -z $best ]] || ((m > best)); then best=$m; fi
	done
	printf '%s' "$best"
}

# sharedir prints the extension share directory of major $1.
sharedir() {
	local cfg=/usr/lib/postgresql/$1/bin/pg_config
	if [[ -x $cfg ]]; then
		"$cfg" --sharedir
	else
		printf '/usr/share/postgresql/%s' "$1"
	fi
}

# --- installing ------------------------------------------------------------

apt_updated=
# as_root runs a command as root: directly when we are root, else via sudo.
as_root() {
	if ((EUID == 0)); then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "need root to run '$*' (not root and no sudo). As root, install PostgreSQL >= $MIN_MAJOR with pgvector and unaccent, e.g. 'apt-get install postgresql postgresql-contrib postgresql-<major>-pgvector', or build pgvector from source (https://github.com/pgvector/pgvector), then rerun"
	fi
}

# quietly runs a command, showing its output only if it fails.
quietly() {
	local out
	out=$(mktemp)
	if ! ("$@") >"$out" 2>&1; then
		tail -n 40 "$out" >&2
		rm -f "$out"
		die "'$*' failed"
	fi
	rm -f "$out"
}

apt_update() {
	if [[ -z $apt_updated ]]; then
		as_root true # fail early, and let sudo ask for a password on the terminal
		log "apt-get update"
		quietly as_root apt-get update
		apt_updated=1
	fi
}

apt_install() {
	apt_update
	log "apt-get install -y $*"
	quietly as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

# has_candidate succeeds if the archive offers package $1.
has_candidate() {
	apt-cache policy "$1" 2>/dev/null | grep -qE '^ +Candidate: [^(]'
}

# build_pgvector_from_trixie builds pgvector for major $1 from Debian trixie's
# source package. It adds a deb-src entry for trixie only (never a binary
# "deb" entry, which would pull trixie's libc into this system) and removes
# it again afterwards.
build_pgvector_from_trixie() {
	local major=$1 tmp list=/etc/apt/sources.list.d/dalil-trixie-src.sources
	local mirror=http://deb.debian.org/debian
	local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	log "no postgresql-$major-pgvector package in this archive; building pgvector from Debian trixie's source package"
	apt_install "postgresql-server-dev-$major" make gcc dpkg-dev
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # expand now: the locals are gone at exit.
	trap "as_root rm -f '$list'; rm -rf '$tmp'" EXIT
	as_root tee "$list" >/dev/null <<-EOF
		# Added by dalil's scripts/devdb.sh to build pgvector; safe to delete.
		Types: deb-src
		URIs: $mirror
		Suites: trixie
		Components: main
		Signed-By: $keyring
	EOF
	apt_updated=
	apt_update
	(
		cd "$tmp"
		chmod 755 "$tmp"
		log "apt-get source --download-only pgvector (in $tmp)"
		quietly apt-get source --download-only pgvector
		local origs=(pgvector_*.orig.tar.*)
		local orig=${origs[0]}
		[[ -f $orig ]] || die "no pgvector_*.orig.tar.* downloaded in $tmp"
		mkdir src
		tar -xf "$orig" -C src --strip-components=1
		cd src
		log "building $orig for PostgreSQL $major"
		quietly make PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config"
		quietly as_root make PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" install
	)
	as_root rm -f "$list"
	rm -rf "$tmp"
	trap - EXIT
}

# ensure_installed makes sure a PostgreSQL server >= MIN_MAJOR with pgvector
# and unaccent is installed and sets the global "major".
ensure_installed() {
	# Keep an existing cluster's version while it is installed.
	if [[ -f $pgdata/PG_VERSION && -x /usr/lib/postgresql/$(<"$pgdata/PG_VERSION")/bin/postgres ]]; then
		major=$(<"$pgdata/PG_VERSION")
	else
		major=$(highest_major)
	fi
	if [[ -z $major ]]; then
		log "no PostgreSQL server >= $MIN_MAJOR found under /usr/lib/postgresql; installing Debian's"
		apt_install postgresql postgresql-contrib
		major=$(highest_major)
		[[ -n $major ]] || die "the archive's PostgreSQL is older than $MIN_MAJOR; install PostgreSQL >= $MIN_MAJOR (e.g. from apt.postgresql.org) and rerun"
	fi
	local share
	share=$(sharedir "$major")
	if [[ ! -f $share/extension/unaccent.control ]]; then
		log "unaccent is missing for PostgreSQL $major; installing contrib"
		apt_update
		if has_candidate "postgresql-contrib-$major"; then
			apt_install "postgresql-contrib-$major"
		else
			apt_install postgresql-contrib
		fi
		[[ -f $share/extension/unaccent.control ]] || die "unaccent.control still missing in $share/extension"
	fi
	if [[ ! -f $share/extension/vector.control ]]; then
		log "pgvector is not installed for PostgreSQL $major"
		apt_update
		if has_candidate "postgresql-$major-pgvector"; then
			apt_install "postgresql-$major-pgvector"
		else
			build_pgvector_from_trixie "$major"
		fi
		share=$(sharedir "$major")
		[[ -f $share/extension/vector.control ]] || die "pgvector installed but $share/extension/vector.control is missing"
		log "pgvector installed for PostgreSQL $major"
	fi
}

# --- the cluster -----------------------------------------------------------

# pick_layout sets run_as (OS user running the server, empty for ourselves),
# base (directory holding data, socket and log) and the derived paths. With
# "tentative" it tolerates a missing server user (before installing).
pick_layout() {
	run_as=
	base=$repo/.data
	if ((EUID == 0)); then
		run_as=$PG_USER_WHEN_ROOT
		if ! id -u "$run_as" >/dev/null 2>&1; then
			[[ ${1:-} == tentative ]] ||
				die "running as root, but there is no '$run_as' OS user to run PostgreSQL as (installing Debian's postgresql package creates it)"
		elif ! runuser -u "$run_as" -- test -x "$repo"; then
			base=/var/tmp/dalil-$(printf '%s' "$repo" | sha256sum | cut -c1-12)
			[[ ${1:-} == tentative ]] || log "note: $repo is not traversable by OS user '$run_as'; keeping the cluster in $base instead of $repo/.data"
		fi
	fi
	pgdata=$base/pg
	sockdir=$base/run
	logfile=$base/log/postgres.log
	# A Unix socket path is limited to 107 bytes.
	if ((${#sockdir} + 16 > 100)); then
		sockdir=/tmp/dalil-$(printf '%s' "$repo" | sha256sum | cut -c1-12)-run
	fi
}

bin() { printf '/usr/lib/postgresql/%s/bin/%s' "$major" "$1"; }

# as_pg runs a command as the OS user that owns the cluster.
as_pg() {
	if [[ -n $run_as ]]; then
		runuser -u "$run_as" -- "$@"
	else
		"$@"
	fi
}

running() {
	[[ -f $pgdata/postmaster.pid ]] && as_pg "$(bin pg_ctl)" status -D "$pgdata" >/dev/null 2>&1
}

running_port() { sed -n 4p "$pgdata/postmaster.pid" 2>/dev/null; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

psql_admin() {
	"$(bin psql)" -X -q -v ON_ERROR_STOP=1 -h "$sockdir" -p "$port" -U "$DB_USER" -d postgres "$@"
}

make_dirs() {
	local d owner
	owner=${run_as:-$(id -un)}
	mkdir -p "$base" "$base/log" "$sockdir"
	if [[ -n $run_as ]]; then
		chown "$run_as:" "$base" "$base/log" "$sockdir"
	fi
	chmod 700 "$sockdir"
	for d in "$base" "$base/log" "$sockdir"; do
		[[ $(stat -c %U "$d") == "$owner" ]] ||
			die "$d belongs to $(stat -c %U "$d"), not $owner; remove it (scripts/devdb.sh destroy as its owner) and rerun"
	done
}

write_conf() {
	local dsm=posix shm_kb workers
	# pgvector's parallel HNSW build runs in the leader and its workers: one
	# worker per core beyond the first (on 2 cores, 2 workers made the build
	# 10-15% slower than 1; docs/performance.md).
	workers=$(($(nproc 2>/dev/null || echo 2) - 1))
	# A small /dev/shm (containers) cannot hold pgvector's parallel HNSW builds.
	shm_kb=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $2 }')
	if [[ -z $shm_kb ]] || ((shm_kb < 2 * 1024 * 1024)); then dsm=mmap; fi
	as_pg tee "$pgdata/dalil.conf" >/dev/null <<-EOF
		# Written by scripts/devdb.sh on every start; edits are lost.
		listen_addresses = '127.0.0.1'
		port = $port
		unix_socket_directories = '$sockdir'
		max_connections = 200
		shared_buffers = 256MB
		maintenance_work_mem = 512MB
		max_parallel_maintenance_workers = $workers
		work_mem = 16MB
		effective_cache_size = 2GB
		dynamic_shared_memory_type = $dsm
		max_wal_size = 2GB
		synchronous_commit = off
		log_line_prefix = '%m [%p] %q%u@%d '
		log_min_duration_statement = 1000
	EOF
}

init_cluster() {
	local locale=C.UTF-8
	if ! locale -a 2>/dev/null | grep -qixE 'c\.utf-?8'; then locale=C; fi
	log "initdb $pgdata (superuser $DB_USER, trust auth, locale $locale)"
	as_pg "$(bin initdb)" -D "$pgdata" -U "$DB_USER" --auth=trust --encoding=UTF8 \
		--locale="$locale" >"$base/log/initdb.log" 2>&1 || {
		cat "$base/log/initdb.log" >&2
		die "initdb failed (log: $base/log/initdb.log)"
	}
	printf "\ninclude_if_exists = 'dalil.conf'\n" | as_pg tee -a "$pgdata/postgresql.conf" >/dev/null
}

start() {
	pick_layout tentative
	ensure_installed
	pick_layout
	make_dirs
	if running; then
		local rp
		rp=$(running_port)
		if [[ $rp == "$port" ]]; then
			ensure_database
			log "up: PostgreSQL $major on 127.0.0.1:$port, data $pgdata"
			return
		fi
	fi
	if port_in_use "$port"; then
		die "port $port on 127.0.0.1 is taken by another process; stop it or choose another port with DALIL_PGPORT"
	fi
	if running; then
		log "cluster is running on port $(running_port) but port $port is wanted; restarting it"
		stop_cluster
	fi
	if [[ ! -f $pgdata/PG_VERSION ]]; then
		[[ ! -e $pgdata ]] || [[ -z $(ls -A "$pgdata") ]] ||
			die "$pgdata exists but is not a PostgreSQL data directory; remove it and rerun"
		init_cluster
	elif [[ $(<"$pgdata/PG_VERSION") != "$major" ]]; then
		die "$pgdata holds a PostgreSQL $(<"$pgdata/PG_VERSION") cluster but PostgreSQL $major is installed; run 'scripts/devdb.sh destroy' and rerun"
	fi
	write_conf
	log "starting PostgreSQL $major on 127.0.0.1:$port (log: $logfile)"
	# glibc's malloc gives a backend's freed heap back to the kernel as soon
	# as a few hundred kB are free at its top, and the next statement takes
	# it again, one page fault a page: pgvector's index build does so for
	# every row it inserts. Fixed thresholds, at glibc's own dynamic
	# maximum (32 MB for mmap, twice that for trimming), keep up to 64 MB a
	# process instead: the 10k HNSW build from a new connection went from
	# 3.4-4.3 s to 1.7-2.1 s, a 100k bulk ingest from 82-89 s to 66-74 s
	# (docs/performance.md). A GLIBC_TUNABLES of the caller's is kept.
	if ! GLIBC_TUNABLES=${GLIBC_TUNABLES:-glibc.malloc.trim_threshold=67108864:glibc.malloc.mmap_threshold=33554432} \
		as_pg "$(bin pg_ctl)" start -D "$pgdata" -l "$logfile" -w -t 60 >/dev/null; then
		tail -n 20 "$logfile" >&2 || true
		die "PostgreSQL failed to start (log: $logfile)"
	fi
	ensure_database
	log "up: PostgreSQL $major on 127.0.0.1:$port, data $pgdata"
}

ensure_database() {
	if [[ $(psql_admin -tAc "select 1 from pg_database where datname = '$DB_NAME'") != 1 ]]; then
		log "creating database $DB_NAME"
		psql_admin -c "create database $DB_NAME owner $DB_USER"
	fi
}

stop_cluster() {
	if running; then
		log "stopping PostgreSQL (data $pgdata)"
		as_pg "$(bin pg_ctl)" stop -D "$pgdata" -m fast -w >/dev/null
	else
		log "not running (data $pgdata)"
	fi
}

# find_major sets major for commands that must not install anything: the
# cluster's own version if it exists, else the highest installed.
find_major() {
	if [[ -f $pgdata/PG_VERSION ]]; then
		major=$(<"$pgdata/PG_VERSION")
	else
		major=$(highest_major)
	fi
	[[ -n $major && -x $(bin pg_ctl) ]] || major=
}

url() { printf 'postgres://%s@127.0.0.1:%s/%s?sslmode=disable\n' "$DB_USER" "$port" "$1"; }

cmd=${1:-start}
case $cmd in
start) start ;;
url) url "$DB_NAME" ;;
test-url) url postgres ;;
stop)
	pick_layout tentative
	find_major
	if [[ -n $major ]]; then stop_cluster; else log "not running (no PostgreSQL installed)"; fi
	;;
status)
	pick_layout tentative
	find_major
	if [[ -n $major ]] && running; then
		log "running: PostgreSQL $major on 127.0.0.1:$(running_port), data $pgdata, log $logfile"
		exit 0
	fi
	log "not running (data $pgdata)"
	exit 3
	;;
destroy)
	pick_layout tentative
	find_major
	if [[ -n $major ]]; then stop_cluster; fi
	log "removing $base"
	rm -rf "$base"
	if [[ $sockdir != "$base"/* ]]; then rm -rf "$sockdir"; fi
	;;
-h | --help | help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2 ;;
*) die "unknown command '$cmd' (want start, url, test-url, stop, status or destroy)" ;;
esac
