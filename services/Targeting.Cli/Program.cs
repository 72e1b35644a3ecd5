using System.CommandLine;

// Each command lives in Commands/<Name>Command.cs with a static Create(); add it here.
var root = new RootCommand(
    "targeting: precision stop and search. Proposes patrol areas from crime data, records encounters, " +
    "and checks whether the targeting worked and was fair.");
root.Subcommands.Add(Targeting.Cli.Commands.ServeCommand.Create());
root.Subcommands.Add(Targeting.Cli.Commands.TokenCommand.Create());
root.Subcommands.Add(Targeting.Cli.Commands.BriefCommand.Create());
root.Subcommands.Add(Targeting.Cli.Commands.BacktestCommand.Create());
// `import` holds one subcommand per kind of data; `stops` is the data.police.uk stop-and-search import.
var import = new Command("import", "Import data files.");
import.Subcommands.Add(Targeting.Cli.Commands.StopsImportCommand.Create());
import.Subcommands.Add(Targeting.Cli.Commands.CrimesImportCommand.Create());
root.Subcommands.Add(import);
root.Subcommands.Add(Targeting.Cli.Commands.ExportCommand.Create());
root.Subcommands.Add(Targeting.Cli.Commands.FeedbackCommand.Create());

return await root.Parse(args).InvokeAsync();
