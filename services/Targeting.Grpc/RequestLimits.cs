using System.Collections;
using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Targeting.Common.V1;

namespace Targeting.Grpc;

/// <summary>
/// Enforces the <c>(targeting.common.v1.max_length)</c> option of every string field in a request
/// message, nested messages and repeated fields included: one INVALID_ARGUMENT field violation per
/// value that is too long. The server checks every request message before its handler sees it.
/// On a map field the limit applies to its string keys and values. Fields marked
/// <c>(targeting.common.v1.per_row)</c> (the rows of an import) are left to the service, which
/// rejects one row with <see cref="FirstViolation"/> rather than failing the whole stream.
/// </summary>
public static class RequestLimits
{
    // Per message type, the fields worth visiting: limited strings, and messages that hold some.
    private static readonly ConcurrentDictionary<MessageDescriptor, FieldLimit[]> Plans = new();

    /// <summary>The declared maximum length of a string field, or null when it declares none.</summary>
    public static int? MaxLength(FieldDescriptor field)
    {
        var options = field.GetOptions();
        return options is not null && options.HasExtension(LimitsExtensions.MaxLength) ? options.GetExtension(LimitsExtensions.MaxLength) : null;
    }

    /// <summary>Throws INVALID_ARGUMENT naming each string of <paramref name="message"/> longer than its field allows.</summary>
    public static void ThrowIfTooLong(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (PlanFor(message.Descriptor).Length == 0)
        {
            return;
        }

        var violations = new FieldViolations();
        Check(message, prefix: "", violations);
        violations.ThrowIfAny();
    }

    /// <summary>The first string of <paramref name="message"/> over its limit, as "field is N characters; at most M", or null.</summary>
    public static string? FirstViolation(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var violations = new FieldViolations();
        Check(message, prefix: "", violations);
        return violations.First;
    }

    private static void Check(IMessage message, string prefix, FieldViolations violations)
    {
        foreach (var limit in PlanFor(message.Descriptor))
        {
            var field = limit.Field;
            var value = field.Accessor.GetValue(message);
            var path = prefix + field.Name;
            if (field.IsMap)
            {
                foreach (DictionaryEntry entry in (IDictionary)value)
                {
                    Visit(limit, entry.Key, $"{path} key", violations);
                    Visit(limit, entry.Value!, $"{path} value", violations);
                }
            }
            else if (field.IsRepeated)
            {
                var index = 0;
                foreach (var item in (IList)value)
                {
                    Visit(limit, item, $"{path}[{index++}]", violations);
                }
            }
            else if (value is not null)
            {
                Visit(limit, value, path, violations);
            }
        }
    }

    private static void Visit(FieldLimit limit, object value, string path, FieldViolations violations)
    {
        if (value is string text)
        {
            if (text.Length > limit.MaxLength)
            {
                violations.Add(path, $"is {text.Length} characters; at most {limit.MaxLength}");
            }
        }
        else if (value is IMessage nested)
        {
            Check(nested, path + ".", violations);
        }
    }

    private static FieldLimit[] PlanFor(MessageDescriptor descriptor) => Plans.GetOrAdd(descriptor, d => Build(d, []));

    private static FieldLimit[] Build(MessageDescriptor descriptor, HashSet<MessageDescriptor> visiting)
    {
        if (Plans.TryGetValue(descriptor, out var known))
        {
            return known;
        }

        // A message type that contains itself is visited once per value, not planned forever.
        if (!visiting.Add(descriptor))
        {
            return [];
        }

        var plan = new List<FieldLimit>();
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            var options = field.GetOptions();
            if (options is not null && options.HasExtension(LimitsExtensions.PerRow) && options.GetExtension(LimitsExtensions.PerRow))
            {
                continue;
            }

            if ((field.FieldType == FieldType.String || field.IsMap) && MaxLength(field) is { } max)
            {
                plan.Add(new FieldLimit(field, max));
            }
            else if (field.FieldType == FieldType.Message && Build(field.MessageType, visiting).Length > 0)
            {
                plan.Add(new FieldLimit(field, 0));
            }
        }

        visiting.Remove(descriptor);
        return [.. plan];
    }

    private readonly record struct FieldLimit(FieldDescriptor Field, int MaxLength);
}
