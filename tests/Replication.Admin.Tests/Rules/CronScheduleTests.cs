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
    [InlineData("*/1 * * * *", "Every minute, every day")]
    [InlineData("5/1 * * * *", "Every minute from minute 5, every day")]
    [InlineData("0 */1 * * *", "At minute 0 of every hour, every day")]
    [InlineData("0 */21 * * *", "At minute 0 past every 21st hour, every day")]
    [InlineData("0 */22 * * *", "At minute 0 past every 22nd hour, every day")]
    [InlineData("0 */23 * * *", "At minute 0 past every 23rd hour, every day")]
    [InlineData("0 */11 * * *", "At minute 0 past every 11th hour, every day")]
    [InlineData("0 */2 * * *", "At minute 0 past every second hour, every day")]
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

    [Theory]
    [InlineData("* * * * * *", "runs every 1 second")]
    [InlineData("*/30 * * * * *", "runs every 30 seconds")]
    [InlineData("0,30 * * * * *", "runs every 30 seconds")]
    [InlineData("@every_second", "runs every 1 second")]
    public void Schedules_more_often_than_once_a_minute_are_refused(string cron, string says)
    {
        var error = CronSchedule.Validate(cron);

        Assert.NotNull(error);
        Assert.Contains(says, error, StringComparison.Ordinal);
        Assert.Contains("at most once every 1 minute", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("* * * * *")]
    [InlineData("30 * * * * *")]
    [InlineData("30 0 2 * * *")]
    [InlineData("@every_minute")]
    public void Once_a_minute_is_allowed(string cron) => Assert.Null(CronSchedule.Validate(cron));

    [Fact]
    public void The_floor_is_configurable()
    {
        Assert.Contains("runs every 5 minutes; a rule may run at most once every 10 minutes", CronSchedule.Validate("*/5 * * * *", TimeSpan.FromMinutes(10)), StringComparison.Ordinal);
        Assert.Null(CronSchedule.Validate("*/10 * * * *", TimeSpan.FromMinutes(10)));

        // Two runs a minute apart around midnight are found even though the day's other runs are hours apart.
        Assert.Contains("runs every 1 minute", CronSchedule.Validate("59,0 23,0 * * *", TimeSpan.FromMinutes(10)), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_times_show_seconds_only_where_they_matter()
    {
        Assert.Equal("Tue 3 Mar 2026, 02:00 UTC", CronSchedule.FormatRun(new DateTimeOffset(2026, 3, 3, 2, 0, 0, TimeSpan.Zero)));
        Assert.Equal("Tue 3 Mar 2026, 02:00:30 UTC", CronSchedule.FormatRun(new DateTimeOffset(2026, 3, 3, 2, 0, 30, TimeSpan.Zero)));
    }

    [Fact]
    public void Extra_spaces_are_normalised() => Assert.Equal("0 2 * * *", CronSchedule.Parse("  0  2 *  * * ").Text);
}
