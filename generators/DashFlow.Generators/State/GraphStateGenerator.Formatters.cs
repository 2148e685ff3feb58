using System.Globalization;
using DashFlow.Generators.Helpers;

namespace DashFlow.Generators.State;

/// <summary>
/// Emits the state's MessagePack field formatters: reflection-free compositions of
/// <c>DashFlow.Internals.FieldFormatters</c> chosen by the parser, record and class formatters for the user's own types,
/// and the contractless fallback where the parser found nothing better.
/// </summary>
public sealed partial class GraphStateGenerator
{
    private const string FormatterType = "global::DashFlow.Internals.FieldFormatter";

    private static void EmitFormatters(SourceWriter writer, StateModel model)
    {
        var self = Interface(model);
        EmitFieldSwitch(writer, model, $"static byte[]? {self}.SerializeField(int field, object? value)", f => $"{Formatters}.Serialize({f.Formatter}, value)");
        writer.WriteLine();
        EmitFieldSwitch(
            writer, model, $"static bool {self}.TryWriteField(int field, object? value, global::System.Buffers.IBufferWriter<byte> output)", f => $"{Formatters}.Write({f.Formatter}, value, output)");
        writer.WriteLine();
        writer.WriteLine(GeneratedCodeAttribute);
        writer.OpenBlock($"static bool {self}.TryDeserializeField(int field, global::System.ReadOnlyMemory<byte> data, out object? value)");
        writer.WriteLine("value = field switch");
        EmitSwitchArms(writer, model, f => $"{Formatters}.Deserialize({f.Formatter}, data)");
        writer.WriteLine("return true;");
        writer.CloseBlock();

        if (model.Formatters.Count > 0)
        {
            writer.WriteLine();
            EmitFormatterCache(writer, model.Formatters);
        }
    }

    /// <summary>
    /// The static fields that hold composed and object formatters, built once instead of at every write. Nullable
    /// reference annotations are off inside: a formatter of <c>ImmutableList&lt;string&gt;</c> serves a field of
    /// <c>ImmutableList&lt;string?&gt;</c> as well, and the annotations say nothing about the bytes.
    /// </summary>
    private static void EmitFormatterCache(SourceWriter writer, EquatableArray<FormatterModel> formatters)
    {
        writer.WriteLine(GeneratedCodeAttribute);
        writer.OpenBlock($"private static class {FormatterCache}");
        writer.WriteLine("#nullable disable");
        var first = true;
        foreach (var formatter in formatters)
        {
            if (!first)
            {
                writer.WriteLine();
            }

            first = false;
            var declaration = $"internal static readonly {FormatterType}<{formatter.Type}> {formatter.Name} =";
            if (formatter.Object is { } shape)
            {
                writer.WriteLine(declaration);
                writer.Indentation++;
                EmitObjectFormatter(writer, formatter.Type, shape);
                writer.Indentation--;
            }
            else
            {
                writer.WriteLine(declaration);
                writer.Indentation++;
                writer.WriteLine($"{formatter.Initializer};");
                writer.Indentation--;
            }
        }

        writer.WriteLine("#nullable enable");
        writer.CloseBlock();
    }

    /// <summary>
    /// <c>FieldFormatters.Object&lt;T&gt;(names, write, read)</c>: write stores every member in order; read loops over the
    /// stored members, then creates the value as <see cref="ObjectCreation"/> says.
    /// </summary>
    private static void EmitObjectFormatter(SourceWriter writer, string type, ObjectFormatterModel shape)
    {
        var members = shape.Members;
        var names = string.Join(", ", members.Select(m => Literal(m.Name)));
        writer.WriteLine($"{Formatters}.Object<{type}>(");
        writer.Indentation++;
        writer.WriteLine($"[{names}],");

        writer.WriteLine($"static (ref global::DashFlow.Internals.ObjectWriter writer, {type} value) =>");
        writer.WriteLine("{");
        writer.Indentation++;
        for (var i = 0; i < members.Count; i++)
        {
            writer.WriteLine($"writer.Write({i.ToString(CultureInfo.InvariantCulture)}, value.{members[i].Identifier}, {members[i].Formatter});");
        }

        writer.Indentation--;
        writer.WriteLine("},");

        writer.WriteLine("static (ref global::DashFlow.Internals.ObjectReader reader) =>");
        writer.WriteLine("{");
        writer.Indentation++;
        var scope = new Scope(["reader", "member", "value", "defaults"]);
        var locals = members.Select(m => scope.Claim(LocalName(m.Name))).ToList();
        var flags = members.Select(m => m.IsSetAfter && shape.Creation != ObjectCreation.InitializeAll ? scope.Claim("has" + m.Name) : null).ToList();
        for (var i = 0; i < members.Count; i++)
        {
            writer.WriteLine($"{members[i].Type} {locals[i]} = default;");
            if (flags[i] is { } flag)
            {
                writer.WriteLine($"bool {flag} = false;");
            }
        }

        if (members.Count > 0)
        {
            writer.OpenBlock("while (reader.TryReadMember(out var member))");
            writer.OpenBlock("switch (member)");
            for (var i = 0; i < members.Count; i++)
            {
                writer.WriteLine($"case {i.ToString(CultureInfo.InvariantCulture)}:");
                writer.Indentation++;
                writer.WriteLine($"{locals[i]} = reader.Read({members[i].Formatter});");
                if (flags[i] is { } flag)
                {
                    writer.WriteLine($"{flag} = true;");
                }

                writer.WriteLine("break;");
                writer.Indentation--;
            }

            writer.CloseBlock();
            writer.CloseBlock();
            writer.WriteLine();
        }

        var create = $"new {type}({string.Join(", ", shape.ConstructorArguments.Select(a => locals[a]))})";
        var setAfter = Enumerable.Range(0, members.Count).Where(i => members[i].IsSetAfter).ToList();
        switch (shape.Creation)
        {
            case ObjectCreation.Constructor:
                writer.WriteLine($"return {create};");
                break;
            case ObjectCreation.AssignStored:
                writer.WriteLine($"var value = {create};");
                foreach (var i in setAfter)
                {
                    writer.OpenBlock($"if ({flags[i]})");
                    writer.WriteLine($"value.{members[i].Identifier} = {locals[i]};");
                    writer.CloseBlock();
                    writer.WriteLine();
                }

                writer.WriteLine("return value;");
                break;
            case ObjectCreation.InitializeFromDefaults:
                // A member that is not stored keeps what the constructor and initializers give it, as when assigned.
                writer.WriteLine($"var defaults = {create};");
                writer.OpenBlock($"return {create}");
                foreach (var i in setAfter)
                {
                    writer.WriteLine($"{members[i].Identifier} = {flags[i]} ? {locals[i]} : defaults.{members[i].Identifier},");
                }

                writer.CloseBlock(";");
                break;
            case ObjectCreation.InitializeAll:
                writer.OpenBlock($"return {create}");
                foreach (var i in setAfter)
                {
                    writer.WriteLine($"{members[i].Identifier} = {locals[i]},");
                }

                writer.CloseBlock(";");
                break;
        }

        writer.Indentation--;
        writer.WriteLine("});");
        writer.Indentation--;
    }

    /// <summary>The local that holds a member while it is read: <c>Street</c> → <c>street</c>.</summary>
    private static string LocalName(string member) =>
        member.Length == 0 ? "stored" : char.ToLowerInvariant(member[0]) + member.Substring(1);
}
