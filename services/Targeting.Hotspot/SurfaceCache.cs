using Google.Protobuf;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Targeting.Hotspot.V1;

namespace Targeting.Hotspot;

/// <summary>
/// Computed hotspot surfaces, by request: a London-wide surface loads ~600k incidents and takes
/// seconds, and the planner's map asks for the same one (a stored plan's window, method and
/// parameters) every time the plan is opened. Bounded by cells (<see cref="HotspotOptions.SurfaceCacheCells"/>),
/// each entry kept at most <see cref="HotspotOptions.SurfaceCacheTtl"/>, and cleared when this
/// replica imports incidents; the time limit bounds how stale a surface can be after an import
/// by another replica or the command line (decision 055).
/// </summary>
public sealed class SurfaceCache : IDisposable
{
    private readonly MemoryCache? _cache;
    private readonly TimeSpan _ttl;

    public SurfaceCache(IOptions<HotspotOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _ttl = o.SurfaceCacheTtl;
        _cache = o.SurfaceCacheCells > 0 && _ttl > TimeSpan.Zero ? new MemoryCache(new MemoryCacheOptions { SizeLimit = o.SurfaceCacheCells }) : null;
    }

    /// <summary>The request's identity: its wire bytes (a map in another order only misses the cache).</summary>
    public static string KeyOf(HotspotSurfaceRequest request) => Convert.ToBase64String(request.ToByteArray());

    /// <summary>The chunks stored for the key, or null. The messages are shared: callers must not change them.</summary>
    public IReadOnlyList<HotspotSurfaceChunk>? Get(string key) =>
        _cache is not null && _cache.TryGetValue(key, out IReadOnlyList<HotspotSurfaceChunk>? chunks) ? chunks : null;

    /// <summary>Keeps a surface's chunks (sized by their cells; one larger than the whole cache is not kept).</summary>
    public void Set(string key, IReadOnlyList<HotspotSurfaceChunk> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        _cache?.Set(key, chunks, new MemoryCacheEntryOptions
        {
            Size = Math.Max(1, chunks.Sum(c => (long)c.Cells.Count)),
            AbsoluteExpirationRelativeToNow = _ttl,
        });
    }

    /// <summary>Forgets every surface: the incidents changed.</summary>
    public void Clear() => _cache?.Clear();

    public void Dispose() => _cache?.Dispose();
}
