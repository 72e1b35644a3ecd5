using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Targeting.Common.V1;
using Targeting.Grpc;
using Targeting.Stops.V1;

namespace Targeting.Stops.Tests.Reliability;

/// <summary>
/// A few thousand malformed and mutated requests, generated from a fixed seed, sent as raw HTTP/2
/// gRPC calls to the stops host running as a child process. Each request's expected status
/// class is worked out independently from its bytes, following doc/statuscodes.md of gRPC:
/// <list type="bullet">
/// <item>a well-framed request whose message parses is the service's to judge: never INTERNAL,
/// UNKNOWN or DATA_LOSS (bad values are INVALID_ARGUMENT);</item>
/// <item>"error parsing request proto" and broken framing (a truncated message, a compressed
/// flag other than 0/1, a compressed message without grpc-encoding, gzip that does not inflate)
/// are INTERNAL, as the spec's table says for the server side; Grpc.AspNetCore answers a unary
/// body it cannot parse (or a length prefix past 2 GiB) with UNKNOWN "Exception was thrown by
/// handler." before any handler runs, so that passes too for these bytes (and only for these);</item>
/// <item>a unary request with zero or several messages is a request cardinality violation, for
/// which the table says UNIMPLEMENTED; grpc-java answers INTERNAL and grpc-go UNKNOWN
/// (grpc-java#11247, grpc-go#7286), so either UNIMPLEMENTED or INTERNAL passes here;</item>
/// <item>a message over the receive limit is RESOURCE_EXHAUSTED; a message compressed with an
/// unsupported grpc-encoding is UNIMPLEMENTED.</item>
/// </list>
/// The host must answer every call with a grpc-status, never log an unhandled exception, stay
/// up, and report SERVING afterwards.
/// </summary>
public sealed class MalformedRequestFuzzTests
{
    /// <summary>Fixed so a failure reproduces; STOPS_FUZZ_SEED overrides it to explore.</summary>
    private const int DefaultSeed = 20_261_201;
    private const int Cases = 3_000;
    private const int MaxReceive = 4 * 1024 * 1024;
    private const string HandlerException = "Exception was thrown by handler.";

    /// <summary>gRPC C-core's hard limit on received metadata; HttpClient's is 64 KiB and drops the connection beyond it.</summary>
    private const int MaxMetadata = 16 * 1024;

    private static readonly MethodDescriptor[] Methods = [.. StopsReflection.Descriptor.Services[0].Methods];

    /// <summary>The roles each rpc is bound with (StopsServiceExtensions.MapStopsService).</summary>
    private static readonly Dictionary<string, string[]> AllowedRoles = new()
    {
        ["RecordEncounter"] = [Roles.Officer, Roles.Supervisor, Roles.Service],
        ["AmendEncounter"] = [Roles.Supervisor],
        ["GetEncounter"] = [Roles.Officer, Roles.Supervisor, Roles.Analyst, Roles.Service],
        ["QueryEncounters"] = [Roles.Officer, Roles.Supervisor, Roles.Analyst, Roles.Service],
        ["StreamEncounterFacts"] = [Roles.Analyst, Roles.Service],
        ["ImportEncounters"] = [Roles.Supervisor, Roles.Service],
        ["ListAuditEvents"] = [Roles.Supervisor],
    };

    private static readonly double[] SpecialDoubles =
    [
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, double.MinValue, double.Epsilon,
        -0.0, 0, 1e308, -1e-308, 90.000001, -180.5, 51.4627, 1e-320,
    ];

    private static readonly long[] SpecialLongs =
    [
        long.MinValue, long.MaxValue, 0, -1, 1, int.MaxValue, int.MinValue, 253_402_300_800, -62_135_596_801, 4_102_444_800,
        -2_208_988_800, 1_000_000_000_000,
    ];

    [Fact]
    public async Task AllRpcs_MalformedAndMutatedRequests_NeverInternalForParsableMessagesAndHostStaysServing()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("STOPS_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : DefaultSeed;
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"fuzz seed: {seed} (set STOPS_FUZZ_SEED to change it)");
        Console.WriteLine($"MalformedRequestFuzzTests seed: {seed}");

        var directory = Directory.CreateTempSubdirectory("stops-fuzz-");
        try
        {
            await using var host = new StopsProcess(StopsProcess.SqliteSettings(directory.FullName));
            await host.StartAsync(cancellationToken);

            // One real encounter, so Get and Amend also reach records that exist.
            using var officer = new StopsClient(host.Address, new GrpcClientOptions { BearerToken = Token(Roles.Officer) });
            var existing = await officer.RecordEncounterAsync(new RecordEncounterRequest
            {
                RequestId = "fuzz-seed-record",
                Encounter = TestEncounters.PersonSearch("fuzz-officer", "fuzz-team", occurredAt: DateTimeOffset.UtcNow.AddMinutes(-10)),
            });

            var generator = new CaseGenerator(new Random(seed), existing.EncounterId);
            var cases = Enumerable.Range(0, Cases).Select(_ => generator.Next()).ToList();

            using var http = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
            {
                BaseAddress = host.Address,
                DefaultRequestVersion = HttpVersion.Version20,
                DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Timeout = TimeSpan.FromSeconds(30),
            };
            var results = new Result[cases.Count];
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < cases.Count)
                {
                    results[index] = await SendAsync(http, cases[index], cancellationToken);
                }
            }, cancellationToken)));

            var failures = new List<string>();
            for (var i = 0; i < cases.Count; i++)
            {
                var problem = Judge(cases[i], results[i]);
                if (problem is not null)
                {
                    failures.Add($"#{i} {cases[i].Method.Name} [{cases[i].Kind}] {problem}");
                }
            }

            var byCode = results.GroupBy(r => r.Status?.ToString() ?? "none").OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Key}={g.Count()}");
            var byKind = cases.GroupBy(c => c.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}");
            output?.WriteLine($"statuses: {string.Join(", ", byCode)}");
            output?.WriteLine($"cases: {string.Join(", ", byKind)}");
            output?.WriteLine($"largest response headers + trailers: {results.Max(r => r.MetadataBytes)} bytes");
            Assert.True(failures.Count == 0, $"seed {seed}: {failures.Count} of {cases.Count} calls broke the rules:\n" + string.Join('\n', failures.Take(25)));

            Assert.False(host.HasExited, "the stops host died:\n" + host.OutputTail);
            Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, await host.HealthAsync(cancellationToken));
            Assert.DoesNotContain("Unhandled exception in gRPC handler", host.OutputTail, StringComparison.Ordinal);

            // And it still does its job.
            var after = await officer.RecordEncounterAsync(new RecordEncounterRequest
            {
                RequestId = "fuzz-after",
                Encounter = TestEncounters.PersonSearch("fuzz-officer", "fuzz-team", occurredAt: DateTimeOffset.UtcNow.AddMinutes(-5)),
            });
            Assert.False(after.Replayed);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static string Token(string role) => DevelopmentTokens.Issue([role], "fuzz-" + role, "fuzz-team");

    private static async Task<Result> SendAsync(HttpClient http, FuzzCase fuzz, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/" + fuzz.Method.Service.FullName + "/" + fuzz.Method.Name)
        {
            // HttpClient's default request version applies to its helpers only, not to a request built here.
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(fuzz.Body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (fuzz.Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fuzz.Token);
        }

        if (fuzz.Encoding is not null)
        {
            request.Headers.TryAddWithoutValidation("grpc-encoding", fuzz.Encoding);
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var status = Header(response, "grpc-status");
            var message = Header(response, "grpc-message");
            var metadataBytes = response.Headers.Concat(response.TrailingHeaders).Sum(h => h.Key.Length + h.Value.Sum(v => v.Length));
            return new Result((int)response.StatusCode,
                status is null ? null : (StatusCode)int.Parse(status, CultureInfo.InvariantCulture),
                message is null ? null : Uri.UnescapeDataString(message), null, metadataBytes);
        }
        catch (HttpRequestException e)
        {
            var chain = string.Join(" <- ", Enumerable.Repeat<Exception?>(e, 1).Concat(Inner(e)).Select(x => x!.GetType().Name + ": " + x.Message));
            return new Result(0, null, null, $"{chain} (body {fuzz.Body.Length} bytes)", 0);
        }
    }

    private static IEnumerable<Exception?> Inner(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            yield return inner;
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.TrailingHeaders.TryGetValues(name, out var trailer) ? trailer.First()
        : response.Headers.TryGetValues(name, out var header) ? header.First()
        : null;

    /// <summary>Null when the result is what the request's bytes call for, else what is wrong.</summary>
    private static string? Judge(FuzzCase fuzz, Result result)
    {
        if (result.TransportError is not null)
        {
            return "transport error: " + result.TransportError;
        }

        if (result.HttpStatus != 200 || result.Status is not { } status)
        {
            return $"HTTP {result.HttpStatus} without grpc-status";
        }

        var described = $"got {status} '{result.Message}'";
        if (result.MetadataBytes > MaxMetadata)
        {
            return $"headers and trailers of {result.MetadataBytes} bytes, over the {MaxMetadata} of gRPC C-core's limit: " + described;
        }

        var expected = Expect(fuzz);

        // Grpc.AspNetCore answers a unary request body it cannot parse with UNKNOWN and its
        // generic message, before any handler runs; anywhere else that message is our bug.
        var unparsable = expected is Expected.Internal or Expected.ResourceExhausted or Expected.Cardinality && status == StatusCode.Unknown;
        if (result.Message == HandlerException && !unparsable)
        {
            return "unhandled exception in the service: " + described;
        }

        if (status is StatusCode.Unknown or StatusCode.DataLoss && !unparsable)
        {
            return described;
        }

        return expected switch
        {
            Expected.Unauthenticated when status != StatusCode.Unauthenticated => "expected UNAUTHENTICATED, " + described,
            Expected.ServiceJudges when status == StatusCode.Internal => "a parsable message must not be INTERNAL, " + described,
            Expected.Internal when status is not (StatusCode.Internal or StatusCode.Unknown) => "expected INTERNAL or UNKNOWN (malformed framing or proto), " + described,
            Expected.Unimplemented when status is not StatusCode.Unimplemented => "expected UNIMPLEMENTED (a message compressed with an unsupported encoding), " + described,
            Expected.Cardinality when status is not (StatusCode.Unimplemented or StatusCode.Internal) => "expected UNIMPLEMENTED or INTERNAL (cardinality), " + described,
            Expected.ResourceExhausted when status is not (StatusCode.ResourceExhausted or StatusCode.Unknown) => "expected RESOURCE_EXHAUSTED, " + described,
            Expected.NotOk when status == StatusCode.OK => "a malformed stream must not succeed, " + described,
            _ => null,
        };
    }

    /// <summary>The status class the spec gives these bytes, worked out from them alone.</summary>
    private static Expected Expect(FuzzCase fuzz)
    {
        // Authorization runs before the body is read.
        if (fuzz.Token is null)
        {
            return Expected.Unauthenticated;
        }

        // An unknown grpc-encoding matters only to a message that says it is compressed (the spec's
        // UNIMPLEMENTED); Grpc.AspNetCore reads uncompressed messages whatever the header says.
        var unsupportedEncoding = fuzz.Encoding is not null && fuzz.Encoding != "gzip" && fuzz.Encoding != "identity";

        var parser = fuzz.Method.InputType.Parser;
        var body = fuzz.Body;
        var streaming = fuzz.Method.IsClientStreaming;
        var position = 0;
        var messages = 0;
        while (position < body.Length)
        {
            if (!streaming && messages == 1)
            {
                return Expected.Cardinality; // more bytes after the one message
            }

            if (body.Length - position < 5)
            {
                return streaming ? Expected.NotOk : Expected.Internal;
            }

            var flag = body[position];
            var length = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(position + 1, 4));
            if (flag > 1)
            {
                return streaming ? Expected.NotOk : Expected.Internal;
            }

            if (length > MaxReceive)
            {
                return streaming ? Expected.NotOk : Expected.ResourceExhausted;
            }

            if (body.Length - position - 5 < length)
            {
                return streaming ? Expected.NotOk : Expected.Internal;
            }

            var payload = body.AsSpan(position + 5, (int)length).ToArray();
            position += 5 + (int)length;
            messages++;
            if (flag == 1 && unsupportedEncoding)
            {
                return streaming ? Expected.NotOk : Expected.Unimplemented;
            }

            if (flag == 1)
            {
                if (fuzz.Encoding != "gzip" || !TryGunzip(payload, out payload))
                {
                    return streaming ? Expected.NotOk : Expected.Internal;
                }

                if (payload.Length > MaxReceive)
                {
                    return streaming ? Expected.NotOk : Expected.ResourceExhausted;
                }
            }

            try
            {
                parser.ParseFrom(payload);
            }
            catch (Exception)
            {
                return streaming ? Expected.NotOk : Expected.Internal;
            }
        }

        return messages == 0 && !streaming ? Expected.Cardinality : Expected.ServiceJudges;
    }

    private static bool TryGunzip(byte[] compressed, out byte[] plain)
    {
        try
        {
            using var input = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
            using var output = new MemoryStream();
            input.CopyTo(output);
            plain = output.ToArray();
            return true;
        }
        catch (InvalidDataException)
        {
            plain = [];
            return false;
        }
    }

    private enum Expected
    {
        ServiceJudges,
        Internal,
        Unimplemented,
        Cardinality,
        ResourceExhausted,
        Unauthenticated,
        NotOk,
    }

    private sealed record FuzzCase(MethodDescriptor Method, string Kind, byte[] Body, string? Token, string? Encoding);

    private sealed record Result(int HttpStatus, StatusCode? Status, string? Message, string? TransportError, int MetadataBytes);

    /// <summary>Makes the cases; everything random comes from the one seeded <see cref="Random"/>.</summary>
    private sealed class CaseGenerator(Random random, string existingEncounterId)
    {
        private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

        public FuzzCase Next()
        {
            var method = Methods[random.Next(Methods.Length)];
            var roles = AllowedRoles[method.Name];
            var token = random.Next(50) == 0 ? null : Token(roles[random.Next(roles.Length)]);
            var valid = Valid(method);
            string? encoding = null;
            string kind;
            byte[] body;
            switch (random.Next(20))
            {
                case 0:
                    kind = "random-bytes";
                    body = RandomBytes(random.Next(0, 64));
                    break;
                case 1:
                    kind = "framed-random-payload";
                    body = Frame(RandomBytes(random.Next(0, 400)));
                    break;
                case 2:
                    kind = "truncated-frame";
                    var whole = Frame(valid.ToByteArray());
                    body = whole[..random.Next(0, whole.Length)];
                    break;
                case 3:
                    kind = "wrong-length-prefix";
                    body = Frame(valid.ToByteArray());
                    var announced = (long)body.Length - 5 + random.Next(-20, 21);
                    BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), (uint)Math.Max(0, announced));
                    break;
                case 4:
                    kind = "huge-length-prefix";
                    body = Frame(valid.ToByteArray());
                    BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), random.Next(2) == 0 ? uint.MaxValue : MaxReceive + 1u + (uint)random.Next(1000));
                    break;
                case 5:
                    kind = "bad-compressed-flag";
                    body = Frame(valid.ToByteArray());
                    body[0] = (byte)random.Next(1, 256);
                    break;
                case 6:
                    kind = "gzip";
                    encoding = "gzip";
                    var plain = random.Next(3) == 0 ? RandomBytes(random.Next(1, 200)) : valid.ToByteArray();
                    body = Frame(random.Next(3) == 0 ? RandomBytes(random.Next(1, 200)) : Gzip(plain), flag: 1);
                    break;
                case 7:
                    kind = "unsupported-encoding";
                    encoding = random.Next(2) == 0 ? "snappy" : "x-" + RandomAscii(6);
                    body = Frame(valid.ToByteArray());
                    break;
                case 8:
                    kind = "message-count";
                    var copies = random.Next(3) == 0 ? 0 : random.Next(2, 4);
                    body = [.. Enumerable.Range(0, copies).SelectMany(_ => Frame(valid.ToByteArray()))];
                    break;
                case 9 or 10:
                    kind = "byte-mutation";
                    body = Frame(MutateBytes(valid.ToByteArray()));
                    break;
                case 11 or 12:
                    kind = "wrong-wire-type";
                    body = Frame(WrongWireType(valid));
                    break;
                default:
                    kind = "field-mutation";
                    for (var n = random.Next(1, 4); n > 0; n--)
                    {
                        MutateField(valid, 0);
                    }

                    body = Frame(valid.ToByteArray());
                    break;
            }

            return new FuzzCase(method, kind, body, token, encoding);
        }

        private IMessage Valid(MethodDescriptor method) => method.Name switch
        {
            "RecordEncounter" => new RecordEncounterRequest { RequestId = "fuzz-" + RandomAscii(12), Encounter = ValidEncounter() },
            "AmendEncounter" => new AmendEncounterRequest
            {
                EncounterId = random.Next(3) == 0 ? new Guid(RandomBytes(16)).ToString() : existingEncounterId,
                RequestId = "fuzz-amend-" + RandomAscii(12),
                Reason = "correcting the outcome after review",
                UpdateMask = new FieldMask { Paths = { random.Next(2) == 0 ? "outcome" : "procedural_justice.debrief_given" } },
                Changes = ValidEncounter(),
            },
            "GetEncounter" => new GetEncounterRequest { EncounterId = random.Next(2) == 0 ? existingEncounterId : RandomAscii(random.Next(0, 40)) },
            "QueryEncounters" or "StreamEncounterFacts" => new EncounterQuery
            {
                Window = new TimeWindow { Start = Timestamp.FromDateTimeOffset(_now.AddDays(-1)), End = Timestamp.FromDateTimeOffset(_now) },
                Area = RandomArea(),
                Outcomes = { Outcome.Arrest },
                Limit = random.Next(0, 20),
            },
            "ImportEncounters" => new ImportEncountersRequest
            {
                Source = "fuzz-" + RandomAscii(8) + ".csv",
                Encounters = { new ImportedEncounter { RowNumber = random.Next(2, 1000), Encounter = ValidEncounter() } },
            },
            _ => new AuditQuery { Actor = random.Next(2) == 0 ? "" : "fuzz-officer", Limit = random.Next(0, 10) },
        };

        private Encounter ValidEncounter() => random.Next(4) == 0
            ? TestEncounters.VehicleStop("fuzz-officer", "fuzz-team").Apply(e => e.OccurredAt = Timestamp.FromDateTimeOffset(_now.AddMinutes(-5)))
            : TestEncounters.PersonSearch("fuzz-officer", "fuzz-team", occurredAt: _now.AddMinutes(-random.Next(1, 600)));

        private AreaOfInterest? RandomArea() => random.Next(6) switch
        {
            0 => null,
            1 => new AreaOfInterest { BoundaryName = random.Next(2) == 0 ? "Lambeth" : RandomAscii(10) },
            2 => new AreaOfInterest { Wkt = random.Next(2) == 0 ? "POLYGON((-0.12 51.46, -0.11 51.46, -0.11 51.47, -0.12 51.46))" : "POLYGON((" + RandomAscii(30) },
            3 => new AreaOfInterest { Geojson = random.Next(2) == 0 ? """{"type":"Polygon","coordinates":[[[-0.12,51.46],[-0.11,51.46],[-0.11,51.47],[-0.12,51.46]]]}""" : "{\"type\":\"" + RandomAscii(12) },
            _ => new AreaOfInterest
            {
                Polygons = new MultiPolygon
                {
                    Polygons =
                    {
                        new Polygon
                        {
                            Exterior = new LinearRing
                            {
                                Points =
                                {
                                    Enumerable.Range(0, random.Next(0, 6)).Select(_ => new LatLng
                                    {
                                        Latitude = random.Next(3) == 0 ? SpecialDoubles[random.Next(SpecialDoubles.Length)] : 51.46 + random.NextDouble() / 50,
                                        Longitude = random.Next(3) == 0 ? SpecialDoubles[random.Next(SpecialDoubles.Length)] : -0.12 + random.NextDouble() / 50,
                                    }),
                                },
                            },
                        },
                    },
                },
            },
        };

        /// <summary>Sets one field somewhere in the message tree to a hostile value of its own type.</summary>
        private void MutateField(IMessage message, int depth)
        {
            var fields = message.Descriptor.Fields.InFieldNumberOrder();
            if (fields.Count == 0)
            {
                return;
            }

            var field = fields[random.Next(fields.Count)];
            var accessor = field.Accessor;
            if (field.IsMap)
            {
                return;
            }

            if (field.IsRepeated)
            {
                var list = (System.Collections.IList)accessor.GetValue(message);
                for (var n = random.Next(1, random.Next(2) == 0 ? 3 : 200); n > 0; n--)
                {
                    if (field.FieldType == FieldType.Message)
                    {
                        var item = field.MessageType.Parser.ParseFrom(ByteString.Empty);
                        if (depth < 4)
                        {
                            MutateField(item, depth + 1);
                        }

                        list.Add(item);
                    }
                    else
                    {
                        list.Add(Hostile(field));
                    }
                }

                return;
            }

            if (field.FieldType == FieldType.Message)
            {
                if (random.Next(5) == 0)
                {
                    accessor.Clear(message);
                    return;
                }

                var child = (IMessage?)accessor.GetValue(message) ?? field.MessageType.Parser.ParseFrom(ByteString.Empty);
                accessor.SetValue(message, child);
                if (depth < 4)
                {
                    MutateField(child, depth + 1);
                }

                return;
            }

            accessor.SetValue(message, Hostile(field));
        }

        private object Hostile(FieldDescriptor field) => field.FieldType switch
        {
            FieldType.Enum => System.Enum.ToObject(field.EnumType.ClrType, random.Next(4) switch
            {
                0 => int.MinValue,
                1 => int.MaxValue,
                2 => -random.Next(1, 10),
                _ => random.Next(0, 64),
            }),
            FieldType.String => HostileString(),
            FieldType.Double => SpecialDoubles[random.Next(SpecialDoubles.Length)],
            FieldType.Float => (float)SpecialDoubles[random.Next(SpecialDoubles.Length)],
            FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => SpecialLongs[random.Next(SpecialLongs.Length)],
            FieldType.UInt64 or FieldType.Fixed64 => unchecked((ulong)SpecialLongs[random.Next(SpecialLongs.Length)]),
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => unchecked((int)SpecialLongs[random.Next(SpecialLongs.Length)]),
            FieldType.UInt32 or FieldType.Fixed32 => unchecked((uint)SpecialLongs[random.Next(SpecialLongs.Length)]),
            FieldType.Bool => random.Next(2) == 0,
            FieldType.Bytes => ByteString.CopyFrom(RandomBytes(random.Next(0, 100))),
            _ => throw new InvalidOperationException($"no hostile value for {field.FieldType}"),
        };

        private string HostileString() => random.Next(10) switch
        {
            0 => "",
            1 => new string('x', random.Next(8) == 0 ? 3_000_000 : 100_001),
            2 => "\0\u0001\u001b[2J\r\n",
            3 => "'; DROP TABLE encounters; --",
            4 => "%s%n{0}{{}}" + new string('\u202e', 3),
            5 => string.Concat(Enumerable.Range(0, random.Next(1, 400)).Select(_ => char.ConvertFromUtf32(RandomScalar()))),
            6 => "   ",
            7 => "a." + string.Join('.', Enumerable.Range(0, 50).Select(i => "b" + i)),
            _ => RandomAscii(random.Next(0, 300)),
        };

        /// <summary>A Unicode scalar value (never a lone surrogate, which cannot be encoded).</summary>
        private int RandomScalar()
        {
            var value = random.Next(0, 0x110000);
            return value is >= 0xD800 and <= 0xDFFF ? 0xFFFD : value;
        }

        private byte[] MutateBytes(byte[] bytes)
        {
            var list = bytes.ToList();
            for (var n = random.Next(1, 6); n > 0; n--)
            {
                switch (random.Next(5))
                {
                    case 0 when list.Count > 0:
                        var at = random.Next(list.Count);
                        list[at] ^= (byte)(1 << random.Next(8));
                        break;
                    case 1 when list.Count > 0:
                        list[random.Next(list.Count)] = (byte)random.Next(256);
                        break;
                    case 2:
                        list.InsertRange(random.Next(list.Count + 1), RandomBytes(random.Next(1, 16)));
                        break;
                    case 3 when list.Count > 0:
                        var start = random.Next(list.Count);
                        list.RemoveRange(start, random.Next(1, Math.Min(16, list.Count - start) + 1));
                        break;
                    case 4 when list.Count > 2:
                        var from = random.Next(list.Count - 1);
                        list.InsertRange(random.Next(list.Count + 1), list.GetRange(from, random.Next(1, Math.Min(32, list.Count - from) + 1)));
                        break;
                }
            }

            return [.. list];
        }

        /// <summary>
        /// The valid message followed by a field that reuses a known field number with another wire
        /// type, at the top level or inside a nested message (merged into it, as protobuf does).
        /// </summary>
        private byte[] WrongWireType(IMessage valid)
        {
            var nested = valid.Descriptor.Fields.InFieldNumberOrder().Where(f => f.FieldType == FieldType.Message && !f.IsRepeated && !f.IsMap).ToList();
            var inner = nested.Count > 0 && random.Next(2) == 0 ? nested[random.Next(nested.Count)] : null;
            var target = inner?.MessageType ?? valid.Descriptor;
            var fields = target.Fields.InFieldNumberOrder();
            var field = fields.Count > 0 ? fields[random.Next(fields.Count)] : null;
            var number = field?.FieldNumber ?? random.Next(1, 30);

            var wrong = new MemoryStream();
            var output = new CodedOutputStream(wrong);
            var wireType = random.Next(7) switch
            {
                0 => WireFormat.WireType.Varint,
                1 => WireFormat.WireType.Fixed64,
                2 => WireFormat.WireType.LengthDelimited,
                3 => WireFormat.WireType.Fixed32,
                4 => WireFormat.WireType.StartGroup,
                5 => WireFormat.WireType.EndGroup,
                _ => (WireFormat.WireType)(6 + random.Next(2)), // not a wire type at all
            };
            output.WriteTag(number, wireType);
            switch (wireType)
            {
                case WireFormat.WireType.Varint:
                    output.WriteUInt64(unchecked((ulong)SpecialLongs[random.Next(SpecialLongs.Length)]));
                    break;
                case WireFormat.WireType.Fixed64:
                    output.WriteFixed64(unchecked((ulong)random.NextInt64()));
                    break;
                case WireFormat.WireType.LengthDelimited:
                    output.WriteBytes(ByteString.CopyFrom(RandomBytes(random.Next(0, 40))));
                    break;
                case WireFormat.WireType.Fixed32:
                    output.WriteFixed32((uint)random.Next());
                    break;
                default:
                    output.Flush();
                    wrong.Write(RandomBytes(random.Next(0, 8)));
                    break;
            }

            output.Flush();
            var extra = wrong.ToArray();
            if (inner is null)
            {
                return [.. valid.ToByteArray(), .. extra];
            }

            var wrapper = new MemoryStream();
            var wrapped = new CodedOutputStream(wrapper);
            wrapped.WriteTag(inner.FieldNumber, WireFormat.WireType.LengthDelimited);
            wrapped.WriteBytes(ByteString.CopyFrom(extra));
            wrapped.Flush();
            return [.. valid.ToByteArray(), .. wrapper.ToArray()];
        }

        private byte[] RandomBytes(int length)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            return bytes;
        }

        private string RandomAscii(int length) =>
            new([.. Enumerable.Range(0, length).Select(_ => (char)random.Next(0x21, 0x7F))]);

        private static byte[] Frame(byte[] payload, byte flag = 0)
        {
            var framed = new byte[5 + payload.Length];
            framed[0] = flag;
            BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)payload.Length);
            payload.CopyTo(framed, 5);
            return framed;
        }

        private static byte[] Gzip(byte[] plain)
        {
            using var output = new MemoryStream();
            using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(plain);
            }

            return output.ToArray();
        }
    }
}

/// <summary>Small fluent helper for building test messages.</summary>
internal static class MessageExtensions
{
    public static T Apply<T>(this T message, Action<T> change)
    {
        change(message);
        return message;
    }
}
