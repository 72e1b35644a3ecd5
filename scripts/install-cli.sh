#!/usr/bin/env bash
# Installs the command line as the .NET tool `targeting` in .tools/ of this clone (README, "Running the
# services"): packs services/Targeting.Cli (Release) and installs that package, replacing an earlier
# install, so running it again after a pull or an edit updates the tool.
#   bash scripts/install-cli.sh            then: export PATH="$PWD/.tools:$PATH"
# TARGETING_TOOL_PATH=DIR installs into DIR instead. Needs only the .NET SDK (global.json).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

tools=${TARGETING_TOOL_PATH:-$repo/.tools}
work=$(mktemp -d "${TMPDIR:-/tmp}/targeting-install-cli.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A version of its own per install: the package cache never hands back an older build of the same version.
build=$(date -u +%Y%m%d%H%M%S)
echo "install-cli: building the command line (Release; the first build takes a few minutes)..." >&2
dotnet pack "$repo/services/Targeting.Cli" -c Release -o "$work/packages" -nologo -v quiet -p:ToolBuild="$build" >&2
package=$(cd "$work/packages" && ls Targeting.Cli.*.nupkg)
version=${package#Targeting.Cli.}
version=${version%.nupkg}

# Only the package just built: no registry is asked, so this works offline too.
cat >"$work/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="targeting-cli" value="$work/packages" />
  </packageSources>
</configuration>
CONFIG

if [[ -e "$tools/targeting" ]]; then
  dotnet tool uninstall --tool-path "$tools" Targeting.Cli >/dev/null
fi
dotnet tool install --tool-path "$tools" --configfile "$work/nuget.config" Targeting.Cli --version "$version" >/dev/null
echo "install-cli: installed targeting $version as $tools/targeting" >&2

if [[ "$(command -v targeting || true)" != "$tools/targeting" ]]; then
  echo "install-cli: to run it as 'targeting', put $tools first on PATH (the README's next line does):" >&2
  echo "  export PATH=\"$tools:\$PATH\"" >&2
fi
