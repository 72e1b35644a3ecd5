namespace Targeting.Grpc.Tests;

/// <summary>The small parsers and encoders of the protocol.</summary>
public sealed class ProtocolTests
{
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("250m", 2_500_000L)]
    [InlineData("1500u", 15_000L)]
    [InlineData("99999999n", 999_999L)]
    [InlineData("0S", 0L)]
    public void GrpcTimeoutTryParse_ValidValue_GivesTicks(string value, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(value, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("123456789S")]
    [InlineData("-1S")]
    [InlineData("1s")]
    [InlineData("1.5S")]
    public void GrpcTimeoutTryParse_InvalidValue_IsRejected(string value)
    {
        Assert.False(GrpcTimeout.TryParse(value, out _));
    }

    [Theory]
    [InlineData(100, "10000n")]
    [InlineData(2_500_000, "250000u")]
    [InlineData(36_000_000_000, "3600000m")]
    [InlineData(1, "100n")]
    [InlineData(0, "1n")]
    public void GrpcTimeoutFormat_Duration_UsesFinestUnitThatFits(long ticks, string expected)
    {
        Assert.Equal(expected, GrpcTimeout.Format(TimeSpan.FromTicks(ticks)));
    }

    [Fact]
    public void GrpcTimeoutFormat_HugeDuration_StaysWithinEightDigits()
    {
        var text = GrpcTimeout.Format(TimeSpan.FromDays(36_500));
        Assert.True(GrpcTimeout.TryParse(text, out var parsed));
        Assert.True(parsed >= TimeSpan.FromDays(36_500));
        Assert.InRange(text.Length, 2, 9);
    }

    [Theory]
    [InlineData("plain message", "plain message")]
    [InlineData("100%", "100%25")]
    [InlineData("tab\there", "tab%09here")]
    [InlineData("é", "%C3%A9")]
    [InlineData("😀", "%F0%9F%98%80")]
    public void PercentEncode_Message_EncodesOutsidePrintableAsciiAndPercent(string message, string encoded)
    {
        Assert.Equal(encoded, GrpcProtocol.PercentEncode(message));
        Assert.Equal(message, GrpcProtocol.PercentDecode(encoded));
    }

    [Theory]
    [InlineData("50%", "50%")]
    [InlineData("%zz ok", "%zz ok")]
    [InlineData("%C3", "\uFFFD")]
    public void PercentDecode_BrokenSequences_AreKeptOrReplacedNotThrown(string value, string expected)
    {
        Assert.Equal(expected, GrpcProtocol.PercentDecode(value));
    }

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc; charset=utf-8", true)]
    [InlineData("application/grpc+json", false)]
    [InlineData("application/grpcx", false)]
    [InlineData("application/json", false)]
    public void IsGrpcContentType_Value_AcceptsOnlyProtobufGrpc(string contentType, bool expected)
    {
        Assert.Equal(expected, GrpcProtocol.IsGrpcContentType(contentType));
    }

    [Theory]
    [InlineData("Grpc-Status")]
    [InlineData("bad key")]
    [InlineData("key/slash")]
    public void MetadataAdd_InvalidKey_Throws(string key)
    {
        Assert.Throws<ArgumentException>(() => new Metadata().Add(key, "v"));
    }

    [Fact]
    public void MetadataAdd_BinaryRules_AreEnforced()
    {
        Assert.Throws<ArgumentException>(() => new Metadata().Add("trace-bin", "text"));
        Assert.Throws<ArgumentException>(() => new Metadata().Add("trace", [1, 2]));
        Assert.Throws<ArgumentException>(() => new Metadata().Add("key", "line\nbreak"));
        var metadata = new Metadata().Add("Trace-Bin", [1, 2]);
        Assert.Equal("trace-bin", metadata[0].Key);
        Assert.Equal("AQI", metadata[0].HeaderValue);
    }

    [Fact]
    public void FieldViolations_None_DoesNotThrow()
    {
        new FieldViolations().ThrowIfAny();
    }

    [Fact]
    public void FieldViolations_Two_ThrowsInvalidArgumentWithBoth()
    {
        var violations = new FieldViolations().Add("a.b", "is required").Add("c", "must be positive");
        var error = Assert.Throws<RpcException>(violations.ThrowIfAny);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("Invalid request: a.b is required; c must be positive", error.Detail);
        Assert.Equal(2, error.GetBadRequest()!.FieldViolations.Count);
    }
}
