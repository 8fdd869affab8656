using System.Text;

namespace Replication.Registry.Auth;

/// <summary>One challenge of a <c>WWW-Authenticate</c> header: a scheme (Basic, Bearer) and its parameters.</summary>
public sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? Realm => Parameters.GetValueOrDefault("realm");

    public string? Service => Parameters.GetValueOrDefault("service");

    /// <summary>Space-separated scopes the registry asked for (Docker token spec).</summary>
    public string? Scope => Parameters.GetValueOrDefault("scope");

    /// <summary>
    /// Parses every challenge of one or more header values (RFC 9110 §11.6.1): several challenges may share a header,
    /// separated by commas, and quoted values may themselves hold commas (<c>scope="repository:a:pull,push"</c>).
    /// </summary>
    public static IReadOnlyList<AuthChallenge> Parse(IEnumerable<string> headerValues)
    {
        var result = new List<AuthChallenge>();
        foreach (var value in headerValues)
        {
            new ChallengeReader(value).ReadAll(result);
        }

        return result;
    }

    public static IReadOnlyList<AuthChallenge> Parse(string headerValue) => Parse([headerValue]);

    private ref struct ChallengeReader(string text)
    {
        private readonly string _text = text;
        private int _pos;

        public void ReadAll(List<AuthChallenge> into)
        {
            while (true)
            {
                SkipSeparators();
                var scheme = ReadToken();
                if (scheme.Length == 0)
                {
                    return;
                }

                var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                SkipSpaces();
                ReadParameters(parameters);
                into.Add(new AuthChallenge(scheme, parameters));
            }
        }

        private void ReadParameters(Dictionary<string, string> parameters)
        {
            var first = true;
            while (_pos < _text.Length)
            {
                var start = _pos;
                var name = ReadToken();
                SkipSpaces();
                if (name.Length == 0 || Peek() != '=')
                {
                    // Either the next challenge's scheme, or a token68 right after the scheme (Basic dXNlcg==).
                    if (first && name.Length > 0 && (Peek() is '\0' or ','))
                    {
                        parameters[""] = name;
                        SkipSeparators();
                        return;
                    }

                    _pos = start;
                    return;
                }

                _pos++; // '='
                if (first && (Peek() is '=' or '\0' or ','))
                {
                    // token68 ending in '=' padding.
                    while (Peek() == '=')
                    {
                        _pos++;
                    }

                    parameters[""] = _text[start.._pos].Trim();
                    SkipSeparators();
                    return;
                }

                SkipSpaces();
                parameters[name] = Peek() == '"' ? ReadQuoted() : ReadBareValue();
                first = false;
                SkipSpaces();
                if (Peek() != ',')
                {
                    return;
                }

                SkipSeparators();
            }
        }

        private string ReadQuoted()
        {
            var sb = new StringBuilder();
            _pos++; // opening quote
            while (_pos < _text.Length)
            {
                var c = _text[_pos++];
                if (c == '\\' && _pos < _text.Length)
                {
                    sb.Append(_text[_pos++]);
                }
                else if (c == '"')
                {
                    break;
                }
                else
                {
                    sb.Append(c);
                }
            }

            return sb.ToString();
        }

        // Strictly a token; read leniently up to the next comma or space, since realms such as https://a/token arrive unquoted.
        private string ReadBareValue()
        {
            var start = _pos;
            while (_pos < _text.Length && _text[_pos] is not (',' or ' ' or '\t'))
            {
                _pos++;
            }

            return _text[start.._pos];
        }

        private string ReadToken()
        {
            var start = _pos;
            while (_pos < _text.Length && IsTokenChar(_text[_pos]))
            {
                _pos++;
            }

            return _text[start.._pos];
        }

        private readonly char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

        private void SkipSpaces()
        {
            while (_pos < _text.Length && _text[_pos] is ' ' or '\t')
            {
                _pos++;
            }
        }

        private void SkipSeparators()
        {
            while (_pos < _text.Length && _text[_pos] is ' ' or '\t' or ',')
            {
                _pos++;
            }
        }

        // RFC 9110 tchar, plus '/' so token68 bodies read as one piece.
        private static bool IsTokenChar(char c) =>
            char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~' or '/';
    }
}
