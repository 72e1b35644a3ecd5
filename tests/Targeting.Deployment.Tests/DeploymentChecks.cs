using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Targeting.Testing;

namespace Targeting.Deployment.Tests;

/// <summary>One finding of tests/deployment/check.mjs.</summary>
internal sealed record Finding(string Rule, string Object, string Message)
{
    public override string ToString() => $"[{Rule}] {Object}: {Message}";
}

/// <summary>
/// Renders the overlays with <c>kubectl kustomize</c> and runs tests/deployment/check.mjs (the
/// Kubernetes schemas of kubernetes-models, the project's policies, the Dockerfile rules) on them.
/// </summary>
internal static class DeploymentChecks
{
    public static readonly string Checks = RepoPaths.InRepo("tests", "deployment");

    /// <summary>The overlay rendered as YAML, as <c>kubectl apply -k</c> would send it.</summary>
    public static string Render(string kustomization)
    {
        var (exit, stdout, stderr) = Run("kubectl", ["kustomize", RepoPaths.InRepo(kustomization)]);
        Assert.True(exit == 0, $"kubectl kustomize {kustomization} failed ({exit}): {stderr}");
        return stdout;
    }

    /// <summary>The overlay plus the cluster's Dapr control-plane Configuration, as JSON objects to mutate.</summary>
    public static JsonArray RenderObjects(string overlay)
    {
        var objects = new JsonArray();
        foreach (var kustomization in new[] { $"k8s/overlays/{overlay}", "k8s/dapr-system" })
        {
            var yaml = WriteTemp(Render(kustomization), ".yaml");
            var (exit, stdout, stderr) = Node(["to-json", yaml]);
            Assert.True(exit == 0, $"check.mjs to-json failed: {stderr}");
            foreach (var o in JsonNode.Parse(stdout)!.AsArray())
            {
                objects.Add(o!.DeepClone());
            }
        }
        return objects;
    }

    public static IReadOnlyList<Finding> CheckManifests(params string[] files) => Findings(Node(["manifests", .. files]));

    public static IReadOnlyList<Finding> CheckObjects(JsonArray objects) => CheckManifests(WriteTemp(objects.ToJsonString(), ".json"));

    public static IReadOnlyList<Finding> CheckDockerfiles(params string[] files) => Findings(Node(["dockerfile", .. files]));

    public static string WriteTemp(string text, string extension)
    {
        var path = Path.Combine(Path.GetTempPath(), $"targeting-deploy-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, text);
        return path;
    }

    private static IReadOnlyList<Finding> Findings((int Exit, string Stdout, string Stderr) result)
    {
        Assert.True(result.Exit is 0 or 1, $"check.mjs failed ({result.Exit}): {result.Stderr}");
        var report = JsonNode.Parse(result.Stdout)!;
        var findings = report["errors"]!.AsArray()
            .Select(e => new Finding(e!["rule"]!.GetValue<string>(), e["object"]!.GetValue<string>(), e["message"]!.GetValue<string>()))
            .ToList();
        Assert.Equal(findings.Count > 0 ? 1 : 0, result.Exit);
        return findings;
    }

    private static (int Exit, string Stdout, string Stderr) Node(string[] arguments)
    {
        Assert.True(Directory.Exists(Path.Combine(Checks, "node_modules", "kubernetes-models")),
            "tests/deployment/node_modules is missing: run scripts/install-deps.sh (npm ci there)");
        return Run("node", [Path.Combine(Checks, "check.mjs"), .. arguments]);
    }

    public static (int Exit, string Stdout, string Stderr) Run(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The rendered object of that kind and name (the first when names repeat across namespaces).</summary>
    public static JsonObject Find(this JsonArray objects, string kind, string name) =>
        objects.Select(o => o!.AsObject()).FirstOrDefault(o => (string?)o["kind"] == kind && (string?)o["metadata"]?["name"] == name)
        ?? throw new InvalidOperationException($"{kind}/{name} is not rendered");

    /// <summary>The first container of a workload's pod template (CronJob included).</summary>
    public static JsonObject Container(this JsonObject workload) => PodSpec(workload)["containers"]![0]!.AsObject();

    public static JsonObject PodSpec(this JsonObject workload) =>
        ((string?)workload["kind"] == "CronJob" ? workload["spec"]!["jobTemplate"]!["spec"]!["template"]! : workload["spec"]!["template"]!)["spec"]!.AsObject();

    public static string Json(this JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
