using Replication.Admin.Rules;

namespace Replication.Admin.Tests.Rules;

public sealed class CronScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 30, 0, TimeSpan.Zero); // a Monday

    [Theory]
    [InlineData("0 2 * * *", "At 02:00 UTC, every day")]
    [InlineData("30 14 * * 1-5", "At 14:30 UTC, Monday through Friday")]
    [InlineData("0 3 * * 0", "At 03:00 UTC, on Sunday")]
    [InlineData("0 3 * * MON,WED", "At 03:00 UTC, on Monday and Wednesday")]
    [InlineData("0 0 1 * *", "At 00:00 UTC, on day 1 of the month")]
    [InlineData("0 0 1 1 *", "At 00:00 UTC, on day 1 of the month, in January")]
    [InlineData("*/15 * * * *", "Every 15 minutes, every day")]
    [InlineData("5 * * * *", "At minute 5 of every hour, every day")]
    [InlineData("0 */6 * * *", "At minute 0 past every 6th hour, every day")]
    [InlineData("0 6,18 * * *", "At 06:00 and 18:00 UTC, every day")]
    [InlineData("* * * * *", "Every minute, every day")]
    [InlineData("30 0 2 * * *", "At 02:00:30 UTC, every day")]
    [InlineData("@daily", "At 00:00 UTC, every day")]
    [InlineData("@hourly", "At minute 0 of every hour")]
    public void The_reading_says_the_schedule_in_words(string cron, string expected) =>
        Assert.Equal(expected, CronSchedule.Parse(cron).Describe());

    [Fact]
    public void The_next_three_runs_follow_the_schedule_in_utc()
    {
        var runs = CronSchedule.Parse("0 2 * * *").NextRuns(Now, 3);

        Assert.Equal(
            [
                new DateTimeOffset(2026, 3, 3, 2, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2026, 3, 4, 2, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2026, 3, 5, 2, 0, 0, TimeSpan.Zero),
            ],
            runs);
    }

    [Fact]
    public void Weekday_schedules_skip_the_weekend()
    {
        var runs = CronSchedule.Parse("0 9 * * 1-5").NextRuns(new DateTimeOffset(2026, 3, 6, 12, 0, 0, TimeSpan.Zero), 2); // Friday noon

        Assert.Equal([new DateTimeOffset(2026, 3, 9, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero)], runs);
    }

    [Fact]
    public void Extra_spaces_are_normalised() => Assert.Equal("0 2 * * *", CronSchedule.Parse("  0  2 *  * * ").Text);
}
