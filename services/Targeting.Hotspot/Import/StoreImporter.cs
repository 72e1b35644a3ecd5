using Targeting.Common.V1;
using Targeting.Engine.Geography;
using Targeting.Hotspot.Storage;

namespace Targeting.Hotspot.Import;

/// <summary>What importing one file into a store did. RowsRead = Imported + Duplicates + Rejected.</summary>
public sealed record FileImportSummary(string Source, string Format, long RowsRead, long Imported, long Duplicates, long Rejected);

/// <summary>Imports crime CSV files straight into a store (the embedded path of <c>targeting import crimes</c>, tests and benchmarks).</summary>
public static class StoreImporter
{
    public static async Task<FileImportSummary> ImportFileAsync(
        IHotspotStore store,
        string path,
        Projection projection,
        Action<RejectedRow> reject,
        IProgress<ImportProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        long imported = 0, duplicates = 0;
        var read = await CrimeFileImporter.ReadAsync(
            path,
            async (batch, ct) =>
            {
                var result = await store.AddIncidentsAsync(IncidentMapping.ToRecords(batch, projection), ct);
                imported += result.Imported;
                duplicates += result.Duplicates;
            },
            reject,
            progress,
            cancellationToken: cancellationToken);
        return new FileImportSummary(read.Source, read.Format, read.RowsRead, imported, duplicates, read.Rejected);
    }
}
