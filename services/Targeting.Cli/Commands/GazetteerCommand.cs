using System.CommandLine;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Targeting.Hotspot.Planning;

namespace Targeting.Cli.Commands;

/// <summary>
/// <c>targeting gazetteer build FILE|FOLDER... --out FILE</c>: the street gazetteer patrol areas are
/// named from, built from data.police.uk's own street files (each record's "On or near" street at
/// its anonymised snap point).
/// </summary>
internal static class GazetteerCommand
{
    public const string DefaultOutput = "london-street-points.csv.gz";

    public static Command Create()
    {
        var inputs = new Argument<string[]>("files")
        {
            Description = "data.police.uk 12-column street files (YYYY-MM-<force>-street.csv, plain or .gz), or folders of them.",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--out")
        {
            Description = $"The gazetteer file to write (gzip CSV latitude,longitude,street; replaced if present). The hotspot service and 'brief' read data/{string.Join('/', GazetteerFile.ShippedPath)} by default.",
            DefaultValueFactory = _ => DefaultOutput,
        };
        var build = new Command("build",
            "Build a street gazetteer: one row per snap point (latitude and longitude as the files round them, and the street it is 'On or near'), " +
            "sorted, gzip CSV. Rows without coordinates, with a blank street or at a point-of-interest type ('Supermarket', 'Parking Area') are skipped and counted. " +
            "Example: targeting gazetteer build ../shared/data/police-uk/metropolitan-street-burglary-only --out data/gazetteer/london-street-points.csv.gz")
        {
            inputs,
            output,
        };
        build.SetAction((parse, cancellationToken) => BuildAsync(parse.GetValue(inputs)!, parse.GetValue(output)!,
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken));
        var command = new Command("gazetteer", "The street gazetteer that names patrol areas ('A1: Brixton Road / Coldharbour Lane').");
        command.Subcommands.Add(build);
        return command;
    }

    internal static async Task<int> BuildAsync(IReadOnlyList<string> inputs, string output, TextWriter stdout, TextWriter error, CancellationToken cancellationToken)
    {
        List<string> files;
        try
        {
            files = [.. inputs.SelectMany(Expand)];
        }
        catch (CommandInputException e)
        {
            error.WriteLine($"targeting gazetteer build: {e.Message}");
            return CliRoot.UsageError;
        }

        var readers = new List<(string, TextReader)>();
        try
        {
            foreach (var file in files)
            {
                Stream stream = File.OpenRead(file);
                if (file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
                {
                    stream = new GZipStream(stream, CompressionMode.Decompress);
                }

                readers.Add((file, new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true)));
            }

            var built = GazetteerFile.FromStreetFiles(readers);
            var folder = Path.GetDirectoryName(Path.GetFullPath(output));
            if (folder is not null)
            {
                Directory.CreateDirectory(folder);
            }

            await GazetteerFile.WriteAsync(output, built.Rows, cancellationToken);
            var inv = CultureInfo.InvariantCulture;
            stdout.WriteLine(string.Create(inv,
                $"{built.Rows.Count:N0} snap points from {built.RecordsRead:N0} records in {files.Count} file{(files.Count == 1 ? "" : "s")} " +
                $"(skipped: {built.NoCoordinates:N0} without coordinates, {built.NoStreet:N0} with no street, {built.PlaceTypes:N0} at a point-of-interest type)"));
            stdout.WriteLine(string.Create(inv, $"points by borough (from LSOA names), {built.PointsByBorough.Count} in all: ") +
                string.Join(", ", built.PointsByBorough.OrderByDescending(b => b.Value).ThenBy(b => b.Key, StringComparer.Ordinal)
                    .Select(b => string.Create(inv, $"{b.Key} {b.Value:N0}"))));
            stdout.WriteLine(string.Create(inv, $"wrote {Path.GetFullPath(output)} ({new FileInfo(output).Length / 1024.0:N0} KiB)"));
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            error.WriteLine($"targeting gazetteer build: {e.Message}");
            return 1;
        }
        finally
        {
            foreach (var (_, reader) in readers)
            {
                reader.Dispose();
            }
        }
    }

    /// <summary>A file as given; a folder's *.csv and *.csv.gz files in name order.</summary>
    private static IEnumerable<string> Expand(string input)
    {
        if (Directory.Exists(input))
        {
            var found = Directory.EnumerateFiles(input)
                .Where(f => f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".csv.gz", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal).ToList();
            return found.Count > 0 ? found : throw new CommandInputException($"{input}: the folder holds no .csv or .csv.gz file");
        }

        return File.Exists(input) ? [input] : throw new CommandInputException($"{input}: no such file or folder");
    }
}
