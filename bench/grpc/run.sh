#!/usr/bin/env bash
# Unary gRPC throughput and latency with h2load, one command:
#   bench/grpc/run.sh            (DURATION=15s WARMUP=5s CLIENTS=16 STREAMS=32 ROUNDS=2 to change;
#                                 RESULTS=results-<date>-run2.md names the results file)
# Targets, run one after another with the same request bytes, connections and streams:
#   layer       our host on Grpc.AspNetCore with the project glue (Release bench host, interop UnaryCall, no authentication)
#   layer-auth  the same with JWT bearer authentication on
#   plain       a plain Grpc.AspNetCore service with nothing added (AddGrpc, MapGrpcService): the library's ceiling
#   grpc-js     @grpc/grpc-js server (tests/interop/server.js), the same rpc
#   kestrel     bare Kestrel HTTP/2 endpoint returning the same response bytes and trailers (the ceiling)
# The five run in turn ROUNDS times (drift on a shared machine hits every target alike); each target's
# best round counts. Writes bench/grpc/results-YYYY-MM-DD.md with requests/s, p50/p99 latency and the ratios.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$root/bench/work/grpc"
duration="${DURATION:-15s}"
warmup="${WARMUP:-5s}"
clients="${CLIENTS:-16}"
streams="${STREAMS:-32}"
rounds="${ROUNDS:-2}"
response_size="${RESPONSE_SIZE:-128}"
payload_size="${PAYLOAD_SIZE:-128}"
path="/targeting.testing.v1.TestService/UnaryCall"
python=/usr/bin/python3

for tool in h2load nghttp node dotnet; do
  command -v "$tool" >/dev/null || { echo "run.sh needs $tool (apt-get install nghttp2-client; node 20)" >&2; exit 1; }
done

mkdir -p "$work"
echo "building the bench host (Release)..."
dotnet build -c Release "$here/BenchHost/Targeting.Grpc.Bench.csproj" -o "$work/host" -v quiet -nologo >/dev/null
if [ ! -d "$root/tests/interop/node_modules/@grpc/grpc-js" ]; then
  npm ci --prefix "$root/tests/interop" --no-audit --no-fund >/dev/null
fi
dotnet "$work/host/Targeting.Grpc.Bench.dll" request "$work/request.bin" "$response_size" "$payload_size"
token="$(cd "$root" && DOTNET_ENVIRONMENT=Development dotnet run --project services/Targeting.Cli -v quiet -- token --role analyst 2>/dev/null || true)"
if [ -z "$token" ]; then
  echo "could not issue a development token with targeting token" >&2
  exit 1
fi

server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap stop_server EXIT

# start_server NAME COMMAND...: runs the server, waits for "LISTENING <port>", sets $port.
start_server() {
  local name="$1"; shift
  local log="$work/$name.server.log"
  "$@" >"$log" 2>&1 </dev/null &
  server_pid=$!
  for _ in $(seq 1 100); do
    port="$(awk '/^LISTENING /{print $2; exit}' "$log")"
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  echo "$name did not start; see $log" >&2
  exit 1
}

run_target() {
  local name="$1" round="$2"; shift 2
  local auth=()
  if [ "$name" = "layer-auth" ]; then auth=(-H "authorization: Bearer $token"); fi
  start_server "$name" "$@"
  local url="http://127.0.0.1:$port$path"
  # Sanity: one real call must end with grpc-status 0, or the numbers mean nothing.
  if ! nghttp -v -d "$work/request.bin" -H 'content-type: application/grpc' -H 'te: trailers' "${auth[@]}" "$url" | grep -q 'grpc-status: 0'; then
    echo "$name did not answer the benchmark request with grpc-status 0" >&2
    exit 1
  fi
  echo "round $round: measuring $name on port $port ($warmup warm-up, $duration measured, -c $clients -m $streams)..."
  h2load -c "$clients" -m "$streams" -t 1 --warm-up-time="$warmup" -D "$duration" \
    -d "$work/request.bin" -H 'content-type: application/grpc' -H 'te: trailers' "${auth[@]}" \
    --log-file="$work/$name.r$round.log" "$url" >"$work/$name.r$round.h2load.txt"
  stop_server
}

rm -f "$work"/*.h2load.txt "$work"/*.log
for round in $(seq 1 "$rounds"); do
  run_target layer "$round" dotnet "$work/host/Targeting.Grpc.Bench.dll" layer 0
  run_target layer-auth "$round" dotnet "$work/host/Targeting.Grpc.Bench.dll" layer-auth 0
  run_target plain "$round" dotnet "$work/host/Targeting.Grpc.Bench.dll" plain 0
  run_target grpc-js "$round" node "$root/tests/interop/server.js" --port 0
  run_target kestrel "$round" dotnet "$work/host/Targeting.Grpc.Bench.dll" kestrel 0
done

date="$(date -u +%Y-%m-%d)"
results="${RESULTS:-results-$date.md}"
"$python" "$here/report.py" "$work" "$here/$results" \
  --clients "$clients" --streams "$streams" --duration "$duration" --warmup "$warmup" \
  --response-size "$response_size" --payload-size "$payload_size" --rounds "$rounds"
echo "wrote bench/grpc/$results"
