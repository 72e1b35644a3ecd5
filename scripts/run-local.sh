#!/usr/bin/env bash
# Each service in its own process, on loopback, against one PostgreSQL + PostGIS: hotspot, stops,
# feedback (and web, when services/Targeting.Web exists), configured with the keys the Kubernetes
# manifests use (k8s/base), minus Dapr: here the services call each other at their addresses.
#   scripts/run-local.sh [--pg CONNECTION_STRING] [--port-base N] [--no-build] [--release]
#                        [--restart] [--run-dir DIR] [--production]
#     --pg          use this database (else $TARGETING_PG, else a throwaway cluster from scripts/pg.sh)
#     --port-base   web on N, hotspot N+1, stops N+2, feedback N+3 (default 5100)
#     --no-build    run the builds already in services/*/bin
#     --release     build and run the Release configuration (default Debug)
#     --restart     restart a service that exits, as Kubernetes does (default: stop everything)
#     --run-dir     logs and DIR/<service>.pid (the running process) here (default a new temp folder)
#     --production  DOTNET_ENVIRONMENT=Production: the environment must then hold the manifests'
#                   secrets, Authentication__SigningKey, Stops__PseudonymKey and Services__Token
#                   (default Development: the built-in development keys and tokens)
# Prints the addresses, then runs until Ctrl-C (or until a service exits), stopping every process.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }
pg="${TARGETING_PG:-}"
base=5100
build=1
configuration=Debug
restart=0
run_dir=""
environment=Development
while (($#)); do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --pg) pg="${2:?--pg needs a connection string}"; shift 2 ;;
    --port-base) base="${2:?--port-base needs a port}"; shift 2 ;;
    --no-build) build=0; shift ;;
    --release) configuration=Release; shift ;;
    --restart) restart=1; shift ;;
    --run-dir) run_dir="${2:?--run-dir needs a folder}"; shift 2 ;;
    --production) environment=Production; shift ;;
    *) echo "run-local: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
if ! [[ "$base" =~ ^[0-9]+$ ]] || ((base < 1024 || base > 65532)); then
  echo "run-local: --port-base must be a port from 1024 to 65532, not '$base'" >&2
  exit 2
fi
if [[ "$environment" == Production ]]; then
  for key in Authentication__SigningKey Stops__PseudonymKey Services__Token; do
    if [[ -z "${!key:-}" ]]; then
      echo "run-local: --production needs $key in the environment (the manifests' secrets, docs/deployment.md)" >&2
      exit 2
    fi
  done
fi

services=(hotspot stops feedback)
[[ -d services/Targeting.Web ]] && services+=(web)
declare -A project=([hotspot]=Targeting.Hotspot [stops]=Targeting.Stops [feedback]=Targeting.Feedback [web]=Targeting.Web)
declare -A port=([web]=$base [hotspot]=$((base + 1)) [stops]=$((base + 2)) [feedback]=$((base + 3)))
address() { echo "http://127.0.0.1:${port[$1]}"; }

if [[ -n "$run_dir" ]]; then
  mkdir -p "$run_dir"
  run_dir=$(cd "$run_dir" && pwd)
else
  run_dir=$(mktemp -d /tmp/targeting-run-local.XXXXXX)
fi
declare -A pid_of
pg_dir=""
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pid_of[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pid_of[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n "$pg_dir" ]]; then scripts/pg.sh stop "$pg_dir" >/dev/null 2>&1 || true; fi
  echo "run-local: stopped (logs in $run_dir)" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -z "$pg" ]]; then
  pg_dir="$run_dir/pg"
  pg=$(scripts/pg.sh start "$pg_dir")
  echo "run-local: PostgreSQL + PostGIS at $pg" >&2
fi

if ((build)); then
  for service in "${services[@]}"; do
    dotnet build "services/${project[$service]}/${project[$service]}.csproj" -c "$configuration" --nologo -v quiet >"$run_dir/build-$service.log" 2>&1 \
      || { cat "$run_dir/build-$service.log" >&2; exit 1; }
  done
fi

# The environment of each service: the manifests' keys (k8s/base/*.yaml), loopback addresses for Dapr's.
start() {
  local service=$1
  local dll="services/${project[$service]}/bin/$configuration/net10.0/${project[$service]}.dll"
  if [[ ! -f "$dll" ]]; then
    echo "run-local: $dll is missing: build first (drop --no-build)" >&2
    exit 1
  fi
  local env=(DOTNET_ENVIRONMENT="$environment" ASPNETCORE_ENVIRONMENT="$environment")
  case "$service" in
    hotspot) env+=(Storage__Provider=postgres Storage__ConnectionString="$pg") ;;
    stops) env+=(Storage__Provider=postgres Storage__ConnectionString="$pg" Services__Hotspot__Address="$(address hotspot)") ;;
    feedback) env+=(Services__Hotspot__Address="$(address hotspot)" Services__Stops__Address="$(address stops)") ;;
    web) env+=(Services__Hotspot__Address="$(address hotspot)" Services__Stops__Address="$(address stops)" Services__Feedback__Address="$(address feedback)") ;;
  esac
  # The project folder is the content root, as under `dotnet run`; the secrets, when set, are inherited.
  (cd "services/${project[$service]}" && exec env "${env[@]}" dotnet "bin/$configuration/net10.0/${project[$service]}.dll" --urls "$(address "$service")") \
    >>"$run_dir/$service.log" 2>&1 &
  pid_of[$service]=$!
  echo "$!" >"$run_dir/$service.pid"
}

# One after another, each up (listening) before the next starts, so that the ready lines come in
# a known order (the services themselves start in any order: their migrations, CREATE EXTENSION
# postgis included, take one advisory lock; SharedDatabaseMigrationTests).
wait_listening() {
  local service=$1
  for ((i = 0; i < 1200; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/${port[$service]}") 2>/dev/null; then return 0; fi
    if ! kill -0 "${pid_of[$service]}" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "run-local: $service did not start; its log:" >&2
  tail -n 40 "$run_dir/$service.log" >&2
  exit 1
}
for service in "${services[@]}"; do
  start "$service"
  wait_listening "$service"
done

for service in "${services[@]}"; do
  echo "$service $(address "$service")"
done
echo "run-local: ready ($environment; logs in $run_dir); Ctrl-C stops everything" >&2

# Until Ctrl-C, or until one service exits: then the others are stopped too, or, with --restart,
# that one is started again (a second later, as a kubelet would after a crash). Polled, because
# a service may die while another is being restarted (bash then reaps it outside any wait -n).
set +e
while true; do
  for service in "${services[@]}"; do
    kill -0 "${pid_of[$service]}" 2>/dev/null && continue
    wait "${pid_of[$service]}" 2>/dev/null
    status=$?
    if ((!restart)); then
      echo "run-local: $service exited ($status); stopping the others" >&2
      exit "$status"
    fi
    echo "run-local: $service exited; restarting it" >&2
    sleep 1
    start "$service"
    wait_listening "$service"
    echo "run-local: $service restarted ($(address "$service"), pid ${pid_of[$service]})" >&2
  done
  sleep 0.2 &
  wait $!
done
