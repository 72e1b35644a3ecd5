namespace Targeting.Engine;

/// <summary>Facts about this build of the engine, stamped on every plan's provenance.</summary>
public static class EngineInfo
{
    /// <summary>The engine's version, from the assembly's informational version.</summary>
    public static string Version { get; } =
        typeof(EngineInfo).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>()
            .FirstOrDefault()?.InformationalVersion ?? "0.0.0";
}
