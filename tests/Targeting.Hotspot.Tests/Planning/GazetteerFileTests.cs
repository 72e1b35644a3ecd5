using System.Globalization;
using System.IO.Compression;
using NetTopologySuite.Geometries;
using Targeting.Engine.Geography;
using Targeting.Hotspot.Planning;
using Targeting.Import;
using Targeting.Testing;

namespace Targeting.Hotspot.Tests.Planning;

public sealed class GazetteerFileTests
{
    private const string StreetHeader = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context";

    [Fact]
    public void FromStreetFiles_RealFormatRows_KeepsOneStreetPerPointAndCountsWhatItSkips()
    {
        const string january = StreetHeader + """

            aa,2022-01,Metropolitan Police Service,Metropolitan Police Service,-0.114559,51.462110,On or near Coldharbour Lane,E01003000,Lambeth 020A,Burglary,Under investigation,
            ,2022-01,Metropolitan Police Service,Metropolitan Police Service,,,No Location,,,Burglary,Under investigation,
            bb,2022-01,Metropolitan Police Service,Metropolitan Police Service,-0.120000,51.460000,On or near ,E01003001,Lambeth 020B,Burglary,Under investigation,
            cc,2022-01,Metropolitan Police Service,Metropolitan Police Service,-0.119000,51.461000,On or near Supermarket,E01003001,Lambeth 020B,Burglary,Under investigation,
            dd,2022-01,Metropolitan Police Service,Metropolitan Police Service,0.132608,51.577881,On or near Prince'S Plain,E01000029,Barking and Dagenham 001C,Burglary,Under investigation,
            """;
        const string february = StreetHeader + """

            ee,2022-02,Metropolitan Police Service,Metropolitan Police Service,-0.114559,51.462110,On or near Coldharbour Lane,E01003000,Lambeth 020A,Burglary,Under investigation,
            ff,2022-02,Metropolitan Police Service,Metropolitan Police Service,-0.114559,51.462110,On or near Atlantic Road,E01003000,Lambeth 020A,Burglary,Under investigation,
            """;

        var built = GazetteerFile.FromStreetFiles([("jan", new StringReader(january)), ("feb", new StringReader(february))]);

        // The Brixton point is named by the street two of its three records give; sorted by latitude.
        Assert.Equal(
            [new GazetteerRow("51.462110", "-0.114559", "Coldharbour Lane"), new GazetteerRow("51.577881", "0.132608", "Prince's Plain")],
            built.Rows);
        Assert.Equal((7L, 1L, 1L, 1L), (built.RecordsRead, built.NoCoordinates, built.NoStreet, built.PlaceTypes));
        Assert.Equal(new Dictionary<string, int> { ["Barking and Dagenham"] = 1, ["Lambeth"] = 1 }, built.PointsByBorough);
    }

    [Fact]
    public void FromStreetFiles_NotAStreetFile_SaysWhichFile()
    {
        var e = Assert.Throws<InvalidDataException>(() => GazetteerFile.FromStreetFiles([("stops.csv", new StringReader("Type,Date,Latitude,Longitude\n"))]));

        Assert.StartsWith("stops.csv: not a data.police.uk street file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_ThenRead_RoundTripsTheRowsAsProjectedPoints()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gazetteer-{Guid.NewGuid():N}.csv.gz");
        try
        {
            await GazetteerFile.WriteAsync(path, [new GazetteerRow("51.462110", "-0.114559", "Coldharbour Lane"), new GazetteerRow("51.5", "-0.1", "Comma, Street")], TestContext.Current.CancellationToken);

            var points = GazetteerFile.Read(path, Projection.BritishNationalGrid);

            var (x, y) = Projection.BritishNationalGrid.Project(-0.114559, 51.462110);
            Assert.Equal([new StreetPoint(x, y, "Coldharbour Lane"), points[1] with { Street = "Comma, Street" }], points);
            using var text = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
            Assert.Equal(GazetteerFile.Header, await text.ReadLineAsync(TestContext.Current.CancellationToken));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ShippedGazetteer_BrixtonTownCentre_NamesTheStreetsWithMostIncidents()
    {
        // The box 51.4600371-51.4640373 N, 0.1170371-0.1110373 W around Brixton station (7 decimal places,
        // so no 4- or 6-place point lies on its edge; the nearest is 0.5 m inside). Expected from an
        // independent Python count over the shipped files (the 1,582 incidents in the box, each at the
        // nearest point in the box within 10 m, distances on a local flat approximation; none is
        // 9-11 m away): Brixton 215 (2 points), Coldharbour Lane 156 (1), Vining Street 83 (2),
        // Beehive Place 83 (1), Atlantic Road 78 (2), ... 969 incidents on 15 streets, 21 points.
        var projection = Projection.BritishNationalGrid;
        var gazetteer = new Gazetteer(GazetteerFile.Read(RepoPaths.InRepo(["data", .. GazetteerFile.ShippedPath]), projection));
        var box = projection.Project(Projection.Wgs84Factory.ToGeometry(new Envelope(-0.1170371, -0.1110373, 51.4600371, 51.4640373)));
        var incidents = SampleIncidents(projection);

        var context = gazetteer.Describe(box, incidents);

        Assert.Equal("Brixton / Coldharbour Lane / Vining Street", context.Name);
        Assert.Equal(
            [new StreetCount("Brixton", 215, 2), new StreetCount("Coldharbour Lane", 156, 1), new StreetCount("Vining Street", 83, 2),
             new StreetCount("Beehive Place", 83, 1), new StreetCount("Atlantic Road", 78, 2)],
            context.Streets.Take(5));
        Assert.Equal((15, 21, 969L), (context.Streets.Count, context.Streets.Sum(s => s.Points), context.Streets.Sum(s => s.Incidents)));
    }

    private static List<Coordinate> SampleIncidents(Projection projection)
    {
        using var text = new StreamReader(new GZipStream(File.OpenRead(RepoPaths.InRepo("data", "police-uk", "street-crime-barking-dagenham-lambeth-2022-01-to-2022-09.csv.gz")), CompressionMode.Decompress));
        var incidents = new List<Coordinate>();
        foreach (var record in CsvRecordReader.ReadAll(text).Skip(1))
        {
            var (x, y) = projection.Project(double.Parse(record.Fields[2], CultureInfo.InvariantCulture), double.Parse(record.Fields[3], CultureInfo.InvariantCulture));
            incidents.Add(new Coordinate(x, y));
        }

        return incidents;
    }
}
