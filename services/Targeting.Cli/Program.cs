using System.CommandLine;

// Each command lives in Commands/<Name>Command.cs with a static Create(); add it here.
var root = new RootCommand(
    "targeting: precision stop and search. Proposes patrol areas from crime data, records encounters, " +
    "and checks whether the targeting worked and was fair.");
root.Subcommands.Add(Targeting.Cli.Commands.TokenCommand.Create());

return await root.Parse(args).InvokeAsync();
