using System.Text;
using System.Text.RegularExpressions;

namespace Replication.Engine.Filters;

/// <summary>What a pattern is matched against: the characters each allows differ.</summary>
public enum GlobTarget
{
    /// <summary>A repository path relative to the project (<c>sub/app</c>): lowercase, digits, <c>._-</c> and <c>/</c>.</summary>
    Repository,

    /// <summary>A tag (<c>v1.2-alpine</c>): letters, digits and <c>._-</c>; never <c>/</c>.</summary>
    Tag,
}

/// <summary>
/// A glob pattern for repository paths or tags, the syntax a registry administrator knows from Harbor:
/// <c>*</c> any characters within one path segment, <c>**</c> any characters across segments (<c>**/</c> also
/// matches no segment at all), <c>?</c> one character, <c>{a,b}</c> either alternative (nestable),
/// <c>[abc]</c>, <c>[a-z]</c>, <c>[!a]</c> one character of (or not of) a set. Everything else matches itself.
/// Matching is exact and case-sensitive over the whole value.
/// </summary>
/// <remarks>
/// Written here rather than taken from a package, because neither one that fits does the job: DotNet.Glob has no
/// <c>{a,b}</c> alternatives, which Harbor's filters (Go's doublestar) accept and rules copied from Harbor use; and
/// Microsoft.Extensions.FileSystemGlobbing matches file paths under a directory (no <c>{a,b}</c>, no <c>[a-z]</c>, and
/// it has no notion of a tag). Neither says which character of a pattern is wrong in the administrator's words, which
/// the rule dialog shows beside the field. A pattern compiles to one non-backtracking regular expression, so none is slow.
/// </remarks>
public sealed class GlobPattern
{
    /// <summary>Longest pattern accepted; longer ones are a typing accident, not a filter.</summary>
    public const int MaxLength = 255;

    private readonly Regex _regex;

    private GlobPattern(string text, GlobTarget target, Regex regex)
    {
        Text = text;
        Target = target;
        _regex = regex;
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>What the pattern matches against.</summary>
    public GlobTarget Target { get; }

    /// <summary>True when the pattern has no wildcard, alternative or set: it names exactly one value.</summary>
    public bool IsLiteral => Text.IndexOfAny(['*', '?', '{', '[']) < 0;

    /// <summary>Parses a pattern, throwing <see cref="GlobPatternException"/> with a message that says what is wrong.</summary>
    public static GlobPattern Parse(string pattern, GlobTarget target)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var regex = new GlobTranslator(pattern, target).Translate();
        return new GlobPattern(pattern, target, new Regex(
            regex,
            RegexOptions.CultureInvariant | RegexOptions.NonBacktracking,
            TimeSpan.FromSeconds(1)));
    }

    /// <summary>Parses a pattern; on failure <paramref name="error"/> says what is wrong and how to fix it.</summary>
    public static bool TryParse(string? pattern, GlobTarget target, out GlobPattern? result, out string? error)
    {
        try
        {
            result = Parse(pattern ?? "", target);
            error = null;
            return true;
        }
        catch (GlobPatternException ex)
        {
            result = null;
            error = ex.Message;
            return false;
        }
    }

    /// <summary>Null when the pattern is valid, else what is wrong with it.</summary>
    public static string? Validate(string? pattern, GlobTarget target) =>
        TryParse(pattern, target, out _, out var error) ? null : error;

    /// <summary>True when the whole <paramref name="value"/> matches.</summary>
    public bool IsMatch(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return _regex.IsMatch(value);
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    /// <summary>Recursive-descent translation of a glob into an anchored regular expression.</summary>
    private sealed class GlobTranslator(string pattern, GlobTarget target)
    {
        private readonly StringBuilder _regex = new("^");
        private int _pos;

        public string Translate()
        {
            if (pattern.Length == 0)
            {
                throw Error("The pattern is empty; remove it or write * to match everything.");
            }

            if (pattern.Length > MaxLength)
            {
                throw Error($"The pattern is {pattern.Length} characters long; at most {MaxLength} are allowed.");
            }

            if (target == GlobTarget.Repository)
            {
                CheckRepositoryShape();
            }

            ParseSequence();
            if (_pos < pattern.Length)
            {
                // Only a stray '}' or ',' stops a top-level sequence.
                throw pattern[_pos] == '}'
                    ? Error($"'}}' at position {_pos + 1} has no matching '{{'.")
                    : Error($"',' at position {_pos + 1} is only meaningful inside {{a,b}}; write one pattern per entry or {{a,b}}.");
            }

            return _regex.Append('$').ToString();
        }

        private void CheckRepositoryShape()
        {
            if (pattern.StartsWith('/') || pattern.EndsWith('/'))
            {
                throw Error("A repository pattern cannot start or end with '/'; it is relative to the project (e.g. app or sub/*).");
            }

            if (pattern.Contains("//", StringComparison.Ordinal))
            {
                throw Error("A repository pattern cannot contain an empty path segment ('//').");
            }
        }

        private void ParseSequence()
        {
            while (_pos < pattern.Length)
            {
                var c = pattern[_pos];
                switch (c)
                {
                    case '*':
                        ParseStars();
                        break;
                    case '?':
                        _regex.Append("[^/]");
                        _pos++;
                        break;
                    case '{':
                        ParseAlternatives();
                        break;
                    case '[':
                        ParseSet();
                        break;
                    case '}' or ',':
                        // Ends an alternative; at top level Translate reports it as stray.
                        return;
                    case ']':
                        throw Error($"']' at position {_pos + 1} has no matching '['.");
                    default:
                        AppendLiteral(c);
                        _pos++;
                        break;
                }
            }
        }

        private void ParseStars()
        {
            var start = _pos;
            while (_pos < pattern.Length && pattern[_pos] == '*')
            {
                _pos++;
            }

            var count = _pos - start;
            if (count > 2)
            {
                throw Error($"'{new string('*', count)}' at position {start + 1} is not a wildcard; use * (one segment) or ** (any depth).");
            }

            if (count == 1)
            {
                _regex.Append("[^/]*");
                return;
            }

            if (target == GlobTarget.Tag)
            {
                // Tags have no segments: ** is simply "anything".
                _regex.Append(".*");
                return;
            }

            var atSegmentStart = start == 0 || pattern[start - 1] == '/';
            var followedBySlash = _pos < pattern.Length && pattern[_pos] == '/';
            var atEnd = _pos == pattern.Length;
            if (atSegmentStart && followedBySlash)
            {
                // "**/x" also matches "x": zero or more whole segments.
                _regex.Append("(?:.*/)?");
                _pos++;
            }
            else if (atSegmentStart && atEnd && start > 0)
            {
                // "x/**" matches "x" and everything below it; the '/' before was already emitted.
                _regex.Length -= 1;
                _regex.Append("(?:/.*)?");
            }
            else
            {
                _regex.Append(".*");
            }
        }

        private void ParseAlternatives()
        {
            var open = _pos;
            _pos++;
            _regex.Append("(?:");
            while (true)
            {
                ParseSequence();
                if (_pos >= pattern.Length)
                {
                    throw Error($"'{{' at position {open + 1} is never closed; write {{a,b}}.");
                }

                if (pattern[_pos] == ',')
                {
                    _regex.Append('|');
                    _pos++;
                    continue;
                }

                // '}'
                _pos++;
                _regex.Append(')');
                return;
            }
        }

        private void ParseSet()
        {
            var open = _pos;
            _pos++;
            var negated = _pos < pattern.Length && pattern[_pos] is '!' or '^';
            if (negated)
            {
                _pos++;
            }

            var members = new StringBuilder();
            var count = 0;
            while (_pos < pattern.Length && pattern[_pos] != ']')
            {
                var c = pattern[_pos];
                if (c == '/' || char.IsWhiteSpace(c) || c is '[' or '{' or '}' or '*' or '?')
                {
                    throw Error($"'{c}' cannot appear inside [...] (position {_pos + 1}).");
                }

                if (c == '-' && count > 0 && _pos + 1 < pattern.Length && pattern[_pos + 1] != ']')
                {
                    var from = pattern[_pos - 1];
                    var to = pattern[_pos + 1];
                    if (to < from)
                    {
                        throw Error($"The range '{from}-{to}' at position {_pos} is backwards; write '{to}-{from}'.");
                    }

                    members.Append('-');
                    _pos++;
                    continue;
                }

                members.Append(Regex.Escape(c.ToString()).Replace("]", "\\]", StringComparison.Ordinal).Replace("-", "\\-", StringComparison.Ordinal));
                count++;
                _pos++;
            }

            if (_pos >= pattern.Length)
            {
                throw Error($"'[' at position {open + 1} is never closed; write [abc] or [a-z].");
            }

            if (count == 0)
            {
                throw Error($"'[]' at position {open + 1} is empty; list at least one character, e.g. [0-9].");
            }

            _pos++;
            _regex.Append(negated ? "[^/" : "[").Append(members).Append(']');
        }

        private void AppendLiteral(char c)
        {
            if (char.IsWhiteSpace(c))
            {
                throw Error($"The pattern contains a space at position {_pos + 1}; names never do.");
            }

            if (c == '\\')
            {
                throw Error($"'\\' at position {_pos + 1} is not allowed; names contain no characters that need escaping.");
            }

            if (target == GlobTarget.Repository)
            {
                if (char.IsAsciiLetterUpper(c))
                {
                    throw Error($"'{c}' at position {_pos + 1}: repository names are lowercase; write '{char.ToLowerInvariant(c)}'.");
                }

                if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-' or '/'))
                {
                    throw Error($"'{c}' at position {_pos + 1} never appears in a repository name (allowed: a-z, 0-9, '.', '_', '-', '/').");
                }
            }
            else
            {
                if (c == '/')
                {
                    throw Error($"'/' at position {_pos + 1}: tags cannot contain '/'; put path patterns in the repository filter.");
                }

                if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                {
                    throw Error($"'{c}' at position {_pos + 1} never appears in a tag (allowed: letters, digits, '.', '_', '-').");
                }
            }

            _regex.Append(Regex.Escape(c.ToString()));
        }

        private GlobPatternException Error(string message) => new(pattern, message);
    }
}

/// <summary>A glob pattern that cannot be used; <see cref="Exception.Message"/> says what is wrong and how to fix it.</summary>
public sealed class GlobPatternException : FormatException
{
    /// <summary>Creates the exception for <paramref name="pattern"/>.</summary>
    public GlobPatternException(string pattern, string message)
        : base(message)
    {
        Pattern = pattern;
    }

    /// <summary>The pattern as written.</summary>
    public string Pattern { get; }
}
