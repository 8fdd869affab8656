namespace Replication.Registry.Tests.Support;

internal static class Poll
{
    /// <summary>Waits for a condition, failing the test with <paramref name="what"/> after the deadline.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(10);
        }
    }
}
