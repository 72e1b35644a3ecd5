using Google.Protobuf.Reflection;
using Targeting.Common.V1;
using Targeting.Hotspot.V1;

namespace Targeting.Grpc.Tests;

/// <summary>The max_length option: declared on every string a caller sends, enforced with field violations.</summary>
public sealed class RequestLimitsTests
{
    // Stops enforces its fields' limits in EncounterValidator today (not yet as options).
    private static readonly ServiceDescriptor[] Services =
    [
        HotspotReflection.Descriptor.Services[0],
        Targeting.Feedback.V1.FeedbackReflection.Descriptor.Services[0],
    ];

    [Fact]
    public void MaxLength_EveryStringFieldOfEveryRequest_IsDeclared()
    {
        var undeclared = new SortedSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<MessageDescriptor>();
        foreach (var method in Services.SelectMany(s => s.Methods))
        {
            Collect(method.InputType, seen, undeclared);
        }

        Assert.True(undeclared.Count == 0, "string fields of requests without (targeting.common.v1.max_length):\n" + string.Join("\n", undeclared));
        Assert.Contains(seen, d => d.FullName == "targeting.common.v1.AreaOfInterest");
    }

    private static void Collect(MessageDescriptor message, HashSet<MessageDescriptor> seen, SortedSet<string> undeclared)
    {
        // Well-known types (FieldMask paths, Timestamp) are checked by their own parsers.
        if (message.File.Package.StartsWith("google.", StringComparison.Ordinal) || !seen.Add(message))
        {
            return;
        }

        foreach (var field in message.Fields.InFieldNumberOrder())
        {
            // A map's option bounds its string keys and values (its entries cannot carry options).
            var holdsStrings = field.FieldType == FieldType.String
                || (field.IsMap && field.MessageType.Fields.InFieldNumberOrder().Any(f => f.FieldType == FieldType.String));
            if (holdsStrings && RequestLimits.MaxLength(field) is null)
            {
                undeclared.Add(field.FullName);
            }
            else if (field.FieldType == FieldType.Message && !field.IsMap)
            {
                Collect(field.MessageType, seen, undeclared);
            }
        }
    }

    [Fact]
    public void ThrowIfTooLong_NestedAndRepeatedStringsOverTheLimit_OneViolationEach()
    {
        var boundaryLimit = RequestLimits.MaxLength(AreaOfInterest.Descriptor.FindFieldByName("boundary_name"))!.Value;
        var typeLimit = RequestLimits.MaxLength(StreamIncidentsRequest.Descriptor.FindFieldByName("crime_types"))!.Value;
        var request = new StreamIncidentsRequest
        {
            Area = new AreaOfInterest { BoundaryName = new string('x', boundaryLimit + 1) },
            CrimeTypes = { "Robbery", new string('y', typeLimit), new string('z', 8_000) },
        };

        var error = Assert.Throws<RpcException>(() => RequestLimits.ThrowIfTooLong(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violations = error.GetBadRequest()!.FieldViolations;
        Assert.Equal(["area.boundary_name", "crime_types[2]"], violations.Select(v => v.Field));
        Assert.Equal($"is {boundaryLimit + 1} characters; at most {boundaryLimit}", violations[0].Description);
        Assert.Equal($"is 8000 characters; at most {typeLimit}", violations[1].Description);
        Assert.DoesNotContain("xxxx", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ThrowIfTooLong_EveryStringAtItsLimit_Passes()
    {
        var limit = RequestLimits.MaxLength(GetPlanRequest.Descriptor.FindFieldByName("plan_id"))!.Value;

        RequestLimits.ThrowIfTooLong(new GetPlanRequest { PlanId = new string('p', limit) });
    }

    [Fact]
    public void ThrowIfTooLong_MapKeyOverTheLimit_ViolationOnTheMap()
    {
        var limit = RequestLimits.MaxLength(ProposePatrolAreasRequest.Descriptor.FindFieldByName("harm_weights"))!.Value;
        var request = new ProposePatrolAreasRequest { HarmWeights = { ["Robbery"] = 2, [new string('k', limit + 1)] = 1 } };

        var error = Assert.Throws<RpcException>(() => RequestLimits.ThrowIfTooLong(request));

        Assert.Equal(["harm_weights key"], error.GetBadRequest()!.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public void ThrowIfTooLong_ImportRows_LeftToTheServiceAndFoundByFirstViolation()
    {
        var incident = new Incident { Id = "a", CrimeType = new string('c', 101) };
        var request = new ImportIncidentsRequest { Source = "rows.csv", Incidents = { incident } };

        RequestLimits.ThrowIfTooLong(request);

        Assert.Equal("crime_type is 101 characters; at most 100", RequestLimits.FirstViolation(incident));
        Assert.Null(RequestLimits.FirstViolation(new Incident { Id = "a", CrimeType = "Robbery" }));
    }
}
