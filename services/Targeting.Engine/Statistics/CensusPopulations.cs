using System.Globalization;
using System.Text.RegularExpressions;

namespace Targeting.Engine.Statistics;

/// <summary>A row that a reader could not take: where it is and why (the engine's counterpart of <c>targeting.common.v1.RejectedRow</c>).</summary>
/// <param name="Source">The source name given by the caller (e.g. the file name).</param>
/// <param name="RowNumber">1-based line number in the source, the header being line 1.</param>
/// <param name="Reason">Why the row was rejected, in words a person can act on.</param>
public sealed record RejectedRow(string Source, long RowNumber, string Reason);

/// <summary>Census 2021 usual residents of one borough by ethnic group.</summary>
/// <param name="Code">The GSS code, e.g. <c>E09000022</c>.</param>
/// <param name="Name">The borough name, e.g. <c>Lambeth</c>.</param>
/// <param name="Total">All usual residents (the file's borough total).</param>
/// <param name="ByCensusCode">Residents by Census 2021 8-category code 1–7.</param>
public sealed record BoroughPopulation(string Code, string Name, long Total, IReadOnlyDictionary<int, long> ByCensusCode)
{
    /// <summary>Residents by broad group (codes 4, 5 and 6 add up to White).</summary>
    public IReadOnlyDictionary<BroadEthnicGroup, long> ByBroadGroup { get; } = ByBroad(ByCensusCode);

    private static Dictionary<BroadEthnicGroup, long> ByBroad(IReadOnlyDictionary<int, long> byCode)
    {
        var result = new Dictionary<BroadEthnicGroup, long>();
        foreach (var (code, residents) in byCode)
        {
            if (EthnicityMapping.TryGetCensusBroadGroup(code, out var group))
            {
                result[group] = result.GetValueOrDefault(group) + residents;
            }
        }

        return result;
    }
}

/// <summary>What <see cref="CensusPopulationReader.Read"/> read: the boroughs it accepted and the rows it rejected.</summary>
/// <param name="Boroughs">Complete boroughs (all seven groups, adding up to the total), in file order.</param>
/// <param name="Rejected">Every rejected row, with its line number and reason.</param>
public sealed record CensusPopulations(IReadOnlyList<BoroughPopulation> Boroughs, IReadOnlyList<RejectedRow> Rejected)
{
    /// <summary>
    /// Finds a borough by GSS code or by name (case-insensitive; "&amp;" and "and" are the same),
    /// or null when there is none.
    /// </summary>
    public BoroughPopulation? Find(string codeOrName)
    {
        ArgumentNullException.ThrowIfNull(codeOrName);
        var key = NameKey(codeOrName);
        return Boroughs.FirstOrDefault(b => string.Equals(b.Code, codeOrName.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? Boroughs.FirstOrDefault(b => NameKey(b.Name) == key);
    }

    /// <summary>All accepted boroughs added together (Greater London when the file holds the 33 boroughs).</summary>
    /// <param name="code">Code for the combined area (default <c>E12000007</c>, London region).</param>
    /// <param name="name">Name for the combined area (default "London").</param>
    public BoroughPopulation Combined(string code = "E12000007", string name = "London")
    {
        var byCode = new Dictionary<int, long>();
        foreach (var borough in Boroughs)
        {
            foreach (var (censusCode, residents) in borough.ByCensusCode)
            {
                byCode[censusCode] = byCode.GetValueOrDefault(censusCode) + residents;
            }
        }

        return new BoroughPopulation(code, name, Boroughs.Sum(b => b.Total), byCode);
    }

    private static string NameKey(string name) =>
        string.Join(' ', name.Replace("&", " and ", StringComparison.Ordinal)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();
}

/// <summary>
/// Reads the derived Census 2021 file <c>census2021_ethnic_group_london_boroughs.csv</c>
/// (../shared/data/README.md, section 5): columns <c>Borough code, Borough, Ethnic group code,
/// Ethnic group (ONS 8-category label), Broad group (5-way…), Population, Borough total, Share</c>,
/// one row per borough and Census 8-category code 1–7. The caller opens the file; this class does no I/O.
/// </summary>
public static partial class CensusPopulationReader
{
    private static readonly string[] ExpectedHeader =
        ["Borough code", "Borough", "Ethnic group code", "Ethnic group", "Broad group", "Population", "Borough total", "Share"];

    /// <summary>
    /// Reads the file. Each bad row is rejected with its line number and reason, never silently
    /// dropped: wrong column count, a malformed GSS code, a code outside 1–7, a broad group that
    /// does not match the code, a negative or non-integer population, a borough total or name
    /// that differs from the borough's earlier rows, a share that disagrees with population/total
    /// by more than 0.00001, a repeated (borough, code). A borough that ends up incomplete (not all
    /// seven codes, or groups not adding up to its total) is left out, and its first line is
    /// reported. A header that does not match rejects line 1 and reads nothing more.
    /// </summary>
    /// <param name="reader">The open file, positioned at the header.</param>
    /// <param name="source">The name to put on rejected rows (e.g. the file name).</param>
    public static CensusPopulations Read(TextReader reader, string source = "census")
    {
        ArgumentNullException.ThrowIfNull(reader);
        var rejected = new List<RejectedRow>();
        var header = reader.ReadLine();
        if (header is null)
        {
            rejected.Add(new RejectedRow(source, 1, "the file is empty: expected a header line"));
            return new CensusPopulations([], rejected);
        }

        var headerFields = CsvLine.Split(header.TrimStart('\uFEFF'));
        if (headerFields.Count != ExpectedHeader.Length
            || !headerFields.Zip(ExpectedHeader).All(p => p.First.Trim().StartsWith(p.Second, StringComparison.OrdinalIgnoreCase)))
        {
            rejected.Add(new RejectedRow(source, 1, "unexpected header: expected " + string.Join(", ", ExpectedHeader)));
            return new CensusPopulations([], rejected);
        }

        var boroughs = new List<BoroughBuilder>();
        var byCode = new Dictionary<string, BoroughBuilder>(StringComparer.Ordinal);
        long lineNumber = 1;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var reason = ReadRow(line, lineNumber, boroughs, byCode);
            if (reason is not null)
            {
                rejected.Add(new RejectedRow(source, lineNumber, reason));
            }
        }

        var accepted = new List<BoroughPopulation>();
        foreach (var borough in boroughs)
        {
            var problem = borough.Problem();
            if (problem is null)
            {
                accepted.Add(borough.Build());
            }
            else
            {
                rejected.Add(new RejectedRow(source, borough.FirstLine, $"borough {borough.Code} left out: {problem}"));
            }
        }

        rejected.Sort((a, b) => a.RowNumber.CompareTo(b.RowNumber));
        return new CensusPopulations(accepted, rejected);
    }

    private static string? ReadRow(string line, long lineNumber, List<BoroughBuilder> boroughs, Dictionary<string, BoroughBuilder> byCode)
    {
        var fields = CsvLine.Split(line);
        if (fields.Count != ExpectedHeader.Length)
        {
            return $"expected {ExpectedHeader.Length} columns, found {fields.Count}";
        }

        var code = fields[0].Trim();
        var name = fields[1].Trim();
        if (!GssCode().IsMatch(code))
        {
            return $"borough code '{code}' is not a GSS code (a letter and 8 digits)";
        }

        if (name.Length == 0)
        {
            return "borough name is blank";
        }

        if (!int.TryParse(fields[2].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var censusCode)
            || !EthnicityMapping.TryGetCensusBroadGroup(censusCode, out var expectedGroup))
        {
            return $"ethnic group code '{fields[2].Trim()}' is not a Census 2021 8-category code 1–7";
        }

        if (!EthnicityMapping.TryParseBroadGroup(fields[4], out var group) || group != expectedGroup)
        {
            return $"broad group '{fields[4].Trim()}' does not match ethnic group code {censusCode} (expected {EthnicityMapping.Name(expectedGroup)})";
        }

        if (!long.TryParse(fields[5].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var population))
        {
            return $"population '{fields[5].Trim()}' is not a whole number ≥ 0";
        }

        if (!long.TryParse(fields[6].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var total) || total == 0)
        {
            return $"borough total '{fields[6].Trim()}' is not a whole number > 0";
        }

        if (!double.TryParse(fields[7].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var share)
            || Math.Abs(share - (double)population / total) > 1e-5)
        {
            return string.Create(CultureInfo.InvariantCulture, $"share '{fields[7].Trim()}' is not population/total ({(double)population / total:0.000000})");
        }

        if (!byCode.TryGetValue(code, out var borough))
        {
            borough = new BoroughBuilder(code, name, total, lineNumber);
            byCode.Add(code, borough);
            boroughs.Add(borough);
        }
        else if (borough.Name != name)
        {
            return $"borough name '{name}' differs from '{borough.Name}' on line {borough.FirstLine} for {code}";
        }
        else if (borough.Total != total)
        {
            return $"borough total {total} differs from {borough.Total} on line {borough.FirstLine} for {code}";
        }

        return borough.ByCensusCode.TryAdd(censusCode, population)
            ? null
            : $"ethnic group code {censusCode} repeated for {code}";
    }

    [GeneratedRegex("^[A-Z][0-9]{8}$")]
    private static partial Regex GssCode();

    private sealed class BoroughBuilder(string code, string name, long total, long firstLine)
    {
        public string Code { get; } = code;
        public string Name { get; } = name;
        public long Total { get; } = total;
        public long FirstLine { get; } = firstLine;
        public Dictionary<int, long> ByCensusCode { get; } = [];

        public string? Problem()
        {
            var missing = Enumerable.Range(1, 7).Where(c => !ByCensusCode.ContainsKey(c)).ToArray();
            if (missing.Length > 0)
            {
                return "missing ethnic group code(s) " + string.Join(", ", missing);
            }

            var sum = ByCensusCode.Values.Sum();
            return sum == Total ? null : $"groups add up to {sum}, not the borough total {Total}";
        }

        public BoroughPopulation Build() => new(Code, Name, Total, new Dictionary<int, long>(ByCensusCode));
    }
}

/// <summary>Splits one CSV line (RFC 4180 quoting, doubled quotes inside quoted fields; no embedded line breaks).</summary>
internal static class CsvLine
{
    public static List<string> Split(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString().TrimEnd('\r'));
        return fields;
    }
}
