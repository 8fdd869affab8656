using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Replication.Admin.Configuration;

/// <summary>Reads and writes YAML; every problem of a file becomes a <see cref="ConfigSyntaxException"/> with its line and column.</summary>
public static partial class ConfigYaml
{
    /// <summary>Largest file accepted: a configuration, not a data dump.</summary>
    public const int MaxLength = 1024 * 1024;

    private const string Header =
        "# Replication Admin configuration: registries (without their passwords) and replication rules, keyed by name.\n" +
        "# Import with POST /api/v1/config?dryRun=true (then dryRun=false) or Import on the Rules page. A registry's\n" +
        "# password is kept when it is already saved; otherwise give it in the import dialog or name an environment\n" +
        "# variable of the server with passwordFromEnv.\n";

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull | DefaultValuesHandling.OmitEmptyCollections)
        .DisableAliases()
        .Build();

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    public static string Write(ConfigDocument document) => Header + Serializer.Serialize(document);

    /// <summary>Our own format; unknown keys and wrong types are errors, not silently ignored.</summary>
    public static ConfigDocument ReadDocument(string text)
    {
        CheckLength(text);
        try
        {
            return Deserializer.Deserialize<ConfigDocument?>(text) ?? new ConfigDocument();
        }
        catch (YamlException exception)
        {
            throw new ConfigSyntaxException(exception.Start.Line, exception.Start.Column, Explain(exception, KeyAt(text, exception.Start)));
        }
    }

    /// <summary>The node tree of a peer's file (anchors, aliases and merge keys resolved), for readers that walk it.</summary>
    public static YamlNode? ReadTree(string text)
    {
        CheckLength(text);
        try
        {
            var stream = new YamlStream();
            stream.Load(new MergingParser(new Parser(new StringReader(text))));
            return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }
        catch (YamlException exception)
        {
            throw new ConfigSyntaxException(exception.Start.Line, exception.Start.Column, Explain(exception));
        }
    }

    private static void CheckLength(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw new ConfigSyntaxException(1, 1, $"The file is {text.Length / 1024} KiB; at most {MaxLength / 1024} KiB are accepted.");
        }
    }

    /// <summary>YamlDotNet's message in the words of the file, without .NET type names.</summary>
    private static string Explain(YamlException exception, string? key = null)
    {
        var message = exception.InnerException is { } inner && exception.Message.StartsWith("Exception during deserialization", StringComparison.Ordinal)
            ? inner.Message
            : exception.Message;
        if (UnknownProperty().Match(message) is { Success: true } unknown)
        {
            return $"'{unknown.Groups[1].Value}' is not a known key here. Check its spelling and indentation (see README, \"Rules as code\").";
        }

        var named = key is null ? "" : $" for '{key}'";
        if (message.Contains("Failed to create an instance", StringComparison.Ordinal) || message.Contains("Expected 'SequenceStart'", StringComparison.Ordinal)
            || CastTo().Match(message) is { Success: true } cast && cast.Groups[1].Value.StartsWith("System.Collections.", StringComparison.Ordinal))
        {
            return $"A list was expected here{named} (entries starting with '- ', or [a, b]).";
        }

        if (message.Contains("Expected 'MappingStart'", StringComparison.Ordinal) || CastTo().IsMatch(message))
        {
            return $"A mapping was expected here{named} (key: value lines, or {{key: value}}).";
        }

        if (NotANumber().Match(message) is { Success: true } number)
        {
            return $"'{number.Groups[1].Value}' is not a whole number{named}. Write digits only (e.g. 2048), or leave the key out for its default.";
        }

        return LocationPrefix().Replace(message, "").Trim();
    }

    /// <summary>The key whose value starts at <paramref name="mark"/> (<c>newest</c> in <c>tags: {newest: many}</c>), if the line shows one.</summary>
    private static string? KeyAt(string text, Mark mark)
    {
        var lines = text.Split('\n');
        if (mark.Line < 1 || mark.Line > lines.Length)
        {
            return null;
        }

        var line = lines[mark.Line - 1];
        var before = line[..(int)Math.Clamp(mark.Column - 1, 0, line.Length)];
        return KeyBefore().Match(before) is { Success: true } match ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"([A-Za-z][A-Za-z0-9]*)\s*:\s*$")]
    private static partial Regex KeyBefore();

    [GeneratedRegex("Invalid cast from '[^']*' to '([^']*)'")]
    private static partial Regex CastTo();

    [GeneratedRegex("The input string '([^']*)' was not in a correct format")]
    private static partial Regex NotANumber();

    [GeneratedRegex("Property '([^']*)' not found on type")]
    private static partial Regex UnknownProperty();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex LocationPrefix();
}

/// <summary>A file that cannot be read: where (1-based line and column) and what is wrong.</summary>
public sealed class ConfigSyntaxException(long line, long column, string problem)
    : Exception($"Line {line}, column {column}: {problem}")
{
    public int Line { get; } = (int)line;

    public int Column { get; } = (int)column;

    public string Problem { get; } = problem;

    public static ConfigSyntaxException At(YamlNode node, string problem)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new ConfigSyntaxException(node.Start.Line, node.Start.Column, problem);
    }
}
