#!/usr/bin/env bash
# A throw-away PostgreSQL server on 127.0.0.1 for helmpilot-app's store tests.
#
#   scripts/app/postgres.sh start   # prints DATABASE_URL=... and PGDATA=... lines
#   scripts/app/postgres.sh stop DIR
#
# Installs Debian's `postgresql` package when no server binaries are found. The data
# directory is a fresh temporary one (trust authentication, no fsync: test data only);
# `stop` shuts the server down and deletes it. As root, the server runs as the
# `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail

find_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"
            return 0
        fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return 0
    fi
    return 1
}

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

cmd="${1:-}"
case "$cmd" in
start)
    if ! bin="$(find_bin)"; then
        echo "postgres: installing the postgresql package" >&2
        sudo=""
        if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
        export DEBIAN_FRONTEND=noninteractive
        $sudo apt-get update -qq >/dev/null
        $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
        bin="$(find_bin)"
    fi
    dir="$(mktemp -d "${TMPDIR:-/tmp}/helmpilot-pg.XXXXXX")"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
    fi
    # A free port: bind to 0 and read what the kernel picked.
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || {
        cat "$dir/server.log" >&2
        exit 1
    }
    echo "DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
    echo "PGDATA=$dir"
    ;;
stop)
    dir="${2:?usage: postgres.sh stop DIR}"
    case "$dir" in
    "${TMPDIR:-/tmp}"/helmpilot-pg.*) ;;
    *)
        echo "postgres: refusing to remove $dir (not made by this script)" >&2
        exit 2
        ;;
    esac
    if bin="$(find_bin)"; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start | stop DIR" >&2
    exit 2
    ;;
esac
