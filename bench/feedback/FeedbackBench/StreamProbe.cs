using System.Diagnostics;
using System.Net;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Targeting.Common.V1;
using Targeting.Engine.Geography;
using Targeting.Feedback.Analysis;
using Targeting.Grpc;
using Targeting.Hotspot.V1;

namespace FeedbackBench;

/// <summary>
/// How fast gRPC streams the feedback service's inputs: N synthetic incidents from an
/// in-memory server, one Incident message each (StreamIncidents) or in IncidentPoints batches
/// (StreamIncidentPoints, what the feedback service reads), read by the client into facts.
/// </summary>
internal static class StreamProbe
{
    public static async Task<string> RunAsync(int count)
    {
        var random = new Random(1);
        var incidents = new Incident[count];
        for (var i = 0; i < count; i++)
        {
            incidents[i] = new Incident
            {
                Id = Guid.NewGuid().ToString("N"),
                OccurredAt = Timestamp.FromDateTime(new DateTime(2022, 1 + i % 9, 1, 0, 0, 0, DateTimeKind.Utc)),
                TimePrecision = TimePrecision.Month,
                Location = new LatLng { Latitude = 51.3 + random.NextDouble() * 0.4, Longitude = -0.5 + random.NextDouble() * 0.7 },
                CrimeType = "Violence and sexual offences",
                Provenance = Provenance.Reported,
                LsoaCode = "E01000001",
                Source = "london_street_crime_2022-01_to_2022-09.csv",
                RowNumber = i + 2,
            };
        }

        var points = Points(incidents, Projection.BritishNationalGrid);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpcServer(builder.Configuration);
        builder.Services.AddSingleton(new Streamer(incidents, points));
        await using var app = builder.Build();
        app.UseGrpcServer();
        var hotspot = HotspotReflection.Descriptor.Services[0];
        app.MapAuthorizedGrpcService<Streamer>(hotspot, [.. hotspot.Methods.Select(m => m.Name).Where(n => n is not ("StreamIncidents" or "StreamIncidentPoints"))]);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        using var client = new GrpcClient(address, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Service) });
        var method = GrpcMethod<StreamIncidentsRequest, Incident>.For(HotspotReflection.Descriptor.Services[0], "StreamIncidents");

        var bytes = incidents.Sum(i => (long)i.CalculateSize());
        var clock = Stopwatch.StartNew();
        var received = 0;
        await foreach (var _ in client.ServerStreamingAsync(method, new StreamIncidentsRequest()))
        {
            received++;
        }

        var streamed = clock.Elapsed;
        clock.Restart();
        var facts = new List<IncidentFact>(count);
        await foreach (var incident in client.ServerStreamingAsync(method, new StreamIncidentsRequest()))
        {
            facts.AddRange(IncidentFacts.From([incident], Projection.BritishNationalGrid));
        }

        var withFacts = clock.Elapsed;
        clock.Restart();
        var projection = Projection.BritishNationalGrid;
        foreach (var incident in incidents)
        {
            projection.Project(incident.Location.Longitude, incident.Location.Latitude);
        }

        var projectOnly = clock.Elapsed;

        var pointsMethod = GrpcMethod<StreamIncidentsRequest, IncidentPoints>.For(HotspotReflection.Descriptor.Services[0], "StreamIncidentPoints");
        clock.Restart();
        var batchedFacts = new List<IncidentFact>(count);
        await foreach (var batch in client.ServerStreamingAsync(pointsMethod, new StreamIncidentsRequest()))
        {
            IncidentFacts.Add(batchedFacts, batch);
        }

        var batched = clock.Elapsed;
        await app.StopAsync();
        return $"| stream {received:N0} incidents ({bytes / 1e6:0.0} MB) | {streamed.TotalSeconds:0.00} s | {received / streamed.TotalSeconds:N0} msg/s |\n" +
               $"| stream + project into facts ({facts.Count:N0}) | {withFacts.TotalSeconds:0.00} s | {facts.Count / withFacts.TotalSeconds:N0} msg/s |\n" +
               $"| project only (ProjNet, BNG) | {projectOnly.TotalSeconds:0.00} s | {count / projectOnly.TotalSeconds:N0} points/s |\n" +
               $"| IncidentPoints batches of 4,096 (projected by the server) into facts ({batchedFacts.Count:N0}) | {batched.TotalSeconds:0.00} s | {batchedFacts.Count / batched.TotalSeconds:N0} msg/s |";
    }

    // What the hotspot service sends for these incidents: projected columns, 4,096 a batch.
    private static List<IncidentPoints> Points(Incident[] incidents, Projection projection)
    {
        var batches = new List<IncidentPoints>();
        foreach (var chunk in incidents.Chunk(4096))
        {
            var batch = new IncidentPoints { Crs = projection.Crs };
            var types = new Dictionary<string, int>();
            foreach (var incident in chunk)
            {
                var (x, y) = projection.Project(incident.Location.Longitude, incident.Location.Latitude);
                if (!types.TryGetValue(incident.CrimeType, out var type))
                {
                    type = types.Count;
                    types.Add(incident.CrimeType, type);
                    batch.CrimeTypes.Add(incident.CrimeType);
                }

                batch.X.Add(x);
                batch.Y.Add(y);
                batch.OccurredAtSeconds.Add(incident.OccurredAt.Seconds);
                batch.CrimeTypeIndex.Add(type);
                batch.Provenance.Add(incident.Provenance);
            }

            batches.Add(batch);
        }

        return batches;
    }

    /// <summary>Streams the prepared incidents, as the hotspot service would.</summary>
    private sealed class Streamer(Incident[] incidents, List<IncidentPoints> points) : HotspotService.HotspotServiceBase
    {
        [AllowRoles(Roles.Service)]
        public override async Task StreamIncidents(StreamIncidentsRequest request, IServerStreamWriter<Incident> responseStream, ServerCallContext context)
        {
            foreach (var incident in incidents)
            {
                await responseStream.WriteAsync(incident, context.CancellationToken);
            }
        }

        [AllowRoles(Roles.Service)]
        public override async Task StreamIncidentPoints(StreamIncidentsRequest request, IServerStreamWriter<IncidentPoints> responseStream, ServerCallContext context)
        {
            foreach (var chunk in points)
            {
                await responseStream.WriteAsync(chunk, bufferHint: true, context.CancellationToken);
            }
        }
    }
}
