using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Monitor.Alerts.Outbox;

namespace Monitor.Alerts.Tests.Outbox;

public sealed class BackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Max = TimeSpan.FromMinutes(15);

    [Property]
    public Property Delay_AnyFailureCountAndDraw_LiesInZeroToCeilingAndCeilingNeverShrinks(PositiveInt failures, int seed, NonEmptyString id)
    {
        int n = failures.Get;
        double u = Backoff.Jitter(seed, id.Get, n);
        var delay = Backoff.Delay(n, u, Base, Max);
        var ceiling = Backoff.Ceiling(n, Base, Max);
        return (delay >= TimeSpan.Zero && delay <= ceiling && ceiling <= Max && Backoff.Ceiling(n + 1, Base, Max) >= ceiling).ToProperty();
    }

    [Property]
    public Property Jitter_SameInputs_SameDraw(int seed, NonEmptyString id, PositiveInt attempt) =>
        (Backoff.Jitter(seed, id.Get, attempt.Get) == Backoff.Jitter(seed, id.Get, attempt.Get)).ToProperty();

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Delay_DrawOutsideUnitInterval_Rejected(double u) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.Delay(1, u, Base, Max));
}
