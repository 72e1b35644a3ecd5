using System.Buffers.Binary;
using Google.Protobuf;
using Targeting.Stops.V1;

namespace Targeting.Stops.Access;

/// <summary>
/// Builds one <see cref="EncounterFacts"/> batch from stored encounters' protobuf bytes, reading only the
/// analytic fields off the wire: a million stops parsed as whole <see cref="Encounter"/> messages spend
/// most of the stream's time allocating the officer, grounds and procedural-justice fields the facts drop.
/// </summary>
/// <remarks>
/// Reads the wire format as protobuf defines it (https://protobuf.dev/programming-guides/encoding/): the
/// last value of a repeated scalar field wins and repeated message fields merge, as a full parse does, so
/// the batch equals <see cref="EncounterViews.ToFacts"/> of the parsed records (the store contract tests
/// check it). Vehicles and sources are kept once per batch, keyed by their bytes, so a repeated vehicle
/// costs no string.
/// </remarks>
public sealed class EncounterFactsBuilder
{
    private readonly Dictionary<string, int> _plans = new(StringComparer.Ordinal);
    private readonly Dictionary<byte[], int> _vehicles = new(BytesComparer.Instance);
    private readonly Dictionary<byte[], int> _sources = new(BytesComparer.Instance);
    private EncounterFacts _facts = new();

    /// <summary>Encounters added since the last <see cref="Build"/>.</summary>
    public int Count => _facts.OccurredAtSeconds.Count;

    /// <summary>Adds one encounter.</summary>
    /// <param name="current">The encounter's current values, as the store keeps them (protobuf bytes of <see cref="Encounter"/>).</param>
    /// <param name="linkStatus">Its patrol link status.</param>
    /// <param name="planId">The plan it is linked to; null or empty for none.</param>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed encounter.</exception>
    public void Add(ReadOnlySpan<byte> current, PatrolLinkStatus linkStatus, string? planId)
    {
        long seconds = 0;
        var nanos = 0;
        var hasLocation = false;
        double latitude = 0, longitude = 0;
        var precision = LocationPrecision.Unspecified;
        var type = EncounterType.Unspecified;
        var objectOfSearch = ObjectOfSearch.Unspecified;
        var outcome = Outcome.Unspecified;
        var linked = Answer.Unspecified;
        var sex = Sex.Unspecified;
        var age = AgeRange.Unspecified;
        var selfDefined = SelfDefinedEthnicity.Unspecified;
        var officer = OfficerDefinedEthnicity.Unspecified;
        ReadOnlySpan<byte> vehicle = default;
        var vehicleParts = 0;
        byte[]? mergedVehicle = null;
        EncounterSource? source = null;

        var reader = new WireReader(current);
        while (!reader.End)
        {
            var (field, wire) = reader.Tag();
            switch (field, wire)
            {
                case (1, WireReader.LengthDelimited):
                    var timestamp = new WireReader(reader.Bytes());
                    while (!timestamp.End)
                    {
                        var (f, w) = timestamp.Tag();
                        if (f == 1 && w == WireReader.VarintWire)
                        {
                            seconds = (long)timestamp.Varint();
                        }
                        else if (f == 2 && w == WireReader.VarintWire)
                        {
                            nanos = (int)timestamp.Varint();
                        }
                        else
                        {
                            timestamp.Skip(w);
                        }
                    }

                    break;
                case (2, WireReader.LengthDelimited):
                    hasLocation = true;
                    var location = new WireReader(reader.Bytes());
                    while (!location.End)
                    {
                        var (f, w) = location.Tag();
                        if (f == 1 && w == WireReader.Fixed64)
                        {
                            latitude = location.Double();
                        }
                        else if (f == 2 && w == WireReader.Fixed64)
                        {
                            longitude = location.Double();
                        }
                        else
                        {
                            location.Skip(w);
                        }
                    }

                    break;
                case (3, WireReader.VarintWire):
                    precision = (LocationPrecision)reader.Enum();
                    break;
                case (4, WireReader.VarintWire):
                    type = (EncounterType)reader.Enum();
                    break;
                case (8, WireReader.VarintWire):
                    objectOfSearch = (ObjectOfSearch)reader.Enum();
                    break;
                case (9, WireReader.VarintWire):
                    outcome = (Outcome)reader.Enum();
                    break;
                case (10, WireReader.VarintWire):
                    linked = (Answer)reader.Enum();
                    break;
                case (12, WireReader.VarintWire):
                    sex = (Sex)reader.Enum();
                    break;
                case (13, WireReader.VarintWire):
                    age = (AgeRange)reader.Enum();
                    break;
                case (14, WireReader.VarintWire):
                    selfDefined = (SelfDefinedEthnicity)reader.Enum();
                    break;
                case (15, WireReader.VarintWire):
                    officer = (OfficerDefinedEthnicity)reader.Enum();
                    break;
                case (16, WireReader.LengthDelimited):
                    // A second occurrence merges into the first, as a full parse does: concatenated bytes
                    // of a message parse as the merge of its parts.
                    var part = reader.Bytes();
                    vehicleParts++;
                    if (vehicleParts == 1)
                    {
                        vehicle = part;
                    }
                    else
                    {
                        mergedVehicle = [.. mergedVehicle ?? vehicle.ToArray(), .. part];
                        vehicle = mergedVehicle;
                    }

                    break;
                case (22, WireReader.LengthDelimited):
                    source ??= new EncounterSource();
                    source.MergeFrom(reader.Bytes());
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        var located = hasLocation && precision != LocationPrecision.Unlocated;
        _facts.OccurredAtSeconds.Add(seconds);
        _facts.OccurredAtNanos.Add(nanos);
        _facts.Type.Add(type);
        _facts.Latitude.Add(located ? latitude : double.NaN);
        _facts.Longitude.Add(located ? longitude : double.NaN);
        _facts.OfficerDefinedEthnicity.Add(officer);
        _facts.SelfDefinedEthnicity.Add(selfDefined);
        _facts.Outcome.Add(outcome);
        _facts.OutcomeLinkedToObject.Add(linked);
        _facts.ObjectOfSearch.Add(objectOfSearch);
        _facts.LinkStatus.Add(linkStatus);
        var plan = 0;
        if (!string.IsNullOrEmpty(planId) && !_plans.TryGetValue(planId, out plan))
        {
            _facts.PlanIds.Add(planId);
            plan = _facts.PlanIds.Count;
            _plans.Add(planId, plan);
        }

        _facts.LinkPlan.Add(plan);
        _facts.Sex.Add(sex);
        _facts.AgeRange.Add(age);
        _facts.Vehicle.Add(vehicleParts == 0 ? 0 : VehicleIndex(vehicle));
        _facts.Source.Add(source is null ? 0 : SourceIndex(source));
    }

    /// <summary>The batch of the encounters added since the last call; the builder starts a new one.</summary>
    public EncounterFacts Build()
    {
        var facts = _facts;
        _facts = new EncounterFacts();
        _plans.Clear();
        _vehicles.Clear();
        _sources.Clear();
        return facts;
    }

    // 0 for a vehicle with neither make nor model, as ToFacts; else its place in the batch's list.
    private int VehicleIndex(ReadOnlySpan<byte> bytes)
    {
        var lookup = _vehicles.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(bytes, out var index))
        {
            return index;
        }

        var parsed = Vehicle.Parser.ParseFrom(bytes);
        if (parsed.Make.Length == 0 && parsed.Model.Length == 0)
        {
            index = 0;
        }
        else
        {
            _facts.Vehicles.Add(new Vehicle { Make = parsed.Make, Model = parsed.Model });
            index = _facts.Vehicles.Count;
        }

        lookup[bytes] = index;
        return index;
    }

    private int SourceIndex(EncounterSource source)
    {
        var key = source.ToByteArray();
        if (!_sources.TryGetValue(key, out var index))
        {
            _facts.Sources.Add(source);
            index = _facts.Sources.Count;
            _sources.Add(key, index);
        }

        return index;
    }

    /// <summary>Reads protobuf's wire format off a span, without allocating.</summary>
    private ref struct WireReader(ReadOnlySpan<byte> bytes)
    {
        public const int VarintWire = 0;
        public const int Fixed64 = 1;
        public const int LengthDelimited = 2;
        public const int Fixed32 = 5;

        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _at;

        public readonly bool End => _at >= _bytes.Length;

        public (int Field, int Wire) Tag()
        {
            var tag = Varint64();
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        public ulong Varint() => Varint64();

        // Enums are int32 on the wire: a negative value is sign-extended to ten bytes.
        public int Enum() => (int)Varint64();

        public double Double()
        {
            Need(8);
            var value = BinaryPrimitives.ReadDoubleLittleEndian(_bytes.Slice(_at, 8));
            _at += 8;
            return value;
        }

        public ReadOnlySpan<byte> Bytes()
        {
            var length = Varint64();
            if (length > (ulong)(_bytes.Length - _at))
            {
                throw Malformed();
            }

            var span = _bytes.Slice(_at, (int)length);
            _at += (int)length;
            return span;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case VarintWire:
                    Varint64();
                    break;
                case Fixed64:
                    Need(8);
                    _at += 8;
                    break;
                case LengthDelimited:
                    Bytes();
                    break;
                case Fixed32:
                    Need(4);
                    _at += 4;
                    break;
                default:
                    // Groups (3, 4) are proto2 only; no encounter field is one.
                    throw Malformed();
            }
        }

        private ulong Varint64()
        {
            ulong value = 0;
            for (var shift = 0; shift < 70; shift += 7)
            {
                Need(1);
                var b = _bytes[_at++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw Malformed();
        }

        private readonly void Need(int count)
        {
            if (_bytes.Length - _at < count)
            {
                throw Malformed();
            }
        }

        private static InvalidDataException Malformed() => new("a stored encounter's bytes are not a well-formed protobuf message");
    }

    /// <summary>Byte-wise equality, also for a span looked up against stored arrays.</summary>
    private sealed class BytesComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly BytesComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
