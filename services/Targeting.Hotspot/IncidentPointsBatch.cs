using Targeting.Hotspot.Storage;
using Targeting.Hotspot.V1;

namespace Targeting.Hotspot;

/// <summary>Fills <see cref="IncidentPoints"/> messages of a fixed size from the store's points, one column per field.</summary>
internal sealed class IncidentPointsBatch(string crs, int size)
{
    private IncidentPoints _points = New(crs, size);
    private readonly Dictionary<string, int> _crimeTypes = new(StringComparer.Ordinal);

    public int Count => _points.X.Count;

    /// <summary>Adds an incident; true when the batch is full and should be taken.</summary>
    public bool Add(IncidentPoint record)
    {
        if (!_crimeTypes.TryGetValue(record.CrimeType, out var index))
        {
            index = _crimeTypes.Count;
            _crimeTypes.Add(record.CrimeType, index);
            _points.CrimeTypes.Add(record.CrimeType);
        }

        _points.X.Add(record.X);
        _points.Y.Add(record.Y);
        _points.OccurredAtSeconds.Add(new DateTimeOffset(DateTime.SpecifyKind(record.OccurredAt, DateTimeKind.Utc)).ToUnixTimeSeconds());
        _points.OccurredAtNanos.Add((int)(record.OccurredAt.Ticks % TimeSpan.TicksPerSecond * 100));
        _points.CrimeTypeIndex.Add(index);
        _points.Provenance.Add(record.Provenance);
        return _points.X.Count >= size;
    }

    /// <summary>The batch so far; the next starts empty, with its own crime-type list.</summary>
    public IncidentPoints Take()
    {
        var taken = _points;
        _points = New(crs, size);
        _crimeTypes.Clear();
        return taken;
    }

    private static IncidentPoints New(string crs, int size)
    {
        var points = new IncidentPoints { Crs = crs };
        points.X.Capacity = size;
        points.Y.Capacity = size;
        points.OccurredAtSeconds.Capacity = size;
        points.OccurredAtNanos.Capacity = size;
        points.CrimeTypeIndex.Capacity = size;
        points.Provenance.Capacity = size;
        return points;
    }
}
