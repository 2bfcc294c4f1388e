using Monitor.Core.Performance;

namespace Monitor.Core.Tests.Performance;

public sealed class CompensatedSumTests
{
    [Fact]
    public void Add_SmallTermsBesideLargeOnes_AreNotLost()
    {
        var sum = default(CompensatedSum);
        sum.Add(1e16);
        sum.Add(1.0);
        sum.Add(-1e16);

        Assert.Equal(1.0, sum.Value);
    }

    [Fact]
    public void Add_ManyTenths_StaysWithinOneUlpOfTheExactSum()
    {
        var sum = default(CompensatedSum);
        double naive = 0;
        for (int i = 0; i < 1_000_000; i++)
        {
            sum.Add(0.1);
            naive += 0.1;
        }

        Assert.Equal(100_000.0, sum.Value, 1e-10);
        Assert.True(Math.Abs(naive - 100_000.0) > 1e-7, "the naive sum should drift, or the test shows nothing");
    }
}
