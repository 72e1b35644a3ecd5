using System.Runtime.CompilerServices;
using Targeting.Cli.Commands;

namespace Targeting.Cli.Tests;

/// <summary>Settings for the whole test process (and the commands it starts), before any test runs.</summary>
internal static class TestEnvironment
{
    /// <summary>Variables the commands read that the tests set for themselves; a test of the README as a user runs it clears them.</summary>
    public static readonly string[] Variables = [ServerOption.WaitVariable];

    [ModuleInitializer]
    internal static void Initialize()
    {
        // The unreachable-server tests (port 1) would otherwise wait the full start-up allowance each.
        Environment.SetEnvironmentVariable(ServerOption.WaitVariable, "0");
    }
}
