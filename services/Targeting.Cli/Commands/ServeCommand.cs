using System.CommandLine;
using Microsoft.Extensions.Configuration.Memory;
using Targeting.Feedback;
using Targeting.Grpc;
using Targeting.Hotspot;
using Targeting.Stops;

namespace Targeting.Cli.Commands;

/// <summary>
/// <c>targeting serve</c>: the hotspot, stops and feedback services in one process on one port,
/// on the embedded SQLite stores by default. The services still call each other over gRPC (to
/// this same address), exactly as they do when deployed apart.
/// </summary>
internal static class ServeCommand
{
    public const string DefaultUrl = "http://127.0.0.1:50051";

    public static Command Create()
    {
        var urls = new Option<string>("--urls")
        {
            Description = $"Where to listen: http:// for cleartext HTTP/2 (h2c), https:// for TLS. Default {DefaultUrl}.",
            DefaultValueFactory = _ => DefaultUrl,
        };
        var dataDirectory = new Option<string>("--data-dir")
        {
            Description = "Folder of the embedded SQLite stores (hotspot.db, stops.db). " + DataFolderHelp.Default,
            DefaultValueFactory = _ => DataFolder.Default,
        };
        var postgres = new Option<string?>("--postgres")
        {
            Description = "A PostgreSQL + PostGIS connection string: keep the data there instead of in SQLite.",
        };
        var command = new Command(
            "serve",
            "Host the hotspot, stops and feedback gRPC services in one process on one port. " +
            "Any other --Section:Key=value argument (or --environment Development) is passed to the host's configuration; " +
            "outside Development the services need Authentication:SigningKey and Services:Token.")
        {
            urls,
            dataDirectory,
            postgres,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetRequiredValue(urls),
            parse.GetRequiredValue(dataDirectory),
            parse.GetValue(postgres),
            [.. parse.UnmatchedTokens],
            parse.InvocationConfiguration.Output,
            cancellationToken));
        return command;
    }

    internal static async Task<int> RunAsync(
        string url, string dataDirectory, string? postgres, string[] hostArguments, TextWriter output, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https") || address.Port == 0)
        {
            await Console.Error.WriteLineAsync($"targeting serve: --urls must be one http:// or https:// address with an explicit port, not '{url}'.");
            return 2;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = hostArguments });
        // Lowest precedence, so environment variables and --Key=value arguments still win.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Storage:Provider"] = postgres is null ? "sqlite" : "postgres",
                ["Storage:DataDirectory"] = dataDirectory,
                ["Storage:ConnectionString"] = postgres,
                ["Services:Hotspot:Address"] = address.ToString(),
                ["Services:Stops:Address"] = address.ToString(),
                // A line per request drowns the commands typed in the same terminal; warnings still show.
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            },
        });
        builder.WebHost.UseUrls(address.ToString());
        builder.Services.AddGrpcServer(builder.Configuration);
        builder.Services.AddHotspotService(builder.Configuration);
        builder.Services.AddStopsService(builder.Configuration);
        builder.Services.AddFeedbackService(builder.Configuration);

        await using var app = builder.Build();
        app.UseGrpcServer();
        app.MapHotspotService();
        app.MapStopsService();
        app.MapFeedbackService();

        await app.StartAsync(cancellationToken);
        await output.WriteLineAsync(
            $"targeting: hotspot, stops and feedback listening on {string.Join(", ", app.Urls)} " +
            $"({app.Environment.EnvironmentName}; store: {(postgres is null ? "SQLite in " + Path.GetFullPath(dataDirectory) : "PostgreSQL")}). Ctrl+C stops.");
        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }
}
