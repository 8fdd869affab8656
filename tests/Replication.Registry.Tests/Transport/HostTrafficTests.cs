using Microsoft.Extensions.Time.Testing;
using Replication.Registry.Http;

namespace Replication.Registry.Tests.Transport;

public class HostTrafficTests
{
    [Fact]
    public async Task A_pause_holds_back_every_request_to_the_host_until_it_ends()
    {
        var time = new FakeTimeProvider();
        using var table = new HostTrafficTable(4, time);
        var host = table.For(new Uri("http://127.0.0.1:5000/v2/a/blobs/x"));
        Assert.Same(host, table.For(new Uri("http://127.0.0.1:5000/v2/b/manifests/y")));

        host.Pause(TimeSpan.FromSeconds(30));
        var first = host.EnterAsync(CancellationToken.None).AsTask();
        var second = table.For(new Uri("http://127.0.0.1:5000/v2/")).EnterAsync(CancellationToken.None).AsTask();
        var otherHost = table.For(new Uri("http://127.0.0.1:5001/v2/")).EnterAsync(CancellationToken.None).AsTask();

        Assert.True(otherHost.IsCompletedSuccessfully);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1));
        (await first).Dispose();
        (await second).Dispose();
        (await otherHost).Dispose();
    }

    [Fact]
    public void A_shorter_pause_never_cuts_a_longer_one()
    {
        var time = new FakeTimeProvider();
        using var host = new HostTraffic(1, time);

        host.Pause(TimeSpan.FromSeconds(10));
        host.Pause(TimeSpan.FromSeconds(2));

        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(10), host.PausedUntil);
    }

    [Fact]
    public async Task Requests_beyond_the_per_host_limit_wait_for_a_free_slot()
    {
        using var host = new HostTraffic(2, TimeProvider.System);
        var a = await host.EnterAsync(CancellationToken.None);
        var b = await host.EnterAsync(CancellationToken.None);
        var c = host.EnterAsync(CancellationToken.None).AsTask();

        Assert.False(c.IsCompleted);
        a.Dispose();
        a.Dispose(); // releasing twice must not free two slots
        (await c).Dispose();
        b.Dispose();
        Assert.Equal(2, host.AvailableSlots);
    }
}
