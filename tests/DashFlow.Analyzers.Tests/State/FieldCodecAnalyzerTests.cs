using Verify = DashFlow.Analyzers.Tests.Infrastructure.AnalyzerVerifier<DashFlow.Analyzers.State.GraphStateAnalyzer>;

namespace DashFlow.Analyzers.Tests.State;

/// <summary>
/// DFLOW0004 for a <c>[FieldCodec(typeof(...))]</c> on a state field that cannot store it, one case per reason, and the
/// codecs that can (including the shapes that look wrong but work: the codec's members are static, so it is never created).
/// </summary>
public sealed class FieldCodecAnalyzerTests
{
    private const string Usings = Infrastructure.TestSetup.Usings + """
        using System;
        using System.Buffers;
        using DashFlow.Persistence;

        """;

    [Fact]
    public Task A_codec_that_implements_no_IFieldCodec_is_reported_with_the_reason() => Verify.VerifyAsync(
        Usings + """
        public sealed class NotACodec { }

        [GraphState]
        public partial record S
        {
            [FieldCodec(typeof(NotACodec))] public string {|#0:Name|} { get; init; } = "";
        }
        """,
        Verify.Diagnostic(DiagnosticDescriptors.NotSerializable).WithLocation(0).WithMessage(
            "Field 'Name' of 'S' has [FieldCodec(typeof(NotACodec))], but 'NotACodec' does not implement IFieldCodec<string>, so the field is " +
            "stored as if it had no codec. Name a class or struct that 'S' can see and that implements IFieldCodec<string>."));

    [Fact]
    public Task A_codec_for_another_type_is_reported_naming_the_type_it_stores() => Verify.VerifyAsync(
        Usings + """
        public sealed class IntCodec : IFieldCodec<int>
        {
            public static void Write(IBufferWriter<byte> output, int value) { }
            public static int Read(ReadOnlySpan<byte> data) => 0;
        }

        [GraphState]
        public partial record S
        {
            [FieldCodec(typeof(IntCodec))] public string {|#0:Name|} { get; init; } = "";
            [FieldCodec(typeof(IntCodec))] public long? {|#1:Count|} { get; init; }
        }
        """,
        Verify.Diagnostic(DiagnosticDescriptors.NotSerializable).WithLocation(0).WithMessage(
            "Field 'Name' of 'S' has [FieldCodec(typeof(IntCodec))], but 'IntCodec' implements IFieldCodec<int>, not IFieldCodec<string>, so the " +
            "field is stored as if it had no codec. Name a class or struct that 'S' can see and that implements IFieldCodec<string>."),
        Verify.Diagnostic(DiagnosticDescriptors.NotSerializable).WithLocation(1).WithMessage(
            "Field 'Count' of 'S' has [FieldCodec(typeof(IntCodec))], but 'IntCodec' implements IFieldCodec<int>, not IFieldCodec<long?>, so the " +
            "field is stored as if it had no codec. Name a class or struct that 'S' can see and that implements IFieldCodec<long?>."));

    [Fact]
    public Task An_interface_an_open_generic_type_and_an_enum_are_not_codecs() => Verify.VerifyAsync(
        Usings + """
        public interface IStringCodec : IFieldCodec<string> { }

        public sealed class AnyCodec<T> : IFieldCodec<T>
        {
            public static void Write(IBufferWriter<byte> output, T value) { }
            public static T Read(ReadOnlySpan<byte> data) => default!;
        }

        public enum Mode { A }

        [GraphState]
        public partial record S
        {
            [FieldCodec(typeof(IStringCodec))] public string {|#0:Interface|} { get; init; } = "";
            [FieldCodec(typeof(AnyCodec<>))] public string {|#1:Open|} { get; init; } = "";
            [FieldCodec(typeof(Mode))] public string {|#2:Enum|} { get; init; } = "";
        }
        """,
        Verify.Diagnostic(DiagnosticDescriptors.NotSerializable).WithLocation(0).WithMessage(
            "Field 'Interface' of 'S' has [FieldCodec(typeof(IStringCodec))], but 'IStringCodec' is an interface, so the field is stored as if it had " +
            "no codec. Name a class or struct that 'S' can see and that implements IFieldCodec<string>."),
        Verify.Diagnostic(DiagnosticDescriptors.NotSerializable).WithLocation(1).WithMessage(
            "Field 'Open' of 'S' has [FieldCodec(typeof(AnyCodec<>))], but 'AnyCodec<>' is an open generic type, so the field is stored as if it had " +
            "no codec. Name a class or struct that 'S' can see and that implements IFieldCodec<string>."),
        Verify.Diagnostic(DiagnosticDescriptors.NotSerializable).WithLocation(2).WithMessage(
            "Field 'Enum' of 'S' has [FieldCodec(typeof(Mode))], but 'Mode' is not a class or struct, so the field is stored as if it had no codec. " +
            "Name a class or struct that 'S' can see and that implements IFieldCodec<string>."));

    [Fact]
    public Task An_invalid_codec_on_a_field_nothing_else_can_store_is_reported_for_both() => Verify.VerifyAsync(Usings + """
        public interface IService { }

        public sealed class IntCodec : IFieldCodec<int>
        {
            public static void Write(IBufferWriter<byte> output, int value) { }
            public static int Read(ReadOnlySpan<byte> data) => 0;
        }

        [GraphState]
        public partial record S
        {
            [FieldCodec(typeof(IntCodec))] public {|DFLOW0004:IService?|} {|DFLOW0004:Service|} { get; init; }
        }
        """);

    [Fact]
    public Task Codecs_that_fit_are_not_reported_whatever_their_constructors_or_abstractness() => Verify.VerifyAsync(Usings + """
        public interface IService { }

        public sealed class Upper : IFieldCodec<string>
        {
            public static void Write(IBufferWriter<byte> output, string value) { }
            public static string Read(ReadOnlySpan<byte> data) => "";
        }

        // Never created: its members are static, so neither a constructor nor abstract matters.
        public abstract class AbstractCodec : IFieldCodec<string>
        {
            public static void Write(IBufferWriter<byte> output, string value) { }
            public static string Read(ReadOnlySpan<byte> data) => "";
        }

        public sealed class NoPublicConstructor : IFieldCodec<string>
        {
            private NoPublicConstructor(int unused) { }
            public static void Write(IBufferWriter<byte> output, string value) { }
            public static string Read(ReadOnlySpan<byte> data) => "";
        }

        public readonly struct StructCodec : IFieldCodec<decimal>
        {
            public static void Write(IBufferWriter<byte> output, decimal value) { }
            public static decimal Read(ReadOnlySpan<byte> data) => 0m;
        }

        public sealed class ServiceCodec : IFieldCodec<IService>
        {
            public static void Write(IBufferWriter<byte> output, IService value) { }
            public static IService Read(ReadOnlySpan<byte> data) => null!;
        }

        public sealed class ClosedCodec<T> : IFieldCodec<ImmutableList<T>>
        {
            public static void Write(IBufferWriter<byte> output, ImmutableList<T> value) { }
            public static ImmutableList<T> Read(ReadOnlySpan<byte> data) => [];
        }

        [GraphState]
        public partial record S
        {
            [FieldCodec(typeof(Upper))] public string Plain { get; init; } = "";
            [FieldCodec(typeof(Upper))] public string? Nullable { get; init; }
            [FieldCodec(typeof(AbstractCodec))] public string Abstract { get; init; } = "";
            [FieldCodec(typeof(NoPublicConstructor))] public string Hidden { get; init; } = "";
            [FieldCodec(typeof(StructCodec))] public decimal Struct { get; init; }
            [FieldCodec(typeof(StructCodec))] public decimal? Underlying { get; init; }
            [FieldCodec(typeof(ServiceCodec))] public IService? Service { get; init; }
            [FieldCodec(typeof(ClosedCodec<int>))] public ImmutableList<int> Closed { get; init; } = [];
            [FieldCodec(typeof(Nested))] public string Private { get; init; } = "";

            private sealed class Nested : IFieldCodec<string>
            {
                public static void Write(IBufferWriter<byte> output, string value) { }
                public static string Read(ReadOnlySpan<byte> data) => "";
            }
        }
        """);

    [Fact]
    public Task A_codec_type_that_does_not_exist_is_left_to_the_compiler() => Verify.VerifyAsync(Usings + """
        [GraphState]
        public partial record S
        {
            [FieldCodec(typeof({|CS0246:Missing|}))] public string Name { get; init; } = "";
        }
        """);
}
