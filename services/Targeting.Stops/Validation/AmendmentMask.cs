using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Targeting.Grpc;
using Targeting.Stops.V1;

namespace Targeting.Stops.Validation;

/// <summary>
/// Applies an amendment's update mask: each path (e.g. "outcome", "procedural_justice.debrief_given",
/// "location") sets that field of the encounter to its value in the changes, including clearing it
/// when the changes leave it unset. Paths are checked against the Encounter descriptor.
/// </summary>
public static class AmendmentMask
{
    /// <summary>Fields that identify the record rather than describe the encounter; never amended.</summary>
    private static readonly HashSet<string> Immutable = ["officer.pseudonym"];

    /// <summary>Most paths in one mask: more than every field of Encounter, few enough to bound the errors.</summary>
    public const int MaxPaths = 64;

    /// <summary>Checks each path; reports bad ones under <c>update_mask.paths[i]</c>.</summary>
    public static void Validate(FieldMask? mask, List<FieldError> errors)
    {
        if (mask is null || mask.Paths.Count == 0)
        {
            errors.Add(new("update_mask", "needs at least one path (e.g. \"outcome\")"));
            return;
        }

        if (mask.Paths.Count > MaxPaths)
        {
            errors.Add(new("update_mask.paths", $"has {mask.Paths.Count} paths; at most {MaxPaths} (Encounter has fewer fields than that)"));
            return;
        }

        for (var i = 0; i < mask.Paths.Count; i++)
        {
            var path = mask.Paths[i];
            var field = $"update_mask.paths[{i}]";
            if (Resolve(path) is null)
            {
                errors.Add(new(field, $"{FieldText.Quote(path)} is not a field of Encounter"));
            }
            else if (Immutable.Contains(path) || Immutable.Any(p => p.StartsWith(path + ".", StringComparison.Ordinal)))
            {
                errors.Add(new(field, $"{FieldText.Quote(path)} identifies who recorded the encounter and cannot be amended"));
            }
        }
    }

    /// <summary>A copy of <paramref name="current"/> with the masked fields taken from <paramref name="changes"/>.</summary>
    public static Encounter Apply(Encounter current, FieldMask mask, Encounter changes)
    {
        var result = current.Clone();
        foreach (var path in mask.Paths)
        {
            var parts = path.Split('.');
            IMessage target = result;
            IMessage? source = changes;
            for (var i = 0; i < parts.Length - 1; i++)
            {
                var step = target.Descriptor.FindFieldByName(parts[i]);
                var child = (IMessage?)step.Accessor.GetValue(target);
                if (child is null)
                {
                    child = step.MessageType.Parser.ParseFrom(ByteString.Empty);
                    step.Accessor.SetValue(target, child);
                }

                target = child;
                source = source is null ? null : (IMessage?)step.Accessor.GetValue(source);
            }

            var leaf = target.Descriptor.FindFieldByName(parts[^1]);
            var value = source is null ? null : leaf.Accessor.GetValue(source);
            if (value is null)
            {
                leaf.Accessor.Clear(target);
            }
            else
            {
                leaf.Accessor.SetValue(target, value is IMessage message ? message.Descriptor.Parser.ParseFrom(message.ToByteString()) : value);
            }
        }

        return result;
    }

    private static FieldDescriptor? Resolve(string path)
    {
        var descriptor = Encounter.Descriptor;
        FieldDescriptor? field = null;
        foreach (var part in path.Split('.'))
        {
            if (descriptor is null)
            {
                return null;
            }

            field = descriptor.FindFieldByName(part);
            if (field is null || field.IsRepeated || field.IsMap)
            {
                return null;
            }

            descriptor = field.FieldType == FieldType.Message ? field.MessageType : null;
        }

        return field;
    }
}
