using System.Text.Json;

namespace Replication.Registry.Http;

/// <summary>Reads the OCI error body <c>{"errors":[{"code":"…","message":"…","detail":…}]}</c>.</summary>
public static class RegistryErrorBody
{
    public static IReadOnlyList<RegistryError> Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return [];
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("errors", out var errors)
                || errors.ValueKind != JsonValueKind.Array)
            {
                return [];
            }

            var list = new List<RegistryError>();
            foreach (var e in errors.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var code = e.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "UNKNOWN";
                var message = e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
                string? detail = e.TryGetProperty("detail", out var d) && d.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
                    ? d.ValueKind == JsonValueKind.String ? d.GetString() : d.GetRawText()
                    : null;
                list.Add(new RegistryError(code, message) { Detail = detail });
            }

            return list;
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
