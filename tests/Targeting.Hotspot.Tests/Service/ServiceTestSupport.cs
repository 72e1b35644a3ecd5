using NetTopologySuite.Geometries;
using Targeting.Engine.Geography;
using Targeting.Grpc;
using Targeting.Hotspot.V1;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;
using TimeWindow = Targeting.Common.V1.TimeWindow;

namespace Targeting.Hotspot.Tests.Service;

/// <summary>Checks an INVALID_ARGUMENT carries one google.rpc.BadRequest violation per bad field.</summary>
public sealed class BadRequestAssertion(RpcException error)
{
    public void HasExactly(params string[] fields)
    {
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var badRequest = error.GetBadRequest();
        Assert.NotNull(badRequest);
        Assert.Equal(fields.Order(StringComparer.Ordinal), badRequest.FieldViolations.Select(v => v.Field).Order(StringComparer.Ordinal));
        Assert.All(badRequest.FieldViolations, v => Assert.False(string.IsNullOrWhiteSpace(v.Description)));
    }
}

/// <summary>Plans made by hand, for tests that need one stored.</summary>
public static class StoredPlans
{
    /// <summary>A one-area plan for a month: a square of <paramref name="sizeDegrees"/> with its south-west corner at the point.</summary>
    public static (PatrolPlan Plan, IReadOnlyList<Geometry> Shapes) Square(string id, string area, DateTime month, double south, double west, double sizeDegrees)
    {
        var wgs84 = Projection.Wgs84Factory.CreatePolygon(
        [
            new(west, south), new(west + sizeDegrees, south), new(west + sizeDegrees, south + sizeDegrees), new(west, south + sizeDegrees), new(west, south),
        ]);
        var plan = new PatrolPlan
        {
            PlanId = id,
            AreaName = area,
            ValidWindow = new TimeWindow { Start = Timestamp.FromDateTime(month), End = Timestamp.FromDateTime(month.AddMonths(1)) },
            Provenance = new PlanProvenance { EngineVersion = "test", GeneratedAt = Timestamp.FromDateTime(DateTime.UtcNow) },
        };
        plan.Areas.Add(new PatrolArea { AreaId = "A1", Rank = 1, Geometry = GeometryMapping.ToProto(wgs84) });
        return (plan, [Projection.BritishNationalGrid.Project(wgs84)]);
    }
}
