namespace Replication.Registry.Http;

/// <summary>RFC 8288 <c>Link</c> headers as registries use them for paging: <c>&lt;/v2/_catalog?last=b&amp;n=10&gt;; rel="next"</c>.</summary>
public static class LinkHeader
{
    /// <summary>The target of the first <c>rel="next"</c> link, resolved against the request URI (registries send relative and absolute ones).</summary>
    public static Uri? FindNext(IEnumerable<string> headerValues, Uri requestUri)
    {
        foreach (var value in headerValues)
        {
            var pos = 0;
            while (pos < value.Length)
            {
                var open = value.IndexOf('<', pos);
                if (open < 0)
                {
                    break;
                }

                var close = value.IndexOf('>', open + 1);
                if (close < 0)
                {
                    break;
                }

                var target = value[(open + 1)..close].Trim();
                var end = FindLinkEnd(value, close + 1);
                var parameters = value[(close + 1)..end];
                if (HasRelNext(parameters) && Uri.TryCreate(requestUri, target, out var uri))
                {
                    return uri;
                }

                pos = end + 1;
            }
        }

        return null;
    }

    /// <summary>The <c>last</c> query parameter of a next link: the cursor a caller passes back for the following page.</summary>
    public static string? LastCursor(Uri next)
    {
        foreach (var pair in next.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var name = eq < 0 ? pair : pair[..eq];
            if (name == "last")
            {
                return eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            }
        }

        return null;
    }

    // A link's parameters run to the next comma that is outside quotes and not inside the next <...>.
    private static int FindLinkEnd(string value, int start)
    {
        var quoted = false;
        for (var i = start; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                return i;
            }
        }

        return value.Length;
    }

    private static bool HasRelNext(string parameters)
    {
        foreach (var raw in parameters.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = raw.IndexOf('=');
            if (eq < 0 || !raw[..eq].Trim().Equals("rel", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var rels = raw[(eq + 1)..].Trim().Trim('"');
            if (rels.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(r => r.Equals("next", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }
}
