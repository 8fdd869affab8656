using Replication.Admin.Components;

namespace Replication.Admin.Tests.Components;

public sealed class LiveRowsTests
{
    private sealed record Item(long Id, long BytesDone);

    [Fact]
    public void An_update_of_an_item_keeps_its_row_and_gives_it_the_new_values()
    {
        var rows = new LiveRows<long, Item>(i => i.Id);
        rows.Update([new Item(7, 0), new Item(5, 0)]);
        var first = rows.Rows[0];

        rows.Update([new Item(7, 100), new Item(5, 40)]);

        Assert.Same(first, rows.Rows[0]);
        Assert.Equal(new Item(7, 100), rows.Rows[0].Item);
        Assert.Equal([7L, 5L], rows.Rows.Select(r => r.Item.Id));
    }

    [Fact]
    public void Rows_follow_the_order_of_the_items_and_a_key_no_longer_shown_is_forgotten()
    {
        var rows = new LiveRows<long, Item>(i => i.Id);
        rows.Update([new Item(1, 0), new Item(2, 0)]);
        var two = rows.Rows[1];
        var one = rows.Rows[0];

        rows.Update([new Item(3, 0), new Item(2, 0)]);
        Assert.Equal([3L, 2L], rows.Rows.Select(r => r.Item.Id));
        Assert.Same(two, rows.Rows[1]);

        rows.Update([new Item(1, 0)]);
        Assert.NotSame(one, rows.Rows[0]);
    }
}
