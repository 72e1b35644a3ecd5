using Google.Rpc;

namespace Targeting.Grpc;

/// <summary>
/// Collects invalid fields of a request and throws INVALID_ARGUMENT with one
/// google.rpc.BadRequest.FieldViolation per field in grpc-status-details-bin, the convention of
/// Google's API design guide (AIP-193). Field paths are proto field names, snake_case, dotted
/// ("data_window.start", "areas[2].name").
/// </summary>
/// <example>
/// <code>
/// var violations = new FieldViolations();
/// if (request.DataWindow is null) violations.Add("data_window", "is required");
/// violations.ThrowIfAny();
/// </code>
/// </example>
public sealed class FieldViolations
{
    private readonly List<BadRequest.Types.FieldViolation> _violations = [];

    public int Count => _violations.Count;

    public bool Any => _violations.Count > 0;

    /// <summary>The first violation as "field description", or null when there is none.</summary>
    public string? First => Any ? $"{_violations[0].Field} {_violations[0].Description}" : null;

    /// <summary>Records that <paramref name="field"/> is invalid and why ("is required", "must be positive").</summary>
    public FieldViolations Add(string field, string description)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        ArgumentException.ThrowIfNullOrEmpty(description);
        _violations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = FieldText.Bound(description) });
        return this;
    }

    /// <summary>Adds every violation of <paramref name="other"/>, its field names prefixed (a nested message's checks: "plan." + "budget_fraction").</summary>
    public FieldViolations AddAll(FieldViolations other, string prefix)
    {
        ArgumentNullException.ThrowIfNull(other);
        _violations.AddRange(other._violations.Select(v => new BadRequest.Types.FieldViolation { Field = prefix + v.Field, Description = v.Description }));
        return this;
    }

    /// <summary>Throws the INVALID_ARGUMENT <see cref="RpcException"/> when any field was added.</summary>
    public void ThrowIfAny()
    {
        if (Any)
        {
            throw ToException();
        }
    }

    /// <summary>The INVALID_ARGUMENT exception describing every recorded field.</summary>
    public RpcException ToException()
    {
        var message = "Invalid request: " + string.Join("; ", _violations.Select(v => $"{v.Field} {v.Description}"));
        var badRequest = new BadRequest();
        badRequest.FieldViolations.Add(_violations);
        var status = new Google.Rpc.Status
        {
            Code = (int)StatusCode.InvalidArgument,
            Message = message,
            Details = { Google.Protobuf.WellKnownTypes.Any.Pack(badRequest) },
        };
        return status.ToRpcException();
    }
}
