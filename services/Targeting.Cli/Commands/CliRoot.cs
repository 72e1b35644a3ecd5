using System.CommandLine;
using System.CommandLine.Invocation;

namespace Targeting.Cli.Commands;

/// <summary>The <c>targeting</c> command tree, and its exit codes.</summary>
internal static class CliRoot
{
    /// <summary>The exit code of every usage error: a parse error, a value out of range, a token that is not a JWT.</summary>
    public const int UsageError = 2;

    public const string ExitCodes =
        "Exit codes: 0 done; 1 failed (a file could not be read or written, the service refused or was unavailable); " +
        "2 usage error (an option or argument is wrong: the message says which and why); 3 'brief' found no patrol areas (the message says why).";

    /// <summary>Each command lives in Commands/&lt;Name&gt;Command.cs with a static Create(); add it here.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand(
            "targeting: precision stop and search. Proposes patrol areas from crime data, records encounters, " +
            "and checks whether the targeting worked and was fair. " + ExitCodes);
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(TokenCommand.Create());
        root.Subcommands.Add(BriefCommand.Create());
        root.Subcommands.Add(BacktestCommand.Create());
        root.Subcommands.Add(GazetteerCommand.Create());
        // `import` holds one subcommand per kind of data; `stops` is the data.police.uk stop-and-search import.
        var import = new Command("import", "Import data files.");
        import.Subcommands.Add(StopsImportCommand.Create());
        import.Subcommands.Add(CrimesImportCommand.Create());
        root.Subcommands.Add(import);
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(FeedbackCommand.Create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; a parse error exits <see cref="UsageError"/>, as the commands' own checks do.</summary>
    public static async Task<int> InvokeAsync(string[] args, InvocationConfiguration? configuration = null, CancellationToken cancellationToken = default)
    {
        var parse = Create().Parse(args);
        var code = await parse.InvokeAsync(configuration, cancellationToken);
        // System.CommandLine's parse-error action returns 1, which the commands use for failures.
        return parse.Action is ParseErrorAction ? UsageError : code;
    }
}
