using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Targeting.Cli.Commands;
using Targeting.Grpc;
using Targeting.Hotspot;
using Targeting.Stops;
using Targeting.Testing;

namespace Targeting.Cli.Tests;

/// <summary>A real service (hotspot or stops) on Kestrel, in-process, on a free loopback port (h2c), with a fresh SQLite store.</summary>
public sealed class CliServiceHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DirectoryInfo _folder;

    private CliServiceHost(WebApplication app, Uri address, DirectoryInfo folder)
    {
        _app = app;
        Address = address;
        _folder = folder;
    }

    public Uri Address { get; }

    public static Task<CliServiceHost> StartHotspotAsync() =>
        StartAsync("cli-hotspot-host-", [], (services, configuration) => services.AddHotspotService(configuration), app => app.MapHotspotService());

    /// <summary>The stops service, with the shipped two-borough boundary as the force's.</summary>
    public static Task<CliServiceHost> StartStopsAsync() =>
        StartAsync("cli-stops-host-",
            [new("Stops:BoundaryPath", RepoPaths.InRepo("data", "boundaries", "london_boroughs_barking_dagenham_lambeth.geojson"))],
            (services, configuration) => services.AddStopsService(configuration), app => app.MapStopsService());

    private static async Task<CliServiceHost> StartAsync(
        string folderPrefix, KeyValuePair<string, string?>[] settings, Action<IServiceCollection, IConfiguration> addService, Action<WebApplication> mapService)
    {
        var folder = Directory.CreateTempSubdirectory(folderPrefix);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(
            [new("Storage:Provider", "sqlite"), new("Storage:DataDirectory", folder.FullName), .. settings]);
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpcServer(builder.Configuration);
        addService(builder.Services, builder.Configuration);
        var app = builder.Build();
        app.UseGrpcServer();
        mapService(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new CliServiceHost(app, new Uri(address), folder);
    }

    public static string Token(string role) => DevelopmentTokens.Issue(role, "cli-test-" + role);

    public HotspotClient CreateHotspotClient(string role = Roles.Planner) =>
        new(new GrpcClient(Address, new GrpcClientOptions { BearerToken = Token(role) }));

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }
}

/// <summary>What a command printed and returned.</summary>
public sealed record CommandRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

internal static class Cli
{
    public static DataSettings Data(
        string[]? crimes = null, string? area = null, string? from = null, string? to = null, Uri? server = null, string? token = null, string[]? boundaries = null) =>
        new(crimes ?? [], boundaries ?? [], area, from, to, server, token);

    public static async Task<CommandRun> BriefAsync(DataSettings data, string outputDirectory, double budget = 0.01, int areas = 8, string? method = null)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await BriefCommand.RunAsync(new BriefCommand.Settings(data, budget, areas, method, outputDirectory, null), output, error, TestContext.Current.CancellationToken);
        return new CommandRun(code, output.ToString(), error.ToString());
    }

    public static async Task<CommandRun> BacktestAsync(DataSettings data, string[]? methods = null, string[]? coverages = null, int bootstrap = 1000, long seed = 1)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await BacktestCommand.RunAsync(new BacktestCommand.Settings(data, methods ?? [], coverages ?? [], bootstrap, seed), output, error, TestContext.Current.CancellationToken);
        return new CommandRun(code, output.ToString(), error.ToString());
    }

    public static async Task<CommandRun> ImportCrimesAsync(string[] files, string dataDirectory, string report, Uri? server = null, string? token = null)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await CrimesImportCommand.RunAsync(new CrimesImportCommand.Settings(files, server, token, dataDirectory, report), output, error, TestContext.Current.CancellationToken);
        return new CommandRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs the built <c>targeting</c> executable (as a user would) with arguments.</summary>
    public static Task<CommandRun> RunExecutableAsync(string workingDirectory, params string[] arguments) =>
        RunExecutableAsync(workingDirectory, [], arguments);

    /// <summary>Runs the built <c>targeting</c> executable with arguments and environment variables set for it (an empty value removes one).</summary>
    public static async Task<CommandRun> RunExecutableAsync(string workingDirectory, Dictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
        {
            if (value.Length == 0)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "targeting.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new CommandRun(process.ExitCode, await output, await error);
    }

    /// <summary>Runs a tool (ogrinfo) and returns its output; fails the test when it is missing or fails.</summary>
    public static async Task<string> ToolAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"{tool} is not installed ({e.Message}); run scripts/install-deps.sh (gdal-bin)");
            throw;
        }

        using (process)
        {
            var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(process.ExitCode == 0, $"{tool} failed ({process.ExitCode}): {error}");
            return output;
        }
    }

    /// <summary>No .NET stack trace leaked to the user.</summary>
    public static void NoStackTrace(CommandRun run)
    {
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Error, StringComparison.Ordinal);
    }
}
