using System.CommandLine;
using Google.Protobuf.WellKnownTypes;
using Targeting.Common.V1;
using Targeting.Grpc;
using Targeting.Import;
using Targeting.Stops;
using Targeting.Stops.Geography;
using Targeting.Stops.Import;
using Targeting.Stops.Storage;
using Targeting.Stops.Storage.Postgres;
using Targeting.Stops.Storage.Sqlite;
using Targeting.Stops.Validation;
using Targeting.Stops.V1;

namespace Targeting.Cli.Commands;

/// <summary>
/// <c>targeting export stops [filters] --out CSV [--server URL]</c>: writes the encounters a query
/// matches in the data.police.uk stop-and-search format (15 columns), oldest first.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var export = new Command("export", "Export records in public data formats.");
        export.Subcommands.Add(CreateStops());
        return export;
    }

    private static Command CreateStops()
    {
        var output = new Option<string>("--out") { Description = "The CSV file to write.", Required = true };
        var server = StopsCommandOptions.Server();
        var token = StopsCommandOptions.Token();
        var dataDirectory = StopsCommandOptions.DataDirectory();
        var postgres = StopsCommandOptions.Postgres();
        var from = new Option<DateTimeOffset?>("--from") { Description = "Only encounters at or after this time (ISO 8601, e.g. 2022-01-01T00:00:00Z)." };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Only encounters before this time." };
        var area = new Option<string?>("--area") { Description = "Only encounters inside this boundary (a borough name or GSS code of the force boundary file)." };
        var wkt = new Option<string?>("--wkt") { Description = "Only encounters inside this WGS84 polygon (WKT, longitude latitude)." };
        var geojson = new Option<string?>("--geojson") { Description = "Only encounters inside the polygons of this GeoJSON file." };
        var selfDefined = new Option<string[]>("--self-defined-ethnicity") { Description = "Any of these (e.g. BLACK_AFRICAN, NOT_STATED); repeatable." };
        var officerDefined = new Option<string[]>("--officer-defined-ethnicity") { Description = "Any of these (WHITE, BLACK, ASIAN, OTHER, MIXED); repeatable." };
        var outcome = new Option<string[]>("--outcome") { Description = "Any of these (e.g. ARREST, NO_FURTHER_ACTION); repeatable." };
        var officer = new Option<string?>("--officer") { Description = "Only this officer pseudonym." };
        var team = new Option<string?>("--team") { Description = "Only this team." };
        var plan = new Option<string?>("--plan") { Description = "Only encounters linked to this patrol plan." };
        var areaId = new Option<string?>("--area-id") { Description = "With --plan: only this patrol area of it." };
        var excludeUnlocated = new Option<bool>("--exclude-unlocated") { Description = "Leave out encounters without coordinates." };
        var limit = new Option<long>("--limit") { Description = "At most this many (0: all).", CustomParser = result => NumberParsing.Parse<long>(result, "1000") };
        var boundary = new Option<string?>("--boundary") { Description = "Embedded export: the boundary file --area names come from (default: the shipped one)." };
        var command = new Command("stops", "Export encounters as data.police.uk stop-and-search CSV (15 columns).")
        {
            output, server, token, dataDirectory, postgres, from, to, area, wkt, geojson, selfDefined, officerDefined, outcome,
            officer, team, plan, areaId, excludeUnlocated, limit, boundary,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            EncounterQuery query;
            try
            {
                query = BuildQuery(
                    parse.GetValue(from), parse.GetValue(to), parse.GetValue(area), parse.GetValue(wkt),
                    parse.GetValue(geojson) is { } path ? await File.ReadAllTextAsync(path, cancellationToken) : null,
                    parse.GetValue(selfDefined) ?? [], parse.GetValue(officerDefined) ?? [], parse.GetValue(outcome) ?? [],
                    parse.GetValue(officer), parse.GetValue(team), parse.GetValue(plan), parse.GetValue(areaId),
                    parse.GetValue(excludeUnlocated), parse.GetValue(limit));
            }
            catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"targeting export stops: {e.Message}");
                return 2;
            }

            return await RunAsync(query, parse.GetRequiredValue(output), parse.GetValue(server),
                TokenOption.Value(parse, token),
                parse.GetValue(dataDirectory)!, parse.GetValue(postgres), parse.GetValue(boundary) ?? new StopsOptions().BoundaryPath,
                parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    internal static EncounterQuery BuildQuery(
        DateTimeOffset? from, DateTimeOffset? to, string? area, string? wkt, string? geojson,
        IEnumerable<string> selfDefined, IEnumerable<string> officerDefined, IEnumerable<string> outcomes,
        string? officer, string? team, string? plan, string? areaId, bool excludeUnlocated, long limit)
    {
        var query = new EncounterQuery
        {
            OfficerPseudonym = officer ?? "",
            Team = team ?? "",
            PlanId = plan ?? "",
            AreaId = areaId ?? "",
            ExcludeUnlocated = excludeUnlocated,
            Limit = limit,
        };
        if (from is not null || to is not null)
        {
            query.Window = new TimeWindow
            {
                Start = from is { } start ? Timestamp.FromDateTimeOffset(start) : null,
                End = to is { } end ? Timestamp.FromDateTimeOffset(end) : null,
            };
        }

        var areas = new[] { area, wkt, geojson }.Count(a => a is not null);
        if (areas > 1)
        {
            throw new FormatException("give at most one of --area, --wkt and --geojson");
        }

        query.Area = area is not null ? new AreaOfInterest { BoundaryName = area }
            : wkt is not null ? new AreaOfInterest { Wkt = wkt }
            : geojson is not null ? new AreaOfInterest { Geojson = geojson }
            : null;
        query.SelfDefinedEthnicities.Add(selfDefined.Select(v => ParseEnum<SelfDefinedEthnicity>(v, "--self-defined-ethnicity")));
        query.OfficerDefinedEthnicities.Add(officerDefined.Select(v => ParseEnum<OfficerDefinedEthnicity>(v, "--officer-defined-ethnicity")));
        query.Outcomes.Add(outcomes.Select(v => ParseEnum<Outcome>(v, "--outcome")));
        return query;
    }

    internal static async Task<int> RunAsync(
        EncounterQuery query, string outputPath, Uri? server, string? token, string dataDirectory, string? postgres, string boundaryPath,
        TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var written = 0L;
        var skipped = new Dictionary<string, long>(StringComparer.Ordinal);
        var temporary = outputPath + ".partial";
        if (server is not null)
        {
            await ServerOption.WaitUntilServingAsync(server, error, cancellationToken);
        }

        try
        {
            await using (var writer = CsvRecordWriter.Create(new StreamWriter(temporary, append: false, StopSearchFormat.FileEncoding)))
            {
                writer.WriteRecord(StopSearchFormat.Columns);
                await foreach (var encounter in ReadAsync(query, server, token, dataDirectory, postgres, boundaryPath, cancellationToken))
                {
                    if (StopSearchFormat.TryFormatRow(encounter, out var reason) is { } row)
                    {
                        writer.WriteRecord(row);
                        written++;
                    }
                    else
                    {
                        skipped[reason!] = skipped.GetValueOrDefault(reason!) + 1;
                    }
                }
            }

            File.Move(temporary, outputPath, overwrite: true);
        }
        catch (Exception e) when (e is RpcException or FormatException or IOException or UnauthorizedAccessException
            or System.Text.Json.JsonException or System.Data.Common.DbException)
        {
            // The partial file may never have been created (e.g. --out in a missing folder, where
            // File.Delete itself would throw DirectoryNotFoundException).
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }

            error.WriteLine(e is RpcException rpc
                ? $"targeting export stops: the service answered {rpc.StatusCode}: {rpc.Detail}"
                    + (TokenOption.Advice(rpc.StatusCode, Roles.Analyst) is { } advice ? "; " + advice : "")
                : $"targeting export stops: {e.Message}");
            return 1;
        }

        output.WriteLine($"written: {written:N0} rows to {Path.GetFullPath(outputPath)}");
        foreach (var (reason, count) in skipped)
        {
            output.WriteLine($"not exported: {count:N0} ({reason})");
        }

        return 0;
    }

    private static async IAsyncEnumerable<Encounter> ReadAsync(
        EncounterQuery query, Uri? server, string? token, string dataDirectory, string? postgres, string boundaryPath,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (server is not null)
        {
            using var client = new StopsClient(server, new GrpcClientOptions { BearerToken = token });
            var options = new CallOptions
            {
                CancellationToken = cancellationToken,
                Headers = new Metadata { { StopsGrpcService.AuditPurposeHeader, "export" } },
            };
            await foreach (var record in client.QueryEncountersAsync(query, options).WithCancellation(cancellationToken))
            {
                yield return record.Current;
            }

            yield break;
        }

        await foreach (var encounter in ReadEmbeddedAsync(query, dataDirectory, postgres, boundaryPath, cancellationToken))
        {
            yield return encounter;
        }
    }

    /// <summary>The local store, queried directly; each chunk of rows is audited as an export before it is written.</summary>
    private static async IAsyncEnumerable<Encounter> ReadEmbeddedAsync(
        EncounterQuery query, string dataDirectory, string? postgres, string boundaryPath,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        var area = AreaOfInterestReader.Read(query.Area, "area", ForceBoundary.Load(boundaryPath, 0), errors);
        if (errors.Count > 0)
        {
            throw new FormatException(string.Join("; ", errors.Select(e => $"{e.Field} {e.Description}")));
        }

        // Exporting must not create a store: a mistyped --data-dir would otherwise give an empty file and exit 0.
        var sqlitePath = Path.Combine(dataDirectory, "stops.db");
        if (postgres is null && !File.Exists(sqlitePath))
        {
            throw new FormatException($"no embedded stops store at {Path.GetFullPath(sqlitePath)} (import first, or give --data-dir, --postgres or --server)");
        }

        var health = new StoreHealth();
        await using IEncounterStore store = postgres is not null
            ? new PostgresEncounterStore(postgres, health)
            : new SqliteEncounterStore(sqlitePath, health);
        await store.MigrateAsync(cancellationToken);

        var filter = new EncounterFilter
        {
            From = query.Window?.Start?.ToDateTimeOffset(),
            To = query.Window?.End?.ToDateTimeOffset(),
            Area = area,
            SelfDefinedEthnicities = query.SelfDefinedEthnicities,
            OfficerDefinedEthnicities = query.OfficerDefinedEthnicities,
            Outcomes = query.Outcomes,
            OfficerPseudonyms = query.OfficerPseudonym.Length > 0 ? [query.OfficerPseudonym] : null,
            Team = query.Team.Length > 0 ? query.Team : null,
            PlanId = query.PlanId.Length > 0 ? query.PlanId : null,
            AreaId = query.AreaId.Length > 0 ? query.AreaId : null,
            ExcludeUnlocated = query.ExcludeUnlocated,
            Limit = query.Limit,
        };
        var chunk = new List<StoredEncounter>(1000);
        await using var rows = store.QueryAsync(filter, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            var more = await rows.MoveNextAsync();
            if (more)
            {
                chunk.Add(rows.Current);
            }

            if (chunk.Count == 1000 || (!more && chunk.Count > 0))
            {
                await store.AppendAuditAsync(new AuditEntry(DateTimeOffset.UtcNow, StopsCommandOptions.LocalActor, "supervisor", "export",
                    "cli export stops", chunk.Select(e => e.EncounterId).ToList(), chunk.Count, Targeting.Stops.Access.EncounterViews.PersonalFields), cancellationToken);
                foreach (var stored in chunk)
                {
                    yield return stored.Current;
                }

                chunk.Clear();
            }

            if (!more)
            {
                yield break;
            }
        }
    }

    /// <summary>An enum value by its proto name, with or without the type prefix, case-insensitive.</summary>
    private static TEnum ParseEnum<TEnum>(string value, string option)
        where TEnum : struct, System.Enum
    {
        var descriptor = StopsReflection.Descriptor.EnumTypes.Single(e => e.ClrType == typeof(TEnum));
        var prefix = descriptor.Values[0].Name[..^"UNSPECIFIED".Length];
        var name = value.Trim().Replace('-', '_').ToUpperInvariant();
        var match = descriptor.Values.FirstOrDefault(v => v.Number != 0 && (v.Name == name || v.Name == prefix + name));
        return match is null
            ? throw new FormatException($"{option} '{value}' is not one of: {string.Join(", ", descriptor.Values.Skip(1).Select(v => v.Name[prefix.Length..]))}")
            : (TEnum)System.Enum.ToObject(typeof(TEnum), match.Number);
    }
}
