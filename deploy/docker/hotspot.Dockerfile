# syntax=docker/dockerfile:1
# The hotspot service (gRPC, port 8080).
# Build from the repository root (the context needs Directory.*.props, protos/, services/, data/):
#   docker build -f deploy/docker/hotspot.Dockerfile -t targeting/hotspot .
# Base images pinned by tag to the toolchain the tests run on (SDK 10.0.401, runtime 10.0.12);
# pin by digest as well when the release is built (docs/deployment.md, "Images").

FROM mcr.microsoft.com/dotnet/sdk:10.0.401-noble AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY protos/ protos/
COPY data/ data/
COPY services/ services/
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish services/Targeting.Hotspot/Targeting.Hotspot.csproj -c Release -o /app -p:UseAppHost=false

# Chiselled Ubuntu (no shell, no package manager, non-root by default). The -extra variant because
# it carries tzdata: the services compute in Europe/London time (peak hours, calendar months), and
# the plain chiselled image has no /usr/share/zoneinfo. ICU, which -extra also carries, is unused
# (InvariantGlobalization).
FROM mcr.microsoft.com/dotnet/aspnet:10.0.12-noble-chiseled-extra AS runtime
WORKDIR /app
COPY --from=build /app ./
# The boundary files the hotspot service loads at start-up (DataLocator: TARGETING_DATA). A force
# mounts its own over /app/data/boundaries, or lists them in Hotspot__Boundaries__N__Path.
COPY --from=build /src/data/boundaries/ ./data/boundaries/
# The street gazetteer that names patrol areas (Hotspot__Gazetteer overrides it).
COPY --from=build /src/data/gazetteer/ ./data/gazetteer/
ENV TARGETING_DATA=/app/data
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_ENVIRONMENT=Production
EXPOSE 8080
# The images' non-root user (uid 1654); the manifests' runAsUser is the same.
USER $APP_UID
# No HEALTHCHECK: Kubernetes probes grpc.health.v1 (k8s/base), and the image has no shell to run one.
ENTRYPOINT ["dotnet", "Targeting.Hotspot.dll"]
