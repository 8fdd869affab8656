using Replication.Registry.Http;

namespace Replication.Registry.Tests.Protocol;

public class UploadRangeTests
{
    [Theory]
    [InlineData("0-999", 1000L)]
    [InlineData("0-0", 0L)]
    [InlineData("bytes=0-1048575", 1048576L)]
    [InlineData(" 0-9 ", 10L)]
    public void Received_bytes_are_the_inclusive_end_plus_one(string header, long expected)
    {
        Assert.Equal(expected, UploadRange.ReceivedBytes(header));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("5-9")]
    [InlineData("0-")]
    [InlineData("abc")]
    [InlineData("0-9-10")]
    [InlineData("9-0")]
    public void Malformed_ranges_are_not_trusted(string? header)
    {
        Assert.Null(UploadRange.ReceivedBytes(header));
    }

    [Fact]
    public void Content_range_has_an_inclusive_end_and_no_unit()
    {
        Assert.Equal("1000-1999", UploadRange.ContentRange(1000, 1000));
        Assert.Equal("0-0", UploadRange.ContentRange(0, 1));
    }
}
