#!/usr/bin/env bash
# Installs what the tests and benchmarks need and the machine lacks; safe to run again (idempotent).
#   Debian: PostgreSQL 15 + PostGIS 3 (the real database the stores are tested on), nghttp2-client
#           (h2load, nghttp), python3 scipy/statsmodels/sklearn/matplotlib (independent reference values),
#           gdal-bin (ogrinfo: checks the briefing's GeoJSON opens as GIS tools read it).
#           python3-grpcio/grpc-tools/protobuf (Python grpcio: a second independent gRPC peer),
#           python3-ephem (PyEphem: an independent check of the sunset and twilight times),
#           chromium + fonts-dejavu-core (renders the roads pilot report to PNG/PDF in the CLI tests).
#   npm:    the grpc-js interop peers in tests/interop, and the deployment checks in tests/deployment
#           (kubernetes-models schemas, dockerfile-ast), and the web pages' front end in
#           services/Targeting.Web/ClientApp (leaflet, esbuild, axe-core), each from its committed package-lock.json.
#   Chromium: Debian's, driven by the web tests (Microsoft.Playwright with its executable path).
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(postgresql-15 postgresql-15-postgis-3 nghttp2-client python3-scipy python3-statsmodels
              python3-sklearn python3-numpy python3-matplotlib gdal-bin nodejs npm
              python3-grpcio python3-grpc-tools python3-protobuf python3-ephem chromium fonts-dejavu-core
              poppler-utils)
missing=()
for package in "${apt_packages[@]}"; do
  # nodejs/npm may come from elsewhere (the machine's own Node 20): only install when absent.
  case "$package" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# kubectl (with its built-in kustomize) renders the manifests in the deployment tests. It has no
# Debian package; the machine image ships it, so only say clearly when it is missing.
if ! command -v kubectl >/dev/null 2>&1; then
  echo "install-deps: kubectl is not on PATH: the deployment tests (kubectl kustomize k8s/overlays/...) will fail;" \
       "install it from https://kubernetes.io/docs/tasks/tools/ (any version with kustomize, 1.14 or later)" >&2
fi

# npm ci only when the lock changed since the last install (a stamp beside node_modules).
for dir in tests/interop tests/deployment services/Targeting.Web/ClientApp; do
  if [[ -f "$dir/package-lock.json" ]]; then
    stamp="$dir/node_modules/.targeting-lock.sha256"
    want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
    if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
      echo "install-deps: npm ci in $dir" >&2
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
      echo "$want" >"$stamp"
    fi
  fi
done
