using Targeting.Testing;

namespace Targeting.Deployment.Tests;

/// <summary>The overlays render, and every object passes the Kubernetes schemas and the project's policies.</summary>
public sealed class ManifestTests
{
    public static TheoryData<string> Overlays => new() { "dev", "prod" };

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Overlay_RenderedWithDaprSystem_PassesSchemasAndPolicies(string overlay)
    {
        var app = DeploymentChecks.WriteTemp(DeploymentChecks.Render($"k8s/overlays/{overlay}"), ".yaml");
        var system = DeploymentChecks.WriteTemp(DeploymentChecks.Render("k8s/dapr-system"), ".yaml");

        var findings = DeploymentChecks.CheckManifests(app, system);

        Assert.True(findings.Count == 0, string.Join(Environment.NewLine, findings));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Overlay_Rendered_HasEveryPartOfTheDeployment(string overlay)
    {
        var objects = DeploymentChecks.RenderObjects(overlay);
        string[] Names(string kind) => [.. objects.Where(o => (string?)o!["kind"] == kind).Select(o => (string)o!["metadata"]!["name"]!).Order()];

        Assert.Equal(["feedback", "hotspot", "stops", "web"], Names("Deployment"));
        Assert.Equal(["feedback", "hotspot", "stops", "web"], Names("HorizontalPodAutoscaler"));
        Assert.Equal(["feedback", "hotspot", "stops", "web"], Names("PodDisruptionBudget"));
        Assert.Equal(["postgres"], Names("StatefulSet"));
        Assert.Equal(["postgres-backup"], Names("CronJob"));
        Assert.Equal(["feedback", "hotspot", "postgres", "stops", "web"], Names("Service"));
        Assert.Equal(["daprsystem", "feedback", "hotspot", "stops", "web"], Names("Configuration"));
        Assert.Empty(Names("Secret"));
        Assert.Equal(overlay == "prod" ? ["web"] : [], Names("Ingress"));
        // Everything of the app in one namespace, the policies' namespace.
        Assert.All(objects.Where(o => (string?)o!["kind"] != "Namespace" && (string?)o!["metadata"]!["name"] != "daprsystem"),
            o => Assert.Equal("targeting", (string?)o!["metadata"]!["namespace"]));
    }

    [Fact]
    public void GrpcServices_Rendered_AreHeadlessWithProbesOnTheirHealthNames()
    {
        var objects = DeploymentChecks.RenderObjects("prod");
        // The names the services report under in grpc.health.v1 (HotspotStoreMonitor.ServiceName,
        // StopsServiceExtensions.HealthName, the feedback service's mapped descriptor).
        var healthNames = new Dictionary<string, string>
        {
            ["hotspot"] = Targeting.Hotspot.V1.HotspotReflection.Descriptor.Services[0].FullName,
            ["stops"] = Targeting.Stops.V1.StopsReflection.Descriptor.Services[0].FullName,
            ["feedback"] = Targeting.Feedback.V1.FeedbackReflection.Descriptor.Services[0].FullName,
        };
        foreach (var (name, health) in healthNames)
        {
            Assert.Equal("None", (string?)objects.Find("Service", name)["spec"]!["clusterIP"]);
            var container = objects.Find("Deployment", name).Container();
            Assert.Equal(health, (string?)container["readinessProbe"]!["grpc"]!["service"]);
            Assert.Equal("", (string?)container["livenessProbe"]!["grpc"]!["service"]);
            Assert.Equal(8080, (int)container["readinessProbe"]!["grpc"]!["port"]!);
        }
    }

    [Fact]
    public void Deployments_Rendered_ConfigureTheKeysTheServicesRead()
    {
        var objects = DeploymentChecks.RenderObjects("prod");
        string[] Env(string name) => [.. objects.Find("Deployment", name).Container()["env"]!.AsArray().Select(e => (string)e!["name"]!).Order(StringComparer.Ordinal)];

        // Section and key names of HotspotOptions/StorageOptions, StopsOptions, SourcesOptions and
        // GrpcAuthenticationOptions, with ASP.NET Core's "__" for ":".
        Assert.Equal(["Authentication__SigningKey", "DOTNET_ENVIRONMENT", "POSTGRES_PASSWORD", "Storage__ConnectionString", "Storage__Provider"], Env("hotspot"));
        Assert.Equal(["Authentication__SigningKey", "DOTNET_ENVIRONMENT", "POSTGRES_PASSWORD", "Services__Hotspot__Address", "Services__Hotspot__DaprAppId",
            "Stops__PseudonymKey", "Storage__ConnectionString", "Storage__Provider"], Env("stops"));
        Assert.Equal(["Authentication__SigningKey", "DOTNET_ENVIRONMENT", "Services__Hotspot__Address", "Services__Hotspot__DaprAppId",
            "Services__Stops__Address", "Services__Stops__DaprAppId", "Services__Token"], Env("feedback"));
        var stopsEnv = objects.Find("Deployment", "stops").Container()["env"]!.AsArray();
        Assert.Equal("hotspot", (string?)stopsEnv.First(e => (string?)e!["name"] == "Services__Hotspot__DaprAppId")!["value"]);
        Assert.Equal("targeting-pseudonym", (string?)stopsEnv.First(e => (string?)e!["name"] == "Stops__PseudonymKey")!["valueFrom"]!["secretKeyRef"]!["name"]);
        // The connection string's password comes from the variable defined before it (kubelet $(VAR) expansion).
        var names = stopsEnv.Select(e => (string)e!["name"]!).ToList();
        Assert.True(names.IndexOf("POSTGRES_PASSWORD") < names.IndexOf("Storage__ConnectionString"));
        Assert.Contains("Password=$(POSTGRES_PASSWORD)", (string?)stopsEnv.First(e => (string?)e!["name"] == "Storage__ConnectionString")!["value"]);
    }

    [Fact]
    public void DevOverlay_Rendered_KeepsThreeDaysOfBackups()
    {
        // The dev patch addresses the variable by index: this fails if the list is reordered.
        var env = DeploymentChecks.RenderObjects("dev").Find("CronJob", "postgres-backup").Container()["env"]!.AsArray();
        var keep = env.Single(e => (string?)e!["name"] == "BACKUP_KEEP_DAYS")!;
        Assert.Equal("3", (string?)keep["value"]);
    }

    [Fact]
    public void Dockerfiles_PassTheImageRules()
    {
        var files = Directory.GetFiles(RepoPaths.InRepo("deploy", "docker"), "*.Dockerfile").Order().ToArray();
        Assert.Equal(["feedback", "hotspot", "stops", "web"], files.Select(f => Path.GetFileName(f).Split('.')[0]));

        var findings = DeploymentChecks.CheckDockerfiles(files);

        Assert.True(findings.Count == 0, string.Join(Environment.NewLine, findings));
        foreach (var file in files)
        {
            var project = "Targeting." + char.ToUpperInvariant(Path.GetFileName(file)[0]) + Path.GetFileName(file)[1..].Split('.')[0];
            var text = File.ReadAllText(file);
            Assert.Contains($"dotnet publish services/{project}/{project}.csproj", text);
            Assert.Contains($"ENTRYPOINT [\"dotnet\", \"{project}.dll\"]", text);
            if (project != "Targeting.Web")
            {
                Assert.True(File.Exists(RepoPaths.InRepo("services", project, project + ".csproj")), project);
            }
        }
    }

}
