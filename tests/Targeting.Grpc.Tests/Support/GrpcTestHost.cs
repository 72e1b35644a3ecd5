using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Targeting.Grpc.Tests.Support;

/// <summary>The real gRPC server on Kestrel, in-process, on a free loopback port (h2c, or TLS with a throwaway certificate).</summary>
public sealed class GrpcTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcTestHost(WebApplication app, Uri address, X509Certificate2? certificate)
    {
        _app = app;
        Address = address;
        Certificate = certificate;
    }

    public Uri Address { get; }

    /// <summary>The server's self-signed certificate, for TLS hosts.</summary>
    public X509Certificate2? Certificate { get; }

    public IServiceProvider Services => _app.Services;

    public CallProbe Probe => _app.Services.GetRequiredService<CallProbe>();

    public GrpcHealth Health => _app.Services.GetRequiredService<GrpcHealth>();

    public CapturedLogs Logs => _app.Services.GetRequiredService<CapturedLogs>();

    /// <summary>"127.0.0.1:port", as grpc-js wants it.</summary>
    public string HostAndPort => $"{Address.Host}:{Address.Port}";

    public static async Task<GrpcTestHost> StartAsync(
        Dictionary<string, string?>? settings = null,
        string environment = "Development",
        bool tls = false,
        Action<IEndpointRouteBuilder>? map = null,
        Action<IServiceCollection>? services = null,
        bool useUrls = false)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = environment,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.Logging.ClearProviders();
        var logs = new CapturedLogs();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton(logs);
        var certificate = tls ? CreateCertificate() : null;
        if (useUrls)
        {
            // As `dotnet run -- --urls http://...` does: the layer must make such endpoints speak h2c.
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            }));
        }
        builder.Services.AddGrpcServer(builder.Configuration);
        builder.Services.AddSingleton<CallProbe>();
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseGrpcServer();
        (map ?? InteropTestService.Map)(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new GrpcTestHost(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)), certificate);
    }

    /// <summary>A client of this host, trusting its certificate when it has one.</summary>
    public GrpcClient CreateClient(string? role = Roles.Analyst, Action<GrpcClientOptions>? configure = null)
    {
        var options = new GrpcClientOptions
        {
            BearerToken = role is null ? null : DevelopmentTokens.Issue(role),
            RetryableServices = [Targeting.Testing.V1.TestService.Descriptor],
        };
        if (Certificate is { } certificate)
        {
            options.HttpHandler = new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString() },
            };
        }
        configure?.Invoke(options);
        return new GrpcClient(Address, options);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        Certificate?.Dispose();
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        // Kestrel needs a certificate whose private key it can use on every platform: round-trip through PFX.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), password: null);
    }
}

/// <summary>Log records of the in-process host, for tests that check what the server logged.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message, Exception? Exception)> _entries = new();

    public IReadOnlyList<(string Category, LogLevel Level, string Message, Exception? Exception)> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string, Exception?)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue((category, logLevel, formatter(state, exception), exception));
    }
}
