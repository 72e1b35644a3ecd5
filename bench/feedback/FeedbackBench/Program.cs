using FeedbackBench;

var mode = args.FirstOrDefault() ?? "stream";
switch (mode)
{
    case "stream":
        var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 630_949;
        Console.WriteLine(await StreamProbe.RunAsync(count));
        return 0;
    case "full":
        // full SHARED_DATA_DIR DATA_FOLDER [REPEAT [POSTGRES_CONNECTION_STRING]]
        return await FullEvaluation.RunAsync(args[1], args[2], args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 5,
            args.Length > 4 ? args[4] : null);
    case "roads":
        // roads SHARED_DATA_DIR DATA_FOLDER [STOPS [REPEAT [time|random]]]: stops written in time order (default) or random order
        return await RoadsBench.RunAsync(args[1], args[2], args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000,
            args.Length > 4 ? int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 3,
            args.Length <= 5 || args[5] == "time");
    default:
        Console.Error.WriteLine($"unknown mode '{mode}': stream [N] | full SHARED_DATA DATA_FOLDER [REPEAT [POSTGRES]] | roads SHARED_DATA DATA_FOLDER [STOPS [REPEAT [time|random]]]");
        return 2;
}
