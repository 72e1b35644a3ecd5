using System.IO.Compression;
using System.Text;
using Targeting.Common.V1;
using Targeting.Hotspot.V1;

namespace Targeting.Hotspot.Import;

/// <summary>How far an import has got, for a progress display.</summary>
/// <param name="Source">The file being read.</param>
/// <param name="RowsRead">Data rows read so far from this file.</param>
/// <param name="BytesRead">Bytes of the file (compressed, for .gz) consumed so far.</param>
/// <param name="TotalBytes">The file's size in bytes.</param>
public readonly record struct ImportProgress(string Source, long RowsRead, long BytesRead, long TotalBytes);

/// <summary>What reading one file gave: rows read = accepted + rejected, always.</summary>
public sealed record CrimeFileReadResult(string Source, string Format, long RowsRead, long Accepted, long Rejected);

/// <summary>
/// Reads a crime CSV (plain or gzipped, told apart by the gzip magic bytes, not the name) in
/// batches, handing accepted incidents to a sink and refused rows to a rejection callback.
/// Memory stays bounded by the batch size and the duplicate-index table, whatever the file size.
/// </summary>
public static class CrimeFileImporter
{
    public const int DefaultBatchSize = 5_000;

    public static async Task<CrimeFileReadResult> ReadAsync(
        string path,
        Func<IReadOnlyList<Incident>, CancellationToken, ValueTask> writeBatch,
        Action<RejectedRow> reject,
        IProgress<ImportProgress>? progress = null,
        CoordinateBounds? bounds = null,
        int batchSize = DefaultBatchSize,
        CancellationToken cancellationToken = default)
    {
        var source = Path.GetFileName(path);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var total = file.Length;
        using var text = OpenText(file);
        using var reader = CrimeCsvReader.Open(text, source, bounds);

        var batch = new List<Incident>(batchSize);
        long rows = 0, accepted = 0, rejected = 0;
        foreach (var row in reader.ReadRows())
        {
            cancellationToken.ThrowIfCancellationRequested();
            rows++;
            if (row.Incident is { } incident)
            {
                accepted++;
                batch.Add(incident);
                if (batch.Count == batchSize)
                {
                    await writeBatch(batch, cancellationToken);
                    batch = new List<Incident>(batchSize);
                    progress?.Report(new ImportProgress(source, rows, file.Position, total));
                }
            }
            else
            {
                rejected++;
                reject(new RejectedRow { Source = source, RowNumber = row.RowNumber, Reason = row.RejectionReason ?? "rejected" });
            }
        }

        if (batch.Count > 0)
        {
            await writeBatch(batch, cancellationToken);
        }

        progress?.Report(new ImportProgress(source, rows, total, total));
        return new CrimeFileReadResult(source, reader.Format.Name, rows, accepted, rejected);
    }

    /// <summary>A text reader over a plain or gzipped stream, UTF-8 with byte-order-mark detection.</summary>
    public static TextReader OpenText(Stream stream)
    {
        Stream content = stream;
        if (stream.CanSeek)
        {
            Span<byte> magic = stackalloc byte[2];
            var read = stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            stream.Seek(-read, SeekOrigin.Current);
            if (read == 2 && magic[0] == 0x1F && magic[1] == 0x8B)
            {
                content = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
            }
        }

        return new StreamReader(content, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: content == stream);
    }
}
