using System.Diagnostics;
using System.Net;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Targeting.Bench.V1;
using Targeting.Common.V1;
using Targeting.Engine.Geography;
using Targeting.Feedback.Analysis;
using Targeting.Grpc;
using Targeting.Hotspot.V1;

namespace FeedbackBench;

/// <summary>
/// How fast the gRPC layer streams the feedback service's inputs: N synthetic incidents over
/// StreamIncidents from an in-memory server, read by the client, then projected into facts.
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

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpcServer(builder.Configuration);
        await using var app = builder.Build();
        app.UseGrpcServer();
        app.MapGrpcService<Streamer>(HotspotReflection.Descriptor.Services[0], s => s
            .ServerStreaming<StreamIncidentsRequest, Incident>("StreamIncidents", async (_, _, writer, context) =>
            {
                foreach (var incident in incidents)
                {
                    await writer.WriteAsync(incident, context.CancellationToken);
                }
            }, Roles.Service)
            .Unimplemented("ImportIncidents").Unimplemented("ProposePatrolAreas").Unimplemented("GetPlan").Unimplemented("ListPlans")
            .Unimplemented("StreamHotspotSurface").Unimplemented("LocatePatrolArea").Unimplemented("RunBacktest").Unimplemented("ListBoundaries"));
        app.MapGrpcService<Streamer>(BatchProbeReflection.Descriptor.Services[0], s => s
            .ServerStreaming<StreamIncidentsRequest, IncidentBatch>("StreamIncidentBatches", async (_, _, writer, context) =>
            {
                foreach (var chunk in incidents.Chunk(1000))
                {
                    await writer.WriteAsync(new IncidentBatch { Incidents = { chunk } }, context.CancellationToken);
                }
            }, Roles.Service)
            .Unimplemented("QueryEncounterBatches"));
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
        var facts = await IncidentFacts.FromAsync(client.ServerStreamingAsync(method, new StreamIncidentsRequest()), Projection.BritishNationalGrid, CancellationToken.None);
        var withFacts = clock.Elapsed;
        clock.Restart();
        var projection = Projection.BritishNationalGrid;
        foreach (var incident in incidents)
        {
            projection.Project(incident.Location.Longitude, incident.Location.Latitude);
        }

        var projectOnly = clock.Elapsed;

        // The same incidents in batches of 1,000 (the proposed StreamIncidentBatches).
        var batchMethod = GrpcMethod<StreamIncidentsRequest, IncidentBatch>.For(BatchProbeReflection.Descriptor.Services[0], "StreamIncidentBatches");
        clock.Restart();
        var batchedFacts = new List<IncidentFact>(count);
        await foreach (var batch in client.ServerStreamingAsync(batchMethod, new StreamIncidentsRequest()))
        {
            batchedFacts.AddRange(IncidentFacts.From(batch.Incidents, projection));
        }

        var batched = clock.Elapsed;
        await app.StopAsync();
        return $"| stream {received:N0} incidents ({bytes / 1e6:0.0} MB) | {streamed.TotalSeconds:0.00} s | {received / streamed.TotalSeconds:N0} msg/s |\n" +
               $"| stream + project into facts ({facts.Count:N0}) | {withFacts.TotalSeconds:0.00} s | {facts.Count / withFacts.TotalSeconds:N0} msg/s |\n" +
               $"| project only (ProjNet, BNG) | {projectOnly.TotalSeconds:0.00} s | {count / projectOnly.TotalSeconds:N0} points/s |\n" +
               $"| batches of 1,000 + project into facts ({batchedFacts.Count:N0}) | {batched.TotalSeconds:0.00} s | {batchedFacts.Count / batched.TotalSeconds:N0} msg/s |";
    }

    private sealed class Streamer;
}
