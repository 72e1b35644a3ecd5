using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Targeting.Cli.Commands;

/// <summary>Numbers typed as option values: a plain message for one that is not a number, not .NET's type names.</summary>
internal static class NumberParsing
{
    /// <summary>The option's value as a <typeparamref name="T"/>; otherwise a parse error (exit 2) naming the option, the value and an example.</summary>
    public static T Parse<T>(ArgumentResult result, string example)
        where T : INumberBase<T>
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        var styles = typeof(T) == typeof(double) ? NumberStyles.Float : NumberStyles.Integer;
        if (T.TryParse(text.Trim(), styles, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        var option = result.Parent is OptionResult parent ? parent.Option.Name : result.Argument.Name;
        var kind = typeof(T) == typeof(double) ? "a number" : "a whole number";
        result.AddError($"{option} '{text}' is not {kind} (e.g. {example})");
        return T.Zero;
    }
}

/// <summary>
/// The progress writer (stderr) of a command: remembers whether its last line is open ("proposing...")
/// so that an error ends that line first instead of being glued to it.
/// </summary>
internal sealed class ProgressWriter(TextWriter inner) : TextWriter
{
    private bool _lineOpen;

    public override Encoding Encoding => inner.Encoding;

    /// <summary><paramref name="writer"/> itself when it already is one, else a wrapper of it.</summary>
    public static ProgressWriter Wrap(TextWriter writer) => writer as ProgressWriter ?? new ProgressWriter(writer);

    public override void Write(char value)
    {
        inner.Write(value);
        _lineOpen = value != '\n';
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        inner.Write(value);
        _lineOpen = value[^1] != '\n';
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Flush() => inner.Flush();

    /// <summary>Ends an open progress line, so that what follows starts a line of its own.</summary>
    public void EndLine()
    {
        if (_lineOpen)
        {
            WriteLine();
        }
    }
}
