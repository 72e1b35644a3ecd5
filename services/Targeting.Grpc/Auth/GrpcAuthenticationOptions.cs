namespace Targeting.Grpc;

/// <summary>
/// JWT bearer settings, bound from configuration section <c>Authentication</c>. Tokens are HS256,
/// with "sub", "role" (one or more) and "team" claims.
/// </summary>
public sealed class GrpcAuthenticationOptions
{
    public const string SectionName = "Authentication";

    /// <summary>The required "iss" claim.</summary>
    public string Issuer { get; set; } = DevelopmentTokens.Issuer;

    /// <summary>The required "aud" claim.</summary>
    public string Audience { get; set; } = DevelopmentTokens.Audience;

    /// <summary>
    /// The HS256 signing key, at least 32 bytes of UTF-8. Required outside Development; in
    /// Development the built-in development key is used when none is configured.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>Tolerance for clock differences when checking "exp" and "nbf". Default 1 minute.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>True when the development key was filled in because the host runs in Development.</summary>
    public bool UsesDevelopmentKey { get; internal set; }
}
