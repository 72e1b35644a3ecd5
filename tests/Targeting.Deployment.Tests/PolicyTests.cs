using System.Text.Json.Nodes;
using Targeting.Testing;

namespace Targeting.Deployment.Tests;

/// <summary>
/// Each check of tests/deployment/check.mjs fails on a deliberately broken copy of the rendered dev
/// overlay (or of a Dockerfile), naming the rule and the object; the unbroken copy passes
/// (ManifestTests), so each failure is the mutation's.
/// </summary>
public sealed class PolicyTests
{
    private static readonly Lazy<JsonArray> Rendered = new(() => DeploymentChecks.RenderObjects("dev"));

    private static readonly Dictionary<string, (string Rule, string Object, Action<JsonArray> Break)> Mutations = new()
    {
        ["container without limits"] = ("limits", "Deployment/targeting/hotspot",
            o => o.Find("Deployment", "hotspot").Container()["resources"]!.AsObject().Remove("limits")),
        ["job container without a memory request"] = ("limits", "CronJob/targeting/postgres-backup",
            o => o.Find("CronJob", "postgres-backup").Container()["resources"]!["requests"]!.AsObject().Remove("memory")),
        ["container without readiness probe"] = ("probes", "Deployment/targeting/stops",
            o => o.Find("Deployment", "stops").Container().Remove("readinessProbe")),
        ["gRPC service probed over TCP"] = ("probes", "Deployment/targeting/feedback",
            o => o.Find("Deployment", "feedback").Container()["livenessProbe"] = JsonNode.Parse("""{"tcpSocket":{"port":8080}}""")),
        ["readiness on the whole server, not the store"] = ("probes", "Deployment/targeting/hotspot",
            o => o.Find("Deployment", "hotspot").Container()["readinessProbe"]!["grpc"]!["service"] = ""),
        ["root allowed"] = ("non-root", "Deployment/targeting/web",
            o =>
            {
                var web = o.Find("Deployment", "web");
                web.PodSpec()["securityContext"]!["runAsNonRoot"] = false;
                web.Container()["securityContext"]!.AsObject().Remove("runAsNonRoot");
            }),
        ["uid 0"] = ("non-root", "StatefulSet/targeting/postgres",
            o => o.Find("StatefulSet", "postgres").Container()["securityContext"]!["runAsUser"] = 0),
        ["writable root filesystem"] = ("read-only-root", "Deployment/targeting/stops",
            o => o.Find("Deployment", "stops").Container()["securityContext"]!["readOnlyRootFilesystem"] = false),
        ["read-only root without /tmp"] = ("read-only-root", "Deployment/targeting/hotspot",
            o => o.Find("Deployment", "hotspot").Container().Remove("volumeMounts")),
        ["privilege escalation"] = ("privilege", "Deployment/targeting/feedback",
            o => o.Find("Deployment", "feedback").Container()["securityContext"]!["allowPrivilegeEscalation"] = true),
        ["added capability"] = ("privilege", "Deployment/targeting/web",
            o => o.Find("Deployment", "web").Container()["securityContext"]!["capabilities"]!["add"] = new JsonArray("NET_ADMIN")),
        ["no seccomp profile"] = ("seccomp", "StatefulSet/targeting/postgres",
            o => o.Find("StatefulSet", "postgres").PodSpec()["securityContext"]!.AsObject().Remove("seccompProfile")),
        ["image without a tag"] = ("image-pinned", "Deployment/targeting/hotspot",
            o => o.Find("Deployment", "hotspot").Container()["image"] = "localhost:5000/targeting/hotspot"),
        ["Service without a NetworkPolicy"] = ("service-network-policy", "Service/targeting/stops",
            o => o.Remove(o.Find("NetworkPolicy", "stops"))),
        ["no default deny"] = ("network-default-deny", "",
            o => o.Remove(o.Find("NetworkPolicy", "default-deny"))),
        ["feedback may open PostGIS"] = ("network-graph", "",
            o => o.Find("NetworkPolicy", "postgres")["spec"]!["ingress"]![0]!["from"]!.AsArray()
                .Add(JsonNode.Parse("""{"podSelector":{"matchLabels":{"app.kubernetes.io/name":"feedback"}}}"""))),
        ["hotspot open to other namespaces"] = ("exposure", "NetworkPolicy/targeting/hotspot",
            o => o.Find("NetworkPolicy", "hotspot")["spec"]!["ingress"]![0]!["from"]!.AsArray()
                .Add(JsonNode.Parse("""{"namespaceSelector":{}}"""))),
        ["hotspot behind a load balancer"] = ("exposure", "Service/targeting/hotspot",
            o =>
            {
                var spec = o.Find("Service", "hotspot")["spec"]!.AsObject();
                spec.Remove("clusterIP");
                spec["type"] = "LoadBalancer";
            }),
        ["hotspot may call stops"] = ("dapr-access-control", "",
            o => o.Find("Configuration", "stops")["spec"]!["accessControl"]!["policies"]!.AsArray()
                .Add(JsonNode.Parse("""{"appId":"hotspot","defaultAction":"allow","trustDomain":"public","namespace":"targeting"}"""))),
        ["feedback may not call hotspot"] = ("dapr-access-control", "",
            o =>
            {
                var policies = o.Find("Configuration", "hotspot")["spec"]!["accessControl"]!["policies"]!.AsArray();
                policies.Remove(policies.First(p => (string?)p!["appId"] == "feedback"));
            }),
        ["access control allows by default"] = ("dapr-access-control", "Configuration/targeting/feedback",
            o => o.Find("Configuration", "feedback")["spec"]!["accessControl"]!["defaultAction"] = "allow"),
        ["policy for another namespace"] = ("dapr-access-control", "Configuration/targeting/stops",
            o => o.Find("Configuration", "stops")["spec"]!["accessControl"]!["policies"]![0]!["namespace"] = "default"),
        ["Dapr Configuration with a misspelt field"] = ("dapr-schema", "Configuration/targeting/web",
            o => o.Find("Configuration", "web")["spec"]!["accesControl"] = new JsonObject()),
        ["Dapr action neither allow nor deny"] = ("dapr-schema", "Configuration/targeting/hotspot",
            o => o.Find("Configuration", "hotspot")["spec"]!["accessControl"]!["policies"]![0]!["defaultAction"] = "permit"),
        ["mTLS off"] = ("dapr-mtls", "Configuration/dapr-system/daprsystem",
            o => o.Find("Configuration", "daprsystem")["spec"]!["mtls"]!["enabled"] = false),
        ["gRPC service without app-protocol"] = ("dapr-annotations", "Deployment/targeting/hotspot",
            o => o.Find("Deployment", "hotspot")["spec"]!["template"]!["metadata"]!["annotations"]!.AsObject().Remove("dapr.io/app-protocol")),
        ["container port as a string"] = ("schema", "Deployment/targeting/stops",
            o => o.Find("Deployment", "stops").Container()["ports"]![0]!["containerPort"] = "8080"),
        ["HPA without a target"] = ("schema", "HorizontalPodAutoscaler/targeting/web",
            o => o.Find("HorizontalPodAutoscaler", "web")["spec"]!.AsObject().Remove("scaleTargetRef")),
        ["kind unknown to Kubernetes"] = ("schema", "Deploymnet/targeting/typo",
            o => o.Add(JsonNode.Parse("""{"apiVersion":"apps/v1","kind":"Deploymnet","metadata":{"name":"typo","namespace":"targeting"}}"""))),
        ["committed Secret"] = ("no-committed-secret", "Secret/targeting/targeting-jwt",
            o => o.Add(JsonNode.Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"targeting-jwt","namespace":"targeting"},"stringData":{"signing-key":"x"}}"""))),
    };

    public static TheoryData<string> Cases => [.. Mutations.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void BrokenManifest_Checked_FailsItsRule(string mutation)
    {
        var (rule, target, breakIt) = Mutations[mutation];
        var objects = Rendered.Value.DeepClone().AsArray();
        breakIt(objects);

        var findings = DeploymentChecks.CheckObjects(objects);

        Assert.True(findings.Any(f => f.Rule == rule && f.Object == target),
            $"expected [{rule}] {target}; got:{Environment.NewLine}{string.Join(Environment.NewLine, findings)}");
    }

    private static readonly Dictionary<string, (string Rule, Func<string, string> Break)> DockerMutations = new()
    {
        ["single stage"] = ("docker-multi-stage", t => t[t.IndexOf("FROM mcr.microsoft.com/dotnet/aspnet", StringComparison.Ordinal)..]),
        ["floating tag"] = ("docker-pinned", t => t.Replace("aspnet:10.0.12-noble-chiseled-extra", "aspnet:10.0-noble-chiseled-extra", StringComparison.Ordinal)),
        ["chiselled without tzdata"] = ("docker-tzdata", t => t.Replace("noble-chiseled-extra", "noble-chiseled", StringComparison.Ordinal)),
        ["full runtime image"] = ("docker-base", t => t.Replace("aspnet:10.0.12-noble-chiseled-extra", "aspnet:10.0.12-noble", StringComparison.Ordinal)),
        ["no USER"] = ("docker-user", t => t.Replace("USER $APP_UID", "", StringComparison.Ordinal)),
        ["USER root"] = ("docker-user", t => t.Replace("USER $APP_UID", "USER root", StringComparison.Ordinal)),
        ["HEALTHCHECK"] = ("docker-healthcheck", t => t.Replace("USER $APP_UID", "USER $APP_UID\nHEALTHCHECK CMD [\"dotnet\", \"--info\"]", StringComparison.Ordinal)),
        ["shell-form ENTRYPOINT"] = ("docker-entrypoint", t => t.Replace("ENTRYPOINT [\"dotnet\", \"Targeting.Stops.dll\"]", "ENTRYPOINT dotnet Targeting.Stops.dll", StringComparison.Ordinal)),
    };

    public static TheoryData<string> DockerCases => [.. DockerMutations.Keys];

    [Theory]
    [MemberData(nameof(DockerCases))]
    public void BrokenDockerfile_Checked_FailsItsRule(string mutation)
    {
        var (rule, breakIt) = DockerMutations[mutation];
        var original = File.ReadAllText(RepoPaths.InRepo("deploy", "docker", "stops.Dockerfile"));
        var broken = breakIt(original);
        Assert.NotEqual(original, broken);

        var findings = DeploymentChecks.CheckDockerfiles(DeploymentChecks.WriteTemp(broken, ".Dockerfile"));

        Assert.True(findings.Any(f => f.Rule == rule), $"expected [{rule}]; got:{Environment.NewLine}{string.Join(Environment.NewLine, findings)}");
    }
}
