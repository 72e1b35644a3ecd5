using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Targeting.Engine.Statistics;
using Targeting.Grpc;

namespace Targeting.Feedback.Tests.Support;

/// <summary>
/// The feedback service, hosted in-process on a loopback port as its Program.cs hosts it
/// (AddGrpcServer, AddFeedbackService, MapFeedbackService), reading from the given sources, with
/// the test borough's Census population and polygon written to a temporary folder.
/// </summary>
public sealed class FeedbackHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _folder;

    private FeedbackHost(WebApplication app, Uri address, string folder)
    {
        _app = app;
        Address = address;
        _folder = folder;
    }

    public Uri Address { get; }

    public static async Task<FeedbackHost> StartAsync(Uri hotspot, Uri stops, BoroughPopulation population,
        (double XMin, double YMin, double XMax, double YMax) borough, Dictionary<string, string?>? settings = null)
    {
        var folder = Directory.CreateTempSubdirectory("feedback-test-").FullName;
        var census = Path.Combine(folder, "census.csv");
        var boundaries = Path.Combine(folder, "boroughs.geojson");
        await File.WriteAllTextAsync(census, CensusCsv(population));
        await File.WriteAllTextAsync(boundaries, BoroughGeoJson(population.Name, population.Code, borough));

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        var configuration = new Dictionary<string, string?>
        {
            ["Services:Hotspot:Address"] = hotspot.ToString(),
            ["Services:Stops:Address"] = stops.ToString(),
            ["Services:CallTimeout"] = "00:00:30",
            ["Feedback:CensusPath"] = census,
            ["Feedback:BoroughBoundaryPath"] = boundaries,
            ["Feedback:ForceWideExclusions:0"] = "E09000001",
        };
        foreach (var (key, value) in settings ?? [])
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpcServer(builder.Configuration);
        builder.Services.AddFeedbackService(builder.Configuration);
        var app = builder.Build();
        app.UseGrpcServer();
        app.MapFeedbackService();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FeedbackHost(app, new Uri(address), folder);
    }

    /// <summary>A typed client with a development token of the given role (none: no token).</summary>
    public FeedbackClient Client(string? role, string? team = null) =>
        new(new GrpcClient(Address, new GrpcClientOptions
        {
            BearerToken = role is null ? null : DevelopmentTokens.Issue(role, team: team),
            Retry = null,
        }));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    // The derived London Census file's layout, for one borough.
    private static string CensusCsv(BoroughPopulation population)
    {
        var csv = new StringBuilder("Borough code,Borough,Ethnic group code,Ethnic group (ONS 8-category label),\"Broad group (5-way, as used in police.uk officer-defined ethnicity)\",Population,Borough total,Share\n");
        foreach (var (code, residents) in population.ByCensusCode.OrderBy(p => p.Key))
        {
            EthnicityMapping.TryGetCensusBroadGroup(code, out var group);
            csv.Append(CultureInfo.InvariantCulture, $"{population.Code},{population.Name},{code},label {code},{EthnicityMapping.Name(group)},{residents},{population.Total},{(double)residents / population.Total:0.000000}\n");
        }

        return csv.ToString();
    }

    private static string BoroughGeoJson(string name, string code, (double XMin, double YMin, double XMax, double YMax) r)
    {
        var corners = new[] { (r.XMin, r.YMin), (r.XMax, r.YMin), (r.XMax, r.YMax), (r.XMin, r.YMax), (r.XMin, r.YMin) }
            .Select(c => World.Point(c.Item1, c.Item2))
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"[{p.Longitude:R},{p.Latitude:R}]"));
        return $$$"""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"NAME":"{{{name}}}","GSS_CODE":"{{{code}}}"},"geometry":{"type":"Polygon","coordinates":[[{{{string.Join(",", corners)}}}]]}}]}""";
    }
}
