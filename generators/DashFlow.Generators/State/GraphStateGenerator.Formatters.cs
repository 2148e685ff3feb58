using System.Collections.Generic;
using System.Globalization;
using DashFlow.Generators.Helpers;

namespace DashFlow.Generators.State;

/// <summary>
/// Emits the state's MessagePack field formatters: reflection-free compositions of
/// <c>DashFlow.Internals.FieldFormatters</c> for the field types it knows (strings, numbers, booleans, timestamps, nullable
/// value types and the immutable collections of those), and the contractless fallback for any other type.
/// </summary>
public sealed partial class GraphStateGenerator
{
    private const string Formatters = "global::DashFlow.Internals.FieldFormatters";
    private const string Immutable = "global::System.Collections.Immutable.";

    private static void EmitFormatters(SourceWriter writer, StateModel model)
    {
        var self = Interface(model);
        writer.WriteLine(GeneratedCodeAttribute);
        writer.WriteLine($"static byte[]? {self}.SerializeField(int field, object? value) => field switch");
        writer.WriteLine("{");
        writer.Indentation++;
        for (var i = 0; i < model.Fields.Count; i++)
        {
            writer.WriteLine($"{i.ToString(CultureInfo.InvariantCulture)} => {Formatters}.Serialize({FormatterFor(model.Fields[i].TypeOfType)}, value),");
        }

        writer.WriteLine("_ => throw new global::System.ArgumentOutOfRangeException(nameof(field)),");
        writer.Indentation--;
        writer.WriteLine("};");
        writer.WriteLine();
        writer.WriteLine(GeneratedCodeAttribute);
        writer.OpenBlock($"static bool {self}.TryDeserializeField(int field, global::System.ReadOnlyMemory<byte> data, out object? value)");
        writer.WriteLine("value = field switch");
        writer.WriteLine("{");
        writer.Indentation++;
        for (var i = 0; i < model.Fields.Count; i++)
        {
            writer.WriteLine($"{i.ToString(CultureInfo.InvariantCulture)} => {Formatters}.Deserialize({FormatterFor(model.Fields[i].TypeOfType)}, data),");
        }

        writer.WriteLine("_ => throw new global::System.ArgumentOutOfRangeException(nameof(field)),");
        writer.Indentation--;
        writer.WriteLine("};");
        writer.WriteLine("return true;");
        writer.CloseBlock();
    }

    /// <summary>The formatter expression for a type as <c>typeof</c> writes it.</summary>
    internal static string FormatterFor(string type)
    {
        switch (type)
        {
            case "string":
                return $"{Formatters}.String";
            case "int":
                return $"{Formatters}.Int32";
            case "long":
                return $"{Formatters}.Int64";
            case "bool":
                return $"{Formatters}.Boolean";
            case "double":
                return $"{Formatters}.Double";
            case "float":
                return $"{Formatters}.Single";
            case "global::System.DateTime":
                return $"{Formatters}.DateTime";
        }

        if (type.EndsWith("?", System.StringComparison.Ordinal))
        {
            var inner = type.Substring(0, type.Length - 1);
            var formatter = FormatterFor(inner);
            return formatter.Contains(".Fallback<") ? Fallback(type) : $"{Formatters}.Nullable({formatter})";
        }

        if (TrySplitGeneric(type, out var name, out var args))
        {
            string? composed = null;
            if (args.Count == 1)
            {
                var item = FormatterFor(args[0]);
                composed = name switch
                {
                    Immutable + "ImmutableList" => $"{Formatters}.List({item})",
                    Immutable + "ImmutableArray" => $"{Formatters}.Array({item})",
                    Immutable + "ImmutableHashSet" => $"{Formatters}.HashSet({item})",
                    _ => null,
                };
            }
            else if (args.Count == 2 && name == Immutable + "ImmutableDictionary")
            {
                var key = args[0] == "string" ? $"{Formatters}.StringKey" : FormatterFor(args[0]);
                composed = $"{Formatters}.Dictionary({key}, {FormatterFor(args[1])})";
            }

            if (composed is not null)
            {
                return composed;
            }
        }

        return Fallback(type);
    }

    private static string Fallback(string type) => $"{Formatters}.Fallback<{type}>()";

    private static bool TrySplitGeneric(string type, out string name, out List<string> args)
    {
        name = "";
        args = [];
        var open = type.IndexOf('<');
        if (open < 0 || !type.EndsWith(">", System.StringComparison.Ordinal))
        {
            return false;
        }

        name = type.Substring(0, open);
        var depth = 0;
        var start = open + 1;
        for (var i = start; i < type.Length - 1; i++)
        {
            switch (type[i])
            {
                case '<':
                case '(':
                case '[':
                    depth++;
                    break;
                case '>':
                case ')':
                case ']':
                    depth--;
                    break;
                case ',' when depth == 0:
                    args.Add(type.Substring(start, i - start).Trim());
                    start = i + 1;
                    break;
            }
        }

        args.Add(type.Substring(start, type.Length - 1 - start).Trim());
        return true;
    }
}
