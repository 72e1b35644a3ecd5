# syntax=docker/dockerfile:1
# The web host (pages and JSON over the gRPC services, HTTP port 8080).
# Build from the repository root (the context needs Directory.*.props, protos/, services/, data/):
#   docker build -f deploy/docker/web.Dockerfile -t targeting/web .
# Base images pinned by tag to the toolchain the tests run on (SDK 10.0.401, runtime 10.0.12);
# pin by digest as well when the release is built (docs/deployment.md, "Images").

FROM mcr.microsoft.com/dotnet/sdk:10.0.401-noble AS build
# The front end is bundled at build time (services/Targeting.Web/ClientApp: npm ci from the committed
# lock file, then esbuild), so the build stage needs node and npm; the runtime image does not.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY protos/ protos/
COPY data/ data/
COPY services/ services/
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish services/Targeting.Web/Targeting.Web.csproj -c Release -o /app -p:UseAppHost=false

# Chiselled Ubuntu (no shell, no package manager, non-root by default). The -extra variant because
# it carries tzdata: the services compute in Europe/London time (peak hours, calendar months), and
# the plain chiselled image has no /usr/share/zoneinfo. ICU, which -extra also carries, is unused
# (InvariantGlobalization).
FROM mcr.microsoft.com/dotnet/aspnet:10.0.12-noble-chiseled-extra AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_ENVIRONMENT=Production
EXPOSE 8080
# The images' non-root user (uid 1654); the manifests' runAsUser is the same.
USER $APP_UID
# No HEALTHCHECK: Kubernetes probes /healthz (k8s/base/web.yaml), and the image has no shell to run one.
ENTRYPOINT ["dotnet", "Targeting.Web.dll"]
