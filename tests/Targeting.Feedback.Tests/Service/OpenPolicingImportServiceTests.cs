using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Targeting.Common.V1;
using Targeting.Engine.Roads;
using Targeting.Engine.Tests.Roads;
using Targeting.Feedback.Tests.Support;
using Targeting.Feedback.V1;
using Targeting.Grpc;
using Targeting.Stops;
using Targeting.Stops.Import;
using Targeting.Stops.V1;
using Targeting.Testing;

namespace Targeting.Feedback.Tests.Service;

/// <summary>
/// The Rhode Island open-policing file imported through the real stops service (ImportEncounters;
/// PostGIS when TARGETING_TEST_PG names a server, else SQLite), then AssessVehicleStops on the real
/// feedback service: the veil-of-darkness result must be the engine's on the file read directly
/// (whose agreement with statsmodels the engine tests check).
/// </summary>
public sealed class OpenPolicingImportServiceTests
{
    private static readonly LatLng Providence = new() { Latitude = RhodeIslandStops.Latitude, Longitude = RhodeIslandStops.Longitude };

    [Fact]
    public async Task RhodeIsland_ImportedThroughTheServices_DarknessAsTheEngineOnTheFile()
    {
        var direct = RhodeIslandStops.Load();
        var expected = VeilOfDarkness.Run(direct, new VeilOfDarknessOptions { DefaultLatitude = Providence.Latitude, DefaultLongitude = Providence.Longitude });

        await using var database = new PostgresDatabase();
        await database.InitializeAsync();
        var folder = Directory.CreateTempSubdirectory("feedback-open-policing-");
        var hosts = new ServiceHosts();
        try
        {
            var stops = await hosts.StartAsync(new Dictionary<string, string?>
            {
                ["Stops:BoundaryPath"] = RepoPaths.InRepo("data", "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson"),
                ["Storage:Provider"] = database.IsAvailable ? "postgres" : "sqlite",
                ["Storage:ConnectionString"] = database.IsAvailable ? database.ConnectionString : null,
                ["Storage:DataDirectory"] = folder.FullName,
            }, (s, c) => s.AddStopsService(c), app => app.MapStopsService());

            var file = OpenPolicingFile.Open(RhodeIslandStops.Path,
                new OpenPolicingSettings(TimeZoneInfo.FindSystemTimeZoneById("America/New_York"), SunReference: Providence));
            var readRejected = new List<RejectedRow>();
            ImportEncountersSummary summary;
            using (var supervisor = new StopsClient(stops, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Supervisor, "sgt-import", "roads-1") }))
            {
                await using var call = supervisor.ImportEncounters(new CallOptions { CancellationToken = TestContext.Current.CancellationToken });
                foreach (var batch in file.ReadBatches(EncounterImporter.BatchSize, readRejected))
                {
                    var message = new ImportEncountersRequest { Source = file.Source };
                    message.Encounters.Add(batch);
                    await call.WriteAsync(message, TestContext.Current.CancellationToken);
                }

                summary = await call.CompleteAsync();
            }

            // 27,918 rows: two clock times the spring change skipped and the cut-short last row are rejected.
            Assert.Equal(3, readRejected.Count);
            Assert.Equal(2, readRejected.Count(r => r.Reason.Contains("clocks went forward", StringComparison.Ordinal)));
            Assert.Contains(readRejected, r => r.RowNumber == 27919 && r.Reason == "expected 15 columns (as the header), found 14");
            Assert.Equal(direct.Count - readRejected.Count, summary.Imported);
            Assert.Equal(0, summary.Rejected);
            Assert.Equal(summary.Imported, summary.Unlocated);

            await using var hotspot = await FakeSources.StartAsync([], [], []);
            var feedback = await hosts.StartFeedbackAsync(hotspot.Address, stops);
            var client = new FeedbackClient(new GrpcClient(feedback, new GrpcClientOptions { BearerToken = DevelopmentTokens.Issue(Roles.Analyst, "roads-test"), Retry = null }));
            var window = new TimeWindow
            {
                Start = Timestamp.FromDateTimeOffset(new DateTimeOffset(2005, 1, 1, 0, 0, 0, TimeSpan.Zero)),
                End = Timestamp.FromDateTimeOffset(new DateTimeOffset(2009, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            };
            var report = await client.AssessVehicleStopsAsync(new VehicleStopsRequest { Window = window });

            Assert.Equal(summary.Imported, report.VehicleStops);
            Assert.Equal(expected.Counts.InWindow, report.InterTwilightStops);
            Assert.Equal(expected.Counts.InTwilight, report.TwilightDropped);
            Assert.Equal(expected.Groups.Select(g => g.Group), report.Darkness.Select(d => d.Group));
            foreach (var want in expected.Groups)
            {
                var got = report.Darkness.Single(d => d.Group == want.Group);
                Assert.Equal((want.Counts.GroupLight, want.Counts.GroupDark, want.Counts.ReferenceLight, want.Counts.ReferenceDark),
                    (got.GroupLight, got.GroupDark, got.WhiteLight, got.WhiteDark));
                Assert.Equal(want.Coefficient, got.Coefficient, 1e-9);
                Assert.Equal(want.Lower, got.CiLow, 1e-9);
                Assert.Equal(want.Upper, got.CiHigh, 1e-9);
            }

            var black = report.Darkness.Single(d => d.Group == "Black");
            Assert.True(black.Note.Length == 0 && double.IsFinite(black.Coefficient), black.Note);
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"Black vs White through the services: β = {black.Coefficient:0.00000} [{black.CiLow:0.00000}, {black.CiHigh:0.00000}]; engine on the file: {expected.For("Black")!.Coefficient:0.00000}");

            // The districts are the places, the source's race labels the groups.
            Assert.Equal(["Zone K1", "Zone K2", "Zone K3", "Zone X1", "Zone X3", "Zone X4"], report.ByBorough.Rows.Select(r => r.Category).Order(StringComparer.Ordinal));
            Assert.Contains(report.ByEthnicity.Rows, r => r.Category == "Hispanic" && r.Count == 1456);

            // One district by name: the test without the place effect on its stops only.
            var zone = await client.AssessVehicleStopsAsync(new VehicleStopsRequest { Window = window, Borough = "Zone K3" });
            Assert.Equal(report.ByBorough.Rows.Single(r => r.Category == "Zone K3").Count, zone.VehicleStops);
            Assert.Equal(6906 - 1, zone.VehicleStops); // the file's Zone K3 rows less the one at 02:17 on 9 March 2008, which never happened
        }
        finally
        {
            await hosts.DisposeAsync();
            folder.Delete(recursive: true);
        }
    }
}
