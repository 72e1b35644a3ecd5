using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Targeting.Grpc.Tests.Support;

/// <summary>
/// Runs nghttp (nghttp2-client, installed by scripts/test.sh) to see the HTTP/2 frames themselves,
/// which HttpClient hides: e.g. whether an error came as one HEADERS frame with END_STREAM.
/// </summary>
internal static partial class Nghttp
{
    public static async Task<IReadOnlyList<ReceivedFrame>> PostAsync(Uri address, string path, byte[] body, params string[] headers)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, body);
            var start = new ProcessStartInfo("nghttp") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "-v", "-n", "-d", file, "-H", "content-type: application/grpc", "-H", "te: trailers" })
            {
                start.ArgumentList.Add(argument);
            }
            foreach (var header in headers)
            {
                start.ArgumentList.Add("-H");
                start.ArgumentList.Add(header);
            }
            start.ArgumentList.Add(new Uri(address, path).ToString());
            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                Assert.Fail("nghttp is not installed (apt-get install nghttp2-client; scripts/test.sh does it).");
                throw;
            }
            using (process)
            {
                var output = await process.StandardOutput.ReadToEndAsync();
                await process.WaitForExitAsync();
                return Parse(output);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The frames nghttp received on request streams (odd ids), in order.</summary>
    private static List<ReceivedFrame> Parse(string output)
    {
        var frames = new List<ReceivedFrame>();
        foreach (Match match in FrameLine().Matches(output))
        {
            var streamId = int.Parse(match.Groups["stream"].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (streamId % 2 == 1)
            {
                var flags = Convert.ToInt32(match.Groups["flags"].Value, 16);
                frames.Add(new ReceivedFrame(match.Groups["type"].Value, streamId, EndStream: (flags & 0x1) != 0));
            }
        }
        return frames;
    }

    [GeneratedRegex(@"recv (?<type>[A-Z_]+) frame <length=\d+, flags=0x(?<flags>[0-9a-f]+), stream_id=(?<stream>\d+)>")]
    private static partial Regex FrameLine();
}

internal sealed record ReceivedFrame(string Type, int StreamId, bool EndStream);
