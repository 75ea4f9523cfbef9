# A throwaway PostgreSQL cluster for the example server's tests and load
# benchmark; source it from bash:
#
#   source examples/throwaway-postgres.sh   # installs, starts, exports the URL
#   trap stop_throwaway_postgres EXIT       # stops and removes the cluster
#
# Installs Debian's `postgresql` when no server binaries are found, creates a
# cluster in a temporary directory, starts it on a free loopback port (as the
# unprivileged `postgres` user when run as root: PostgreSQL refuses to run as
# root) and exports PROTOFORGE_EXAMPLE_TEST_POSTGRES, the URL of its
# `postgres` database, from which the tests create one database each.

_throwaway_postgres_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x $dir/initdb && -x $dir/pg_ctl ]]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

start_throwaway_postgres() {
  local bin port
  if ! bin=$(_throwaway_postgres_bin); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bin=$(_throwaway_postgres_bin)
  fi
  THROWAWAY_POSTGRES_DIR=$(mktemp -d /tmp/protoforge-postgres.XXXXXX)
  # A free port: the kernel picks one, which is released for postgres.
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  local as=()
  if [[ $(id -u) == 0 ]]; then
    chown postgres: "$THROWAWAY_POSTGRES_DIR"
    as=(runuser -u postgres --)
  fi
  THROWAWAY_POSTGRES_RUN_AS=("${as[@]}")
  THROWAWAY_POSTGRES_PG_CTL=$bin/pg_ctl
  "${as[@]}" "$bin/initdb" --pgdata "$THROWAWAY_POSTGRES_DIR/data" --username postgres \
    --auth trust --encoding UTF8 --locale C.UTF-8 >"$THROWAWAY_POSTGRES_DIR/initdb.log"
  # No fsync: the cluster is thrown away; its socket stays in its directory.
  "${as[@]}" "$bin/pg_ctl" --pgdata "$THROWAWAY_POSTGRES_DIR/data" --wait \
    --log "$THROWAWAY_POSTGRES_DIR/server.log" \
    --options "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$THROWAWAY_POSTGRES_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null
  export PROTOFORGE_EXAMPLE_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
  echo "throwaway PostgreSQL $("$bin/postgres" --version | awk '{print $3}') at $PROTOFORGE_EXAMPLE_TEST_POSTGRES"
}

stop_throwaway_postgres() {
  if [[ -n ${THROWAWAY_POSTGRES_DIR:-} && -d $THROWAWAY_POSTGRES_DIR ]]; then
    "${THROWAWAY_POSTGRES_RUN_AS[@]}" "$THROWAWAY_POSTGRES_PG_CTL" \
      --pgdata "$THROWAWAY_POSTGRES_DIR/data" --mode fast --wait stop >/dev/null 2>&1 || true
    rm -rf "$THROWAWAY_POSTGRES_DIR"
  fi
}

start_throwaway_postgres
