using System.Globalization;

namespace Replication.Registry.Http;

/// <summary>The <c>Range</c> header of an upload session (<c>0-1048575</c>): how many bytes the registry holds.</summary>
public static class UploadRange
{
    /// <summary>
    /// Bytes received so far: the inclusive end plus one. Distribution answers <c>0-0</c> for an empty session too, so
    /// <c>0-0</c> reads as zero bytes; resending one byte is harmless, skipping one would corrupt the blob.
    /// Null when the header is missing or malformed.
    /// </summary>
    public static long? ReceivedBytes(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        var value = header.Trim();
        if (value.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            value = value[6..];
        }

        var dash = value.IndexOf('-');
        if (dash <= 0
            || !long.TryParse(value[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !long.TryParse(value[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var end)
            || start != 0 || end < start)
        {
            return null;
        }

        return end == 0 ? 0 : end + 1;
    }

    /// <summary>The <c>Content-Range</c> of a PATCH carrying <paramref name="length"/> bytes from <paramref name="offset"/> (inclusive end, no unit, as the distribution spec writes it).</summary>
    public static string ContentRange(long offset, long length) =>
        string.Create(CultureInfo.InvariantCulture, $"{offset}-{offset + length - 1}");
}
