using FeedbackBench;

var mode = args.FirstOrDefault() ?? "stream";
switch (mode)
{
    case "stream":
        var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 630_949;
        Console.WriteLine(await StreamProbe.RunAsync(count));
        return 0;
    default:
        Console.Error.WriteLine($"unknown mode '{mode}': stream [N]");
        return 2;
}
