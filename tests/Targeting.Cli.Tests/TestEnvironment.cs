using System.Runtime.CompilerServices;
using Targeting.Cli.Commands;
using Targeting.Grpc;

namespace Targeting.Cli.Tests;

/// <summary>Settings for the whole test process (and the commands it starts), before any test runs.</summary>
internal static class TestEnvironment
{
    /// <summary>Variables the commands read that the tests set for themselves; a test of the README as a user runs it clears them.</summary>
    public static readonly string[] Variables = [ServerOption.WaitVariable, DataFolder.EnvironmentVariable];

    [ModuleInitializer]
    internal static void Initialize()
    {
        // The unreachable-server tests (port 1) would otherwise wait the full start-up allowance each.
        Environment.SetEnvironmentVariable(ServerOption.WaitVariable, "0");
        // The default data folder would be the clone's targeting-data: tests that rely on the default get an
        // empty folder of their own instead (so the embedded commands fall back to the shipped sample).
        Environment.SetEnvironmentVariable(DataFolder.EnvironmentVariable, Directory.CreateTempSubdirectory("targeting-cli-tests-data-").FullName);
    }
}
