using System.Text.Json;

namespace Targeting.Engine.Tests.Statistics;

public class ReferenceScriptTests
{
    [Fact]
    public void ReferenceScripts_Rerun_MatchesCommittedJson()
    {
        var fresh = JsonDocument.Parse(Reference.RunPython("reference_values.py")).RootElement;

        // Versions may differ on another machine; the values must not (to 1e-12 relative).
        AssertSame(Reference.Root, fresh, "$", skip: "versions");
    }

    private static void AssertSame(JsonElement committed, JsonElement fresh, string path, string? skip = null)
    {
        Assert.True(committed.ValueKind == fresh.ValueKind, $"{path}: {committed.ValueKind} in the committed JSON, {fresh.ValueKind} from the script: re-run the script and commit its output");
        switch (committed.ValueKind)
        {
            case JsonValueKind.Object:
                var names = committed.EnumerateObject().Select(p => p.Name).Where(n => n != skip).ToArray();
                Assert.Equal(names, fresh.EnumerateObject().Select(p => p.Name).Where(n => n != skip).ToArray());
                foreach (var name in names)
                {
                    AssertSame(committed.GetProperty(name), fresh.GetProperty(name), path + "." + name);
                }

                break;
            case JsonValueKind.Array:
                Assert.True(committed.GetArrayLength() == fresh.GetArrayLength(), $"{path}: array lengths differ");
                for (var i = 0; i < committed.GetArrayLength(); i++)
                {
                    AssertSame(committed[i], fresh[i], $"{path}[{i}]");
                }

                break;
            case JsonValueKind.Number:
                Reference.Close(committed.GetDouble(), fresh.GetDouble(), path + " (committed vs re-run)", 1e-12, 0);
                break;
            default:
                Assert.Equal(committed.ToString(), fresh.ToString());
                break;
        }
    }
}
