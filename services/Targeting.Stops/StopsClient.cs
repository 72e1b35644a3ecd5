using Targeting.Grpc;
using Targeting.Stops.V1;

namespace Targeting.Stops;

/// <summary>
/// A typed client of targeting.stops.v1.StopsService over <see cref="GrpcClient"/>, for the other
/// services, the command line and tests. RecordEncounter, AmendEncounter and the reads are retried
/// on UNAVAILABLE (their proto idempotency levels allow it; the request id makes a retried write
/// safe). Thread-safe; dispose only if it owns its <see cref="GrpcClient"/>.
/// </summary>
public sealed class StopsClient : IDisposable
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor Service = StopsReflection.Descriptor.Services[0];
    private static readonly GrpcMethod<RecordEncounterRequest, EncounterReceipt> Record = GrpcMethod<RecordEncounterRequest, EncounterReceipt>.For(Service, "RecordEncounter");
    private static readonly GrpcMethod<AmendEncounterRequest, EncounterRecord> Amend = GrpcMethod<AmendEncounterRequest, EncounterRecord>.For(Service, "AmendEncounter");
    private static readonly GrpcMethod<GetEncounterRequest, EncounterRecord> Get = GrpcMethod<GetEncounterRequest, EncounterRecord>.For(Service, "GetEncounter");
    private static readonly GrpcMethod<EncounterQuery, EncounterRecord> Query = GrpcMethod<EncounterQuery, EncounterRecord>.For(Service, "QueryEncounters");
    private static readonly GrpcMethod<EncounterQuery, EncounterFacts> Facts = GrpcMethod<EncounterQuery, EncounterFacts>.For(Service, "StreamEncounterFacts");
    private static readonly GrpcMethod<ImportEncountersRequest, ImportEncountersSummary> Import = GrpcMethod<ImportEncountersRequest, ImportEncountersSummary>.For(Service, "ImportEncounters");
    private static readonly GrpcMethod<AuditQuery, AuditEvent> Audit = GrpcMethod<AuditQuery, AuditEvent>.For(Service, "ListAuditEvents");

    private readonly bool _ownsClient;

    public StopsClient(GrpcClient client, bool ownsClient = false)
    {
        Client = client;
        _ownsClient = ownsClient;
    }

    public StopsClient(Uri address, GrpcClientOptions? options = null)
        : this(new GrpcClient(address, options), ownsClient: true)
    {
    }

    public GrpcClient Client { get; }

    public Task<EncounterReceipt> RecordEncounterAsync(RecordEncounterRequest request, CallOptions? options = null) =>
        Client.UnaryAsync(Record, request, options);

    public Task<EncounterRecord> AmendEncounterAsync(AmendEncounterRequest request, CallOptions? options = null) =>
        Client.UnaryAsync(Amend, request, options);

    public Task<EncounterRecord> GetEncounterAsync(string encounterId, CallOptions? options = null) =>
        Client.UnaryAsync(Get, new GetEncounterRequest { EncounterId = encounterId }, options);

    /// <summary>The matching encounters, oldest first, as they arrive.</summary>
    public IAsyncEnumerable<EncounterRecord> QueryEncountersAsync(EncounterQuery query, CallOptions? options = null) =>
        Client.ServerStreamingAsync(Query, query, options);

    public IAsyncEnumerable<EncounterFacts> StreamEncounterFactsAsync(EncounterQuery query, CallOptions? options = null) =>
        Client.ServerStreamingAsync(Facts, query, options);

    /// <summary>Starts an import: write the batches (source on the first), then CompleteAsync for the summary.</summary>
    public ClientStreamingCall<ImportEncountersRequest, ImportEncountersSummary> ImportEncounters(CallOptions? options = null) =>
        Client.ClientStreaming(Import, options);

    public IAsyncEnumerable<AuditEvent> ListAuditEventsAsync(AuditQuery query, CallOptions? options = null) =>
        Client.ServerStreamingAsync(Audit, query, options);

    public void Dispose()
    {
        if (_ownsClient)
        {
            Client.Dispose();
        }
    }
}
