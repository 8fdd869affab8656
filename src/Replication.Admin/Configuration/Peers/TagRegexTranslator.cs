using System.Text;
using Replication.Engine.Filters;

namespace Replication.Admin.Configuration.Peers;

/// <summary>
/// Turns a peer's tag regular expression into a tag pattern (<see cref="GlobPattern"/>) only when both select exactly
/// the same tags: literals, <c>.</c> (<c>?</c>), <c>.*</c> (<c>*</c>), <c>.+</c> (<c>?*</c>), <c>\d</c>, <c>\w</c>,
/// classes <c>[a-z]</c>, and alternatives <c>a|b</c> or <c>(a|b)</c> (<c>{a,b}</c>). Repetition of anything but
/// <c>.</c> (<c>\d+</c>, <c>[0-9]*</c>, <c>x?</c>, <c>{2}</c>) has no exact glob, so it is refused with the reason.
/// </summary>
public static class TagRegexTranslator
{
    /// <summary>Translates <paramref name="regex"/>; null with <paramref name="reason"/> when no tag pattern is exact.</summary>
    /// <param name="regex">The expression as written in the peer's file.</param>
    /// <param name="anchored">True when the peer matches the whole tag (regsync); false when it searches (skopeo, Go's MatchString).</param>
    /// <param name="reason">Why it cannot be translated.</param>
    public static string? Translate(string regex, bool anchored, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(regex);
        var body = regex;
        var start = body.StartsWith('^');
        var end = body.EndsWith('$') && !body.EndsWith("\\$", StringComparison.Ordinal);
        if (start)
        {
            body = body[1..];
        }

        if (end)
        {
            body = body[..^1];
        }

        try
        {
            var parser = new Parser(body);
            var glob = parser.ParseAlternatives(topLevel: true);
            if (parser.HadTopLevelAlternatives)
            {
                // Anchors bind tighter than '|' ('^a|b$' is '(^a)|(b$)'), whether written or added by the peer.
                throw new NotExactException("an alternative '|' outside a group is anchored at one end only; write (a|b)");
            }

            if (!anchored)
            {
                glob = (start ? "" : "*") + glob + (end ? "" : "*");
            }

            glob = glob.Replace("**", "*", StringComparison.Ordinal);
            if (GlobPattern.Validate(glob, GlobTarget.Tag) is { } invalid)
            {
                throw new NotExactException($"its translation '{glob}' is not a valid tag pattern ({invalid})");
            }

            reason = null;
            return glob;
        }
        catch (NotExactException exception)
        {
            reason = $"the regular expression '{regex}' has no exact tag pattern: {exception.Message}";
            return null;
        }
    }

    private sealed class NotExactException(string message) : Exception(message);

    private sealed class Parser(string text)
    {
        private int pos;

        public bool HadTopLevelAlternatives { get; private set; }

        public string ParseAlternatives(bool topLevel)
        {
            var alternatives = new List<string> { ParseSequence() };
            while (pos < text.Length && text[pos] == '|')
            {
                pos++;
                alternatives.Add(ParseSequence());
            }

            if (topLevel && pos < text.Length)
            {
                throw new NotExactException($"')' at position {pos + 1} has no matching '('");
            }

            if (alternatives.Count == 1)
            {
                return alternatives[0];
            }

            if (alternatives.Any(a => a.Length == 0))
            {
                throw new NotExactException("an empty alternative (optional part) has no tag pattern");
            }

            HadTopLevelAlternatives |= topLevel;
            return "{" + string.Join(",", alternatives) + "}";
        }

        private string ParseSequence()
        {
            var glob = new StringBuilder();
            while (pos < text.Length && text[pos] is not ('|' or ')'))
            {
                var c = text[pos++];
                string atom;
                switch (c)
                {
                    case '.':
                        if (Peek() == '*')
                        {
                            pos++;
                            glob.Append('*');
                            continue;
                        }

                        if (Peek() == '+')
                        {
                            pos++;
                            glob.Append("?*");
                            continue;
                        }

                        atom = "?";
                        break;
                    case '\\':
                        atom = Escape();
                        break;
                    case '[':
                        atom = CharacterClass();
                        break;
                    case '(':
                        if (text.AsSpan(pos).StartsWith("?:"))
                        {
                            pos += 2;
                        }
                        else if (Peek() == '?')
                        {
                            throw new NotExactException("flags and look-arounds '(?' have no tag pattern");
                        }

                        atom = ParseAlternatives(topLevel: false);
                        if (Peek() != ')')
                        {
                            throw new NotExactException("a '(' is not closed");
                        }

                        pos++;
                        break;
                    case '^' or '$':
                        throw new NotExactException($"'{c}' in the middle of the expression");
                    case '*' or '+' or '?' or '{':
                        throw new NotExactException($"'{c}' at position {pos} repeats nothing a tag pattern can repeat");
                    default:
                        if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                        {
                            throw new NotExactException($"'{c}' never occurs in a tag");
                        }

                        atom = c.ToString();
                        break;
                }

                if (Peek() is '*' or '+' or '?' or '{')
                {
                    throw new NotExactException($"'{Peek()}' after '{text[..pos][^Math.Min(pos, 6)..]}' repeats a part; a tag pattern only has '*' (any characters) and '?' (one character)");
                }

                glob.Append(atom);
            }

            return glob.ToString();
        }

        private char? Peek() => pos < text.Length ? text[pos] : null;

        private string Escape()
        {
            if (pos >= text.Length)
            {
                throw new NotExactException("it ends with '\\'");
            }

            var c = text[pos++];
            return c switch
            {
                'd' => "[0-9]",
                'w' => "[A-Za-z0-9_]",
                '.' or '-' or '_' => c.ToString(),
                _ when char.IsAsciiLetterOrDigit(c) => throw new NotExactException($"'\\{c}' has no tag pattern"),
                _ => throw new NotExactException($"'\\{c}' never occurs in a tag"),
            };
        }

        private string CharacterClass()
        {
            var glob = new StringBuilder("[");
            if (Peek() == '^')
            {
                pos++;
                glob.Append('!');
            }

            var members = 0;
            while (pos < text.Length && text[pos] != ']')
            {
                var c = text[pos++];
                if (c == '\\' && pos < text.Length && text[pos] is '.' or '_')
                {
                    c = text[pos++];
                }
                else if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' || (c == '-' && members > 0 && Peek() is { } next && next != ']')))
                {
                    throw new NotExactException($"the class member '{c}' has no tag pattern");
                }

                glob.Append(c);
                members++;
            }

            if (pos >= text.Length || members == 0)
            {
                throw new NotExactException("a '[' class is empty or not closed");
            }

            pos++;
            return glob.Append(']').ToString();
        }
    }
}
