using System.Buffers.Text;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using Grpc.Health.V1;
using Targeting.Grpc;

namespace Targeting.Cli.Commands;

/// <summary>The <c>--server URL</c> option every command that can call a running service shares.</summary>
internal static class ServerOption
{
    /// <summary>The address 'targeting serve' listens on by default, as the help's examples name it.</summary>
    public const string Example = ServeCommand.DefaultUrl;

    /// <summary>Seconds a command waits for a service that is still starting (default <see cref="DefaultWaitSeconds"/>; 0: not at all).</summary>
    public const string WaitVariable = "TARGETING_SERVER_WAIT";

    public const int DefaultWaitSeconds = 30;

    private static readonly GrpcMethod<HealthCheckRequest, HealthCheckResponse> HealthCheck =
        GrpcMethod<HealthCheckRequest, HealthCheckResponse>.For(HealthReflection.Descriptor.Services[0], "Check");

    /// <summary>An absolute http:// or https:// address; anything else is a parse error naming the value.</summary>
    public static Option<Uri?> Create(string description) => new("--server")
    {
        Description = description + $" A service that is still starting is waited for, up to {DefaultWaitSeconds} s (${WaitVariable} changes that).",
        // System.CommandLine has no built-in Uri conversion: without this every --server value failed to parse.
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                return uri;
            }

            result.AddError($"--server must be an absolute http:// or https:// address, e.g. {Example} (not '{text}')");
            return null;
        },
    };

    /// <summary>
    /// Waits until the service at <paramref name="server"/> answers grpc.health.v1 SERVING, for at most
    /// <see cref="WaitVariable"/> seconds, so that a command typed right after <c>targeting serve &amp;</c>
    /// does not fail while the server is still starting. Returns quietly either way: when the service
    /// never came up, the command's own call then fails with UNAVAILABLE and says so.
    /// </summary>
    public static async Task WaitUntilServingAsync(Uri server, TextWriter progress, CancellationToken cancellationToken)
    {
        var wait = Wait();
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        // Health needs no token; no retries here, the loop is the retry.
        using var client = new GrpcClient(server, new GrpcClientOptions { Retry = null });
        var clock = Stopwatch.StartNew();
        var told = false;
        while (true)
        {
            try
            {
                var health = await client.UnaryAsync(HealthCheck, new HealthCheckRequest(), CallOptions.WithTimeout(TimeSpan.FromSeconds(10), cancellationToken));
                if (health.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
            }
            catch (RpcException)
            {
                // It answered (a service without health, say): it is up; the command's call says the rest.
                return;
            }

            if (clock.Elapsed >= wait)
            {
                return;
            }

            if (!told)
            {
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"waiting for {server} to start serving (up to {wait.TotalSeconds:0} s)..."));
                told = true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    private static TimeSpan Wait() =>
        int.TryParse(Environment.GetEnvironmentVariable(WaitVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromSeconds(DefaultWaitSeconds);
}

/// <summary>The <c>--token T</c> option that goes with <c>--server</c>, defaulting to <see cref="Variable"/>.</summary>
internal static class TokenOption
{
    /// <summary>The environment variable a token is read from when --token is not given.</summary>
    public const string Variable = "TARGETING_TOKEN";

    /// <summary>
    /// The option; <paramref name="howToGetOne"/> ends the description's parenthesis. The value (given or
    /// from <see cref="Variable"/>) is trimmed and must look like a JWT, else it is a usage error that says why.
    /// </summary>
    public static Option<string?> Create(string howToGetOne = "'targeting token' prints development ones") => new("--token")
    {
        Description = $"Bearer token for --server, a JWT (default: ${Variable}; {howToGetOne}).",
        CustomParser = result => Checked(result.Tokens.Count == 1 ? result.Tokens[0].Value : "", "--token", result),
        DefaultValueFactory = result => Environment.GetEnvironmentVariable(Variable) is { } value && value.Trim().Length > 0
            ? Checked(value, "$" + Variable, result)
            : null,
    };

    /// <summary>What the user can do about a call the service refused, or null: the advice every command gives.</summary>
    /// <param name="code">The refusal's status.</param>
    /// <param name="role">The role the command's calls need, named in the advice.</param>
    public static string? Advice(StatusCode code, string role) => code switch
    {
        StatusCode.Unauthenticated => $"pass --token or set ${Variable} ('targeting token --role {role}' prints a development one)",
        StatusCode.PermissionDenied => $"a {role} token is needed",
        StatusCode.Unavailable => "is 'targeting serve' running at that address?",
        _ => null,
    };

    /// <summary>--token's value, else the environment variable's (null when neither is set); trimmed and checked by the parser.</summary>
    public static string? Value(ParseResult parse, Option<string?> option) => parse.GetValue(option);

    /// <summary>Why <paramref name="token"/> is not a compact JWS (header.payload.signature, base64url), or null when it looks like one.</summary>
    internal static string? Problem(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return $"it has {parts.Length} part{(parts.Length == 1 ? "" : "s")}";
        }

        for (var i = 0; i < 3; i++)
        {
            if (parts[i].Length == 0 || !Base64Url.IsValid(parts[i]))
            {
                return $"its {(i == 0 ? "header" : i == 1 ? "payload" : "signature")} is not base64url";
            }
        }

        // The header is a JSON object: base64url of '{' starts "ey".
        return parts[0].StartsWith("ey", StringComparison.Ordinal) ? null : "its header is not a JSON object";
    }

    private static string? Checked(string text, string source, ArgumentResult result)
    {
        var token = text.Trim();
        if (Problem(token) is not { } problem)
        {
            return token;
        }

        // Quote the start only: a token is a secret, and a long one would flood the line.
        var quote = token.Length <= 16 ? token : token[..12] + "…";
        result.AddError($"{source} '{quote}' is not a JWT ({problem}): a bearer token is three base64url parts joined by dots, " +
            "header.payload.signature; in Development 'targeting token --role ROLE' prints one");
        return null;
    }
}
