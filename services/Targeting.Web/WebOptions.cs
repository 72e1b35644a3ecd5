namespace Targeting.Web;

/// <summary>The web host's settings (section <c>Web</c>).</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    /// <summary>The bundled pages (ClientApp/dist, copied to <c>web/</c> beside the binaries at build). Empty: beside the binaries, else the project's ClientApp/dist.</summary>
    public string? StaticRoot { get; set; }

    /// <summary>The borough polygons drawn on the map (GeoJSON, WGS84). Relative paths are against the binaries' folder.</summary>
    public string BoroughsPath { get; set; } = "data/boundaries/london_boroughs_barking_dagenham_lambeth.geojson";

    /// <summary>The ward polygons drawn on the map (GeoJSON, WGS84).</summary>
    public string WardsPath { get; set; } = "data/boundaries/wards_2014_barking_dagenham_lambeth.geojson";

    /// <summary>Most stops one map request returns (default 20,000).</summary>
    public int MaxMapStops { get; set; } = 20_000;
}

/// <summary>How the web reaches the services (section <c>Services</c>, as every service has it).</summary>
public sealed class WebServicesOptions
{
    public const string Section = "Services";

    public WebServiceAddress Hotspot { get; set; } = new();

    public WebServiceAddress Stops { get; set; } = new();

    public WebServiceAddress Feedback { get; set; } = new();

    /// <summary>
    /// The web's own token (role "service"), used only where the web answers under its own
    /// identity: the public transparency report and a planner's outcome-only stops. Minted in
    /// Development when unset; required elsewhere.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>Largest message accepted from a service, bytes (default 64 MiB: a London-wide surface chunk stream, a large plan).</summary>
    public int MaxReceiveMessageSize { get; set; } = 64 * 1024 * 1024;
}

/// <summary>One service's address, and its Dapr app id when calls go through a Dapr sidecar.</summary>
public sealed class WebServiceAddress
{
    public string? Address { get; set; }

    public string? DaprAppId { get; set; }
}
