// The command tree is in Commands/CliRoot.cs, where the tests reach it too.
return await Targeting.Cli.Commands.CliRoot.InvokeAsync(args);
