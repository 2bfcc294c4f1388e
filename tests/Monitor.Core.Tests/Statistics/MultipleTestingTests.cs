using FsCheck;
using FsCheck.Xunit;
using Monitor.Core.Statistics;

namespace Monitor.Core.Tests.Statistics;

public sealed class MultipleTestingTests
{
    [Fact]
    public void BenjaminiHochberg_TextbookExample_MatchesHandComputation()
    {
        // Sorted 0.005, 0.01, 0.03, 0.04, 0.2 with m = 5: m·p/k = 0.025, 0.025, 0.05, 0.05, 0.2.
        double[] p = [0.01, 0.04, 0.03, 0.005, 0.2];
        var adjusted = new double[5];
        MultipleTesting.BenjaminiHochberg(p, adjusted);
        Assert.Equal([0.025, 0.05, 0.05, 0.025, 0.2], adjusted, (a, b) => Math.Abs(a - b) < 1e-15);
    }

    [Fact]
    public void Reject_BenjaminiHochbergStepUp_RejectsBelowTheLargestPassingRank()
    {
        // Rank 1 fails on its own (0.02 > 1/3·0.05) but rank 2 passes (0.021 ≤ 2/3·0.05), which rejects both.
        double[] p = [0.9, 0.021, 0.02];
        var rejected = new bool[p.Length];
        MultipleTesting.Reject(p, 0.05, Correction.BenjaminiHochberg, rejected);
        Assert.Equal([false, true, true], rejected);
    }

    [Fact]
    public void Reject_PValueEqualToCorrectedLevel_IsRejected()
    {
        double[] p = [0.0125, 0.5, 0.7, 0.9];
        var rejected = new bool[4];
        MultipleTesting.Reject(p, 0.05, Correction.Bonferroni, rejected);
        Assert.Equal([true, false, false, false], rejected);
    }

    [Fact]
    public void Corrections_EmptyInput_DoNothing()
    {
        Assert.Null(Record.Exception(() => MultipleTesting.Bonferroni([], [])));
        Assert.Null(Record.Exception(() => MultipleTesting.BenjaminiHochberg([], [])));
        Assert.Null(Record.Exception(() => MultipleTesting.Reject([], 0.05, Correction.BenjaminiHochberg, [])));
    }

    [Fact]
    public void BenjaminiHochberg_InPlace_GivesTheSameResult()
    {
        double[] p = [0.2, 0.01, 0.04, 0.03, 0.005, 0.01];
        var expected = new double[p.Length];
        MultipleTesting.BenjaminiHochberg(p, expected);
        MultipleTesting.BenjaminiHochberg(p, p);
        Assert.Equal(expected, p);
    }

    [Fact]
    public void BenjaminiHochberg_ManyTests_UsesHeapBuffersAndMatchesDefinition()
    {
        var p = new double[1000];
        var rng = new Random(7);
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = rng.NextDouble();
        }

        var adjusted = new double[p.Length];
        MultipleTesting.BenjaminiHochberg(p, adjusted);
        var sorted = p.Order().ToArray();
        for (int i = 0; i < p.Length; i++)
        {
            double definition = 1;
            for (int k = sorted.Length; k >= 1; k--)
            {
                if (sorted[k - 1] >= p[i])
                {
                    definition = Math.Min(definition, sorted[k - 1] * p.Length / k);
                }
            }

            Assert.Equal(definition, adjusted[i], 1e-12);
        }
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.PositiveInfinity)]
    public void Corrections_InvalidPValue_Throw(double bad)
    {
        double[] p = [0.1, bad];
        Assert.Throws<ArgumentException>(() => MultipleTesting.Bonferroni(p, new double[2]));
        Assert.Throws<ArgumentException>(() => MultipleTesting.BenjaminiHochberg(p, new double[2]));
        Assert.Throws<ArgumentException>(() => MultipleTesting.Reject(p, 0.05, Correction.None, new bool[2]));
    }

    [Fact]
    public void Corrections_OutputLengthMismatch_Throw()
    {
        double[] p = [0.1, 0.2];
        Assert.Throws<ArgumentException>(() => MultipleTesting.Bonferroni(p, new double[1]));
        Assert.Throws<ArgumentException>(() => MultipleTesting.BenjaminiHochberg(p, new double[3]));
        Assert.Throws<ArgumentException>(() => MultipleTesting.Reject(p, 0.05, Correction.Bonferroni, new bool[1]));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    public void Reject_InvalidAlpha_Throws(double alpha)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MultipleTesting.Reject([0.1], alpha, Correction.None, new bool[1]));
    }

    [Fact]
    public void Reject_UnknownCorrection_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MultipleTesting.Reject([0.1], 0.05, (Correction)42, new bool[1]));
    }

    [Property]
    public void Bonferroni_AnyPValues_IsMinOfOneAndMTimesP(NonEmptyArray<NonNegativeInt> raw)
    {
        var p = PValues(raw);
        var adjusted = new double[p.Length];
        MultipleTesting.Bonferroni(p, adjusted);
        for (int i = 0; i < p.Length; i++)
        {
            Assert.Equal(Math.Min(1, p.Length * p[i]), adjusted[i]);
        }
    }

    [Property]
    public void BenjaminiHochberg_AnyPValues_IsBetweenRawAndOneAndAtMostBonferroni(NonEmptyArray<NonNegativeInt> raw)
    {
        var p = PValues(raw);
        var bh = new double[p.Length];
        var bonferroni = new double[p.Length];
        MultipleTesting.BenjaminiHochberg(p, bh);
        MultipleTesting.Bonferroni(p, bonferroni);
        for (int i = 0; i < p.Length; i++)
        {
            Assert.True(bh[i] <= 1, $"adjusted {bh[i]} > 1");
            Assert.True(bh[i] >= p[i], $"adjusted {bh[i]} < raw {p[i]}");
            Assert.True(bh[i] <= bonferroni[i] * (1 + 1e-15), $"BH {bh[i]} > Bonferroni {bonferroni[i]}");
        }
    }

    [Property]
    public void BenjaminiHochberg_AnyPValues_IsMonotoneInTheRawPValue(NonEmptyArray<NonNegativeInt> raw)
    {
        var p = PValues(raw);
        var bh = new double[p.Length];
        MultipleTesting.BenjaminiHochberg(p, bh);
        for (int i = 0; i < p.Length; i++)
        {
            for (int j = 0; j < p.Length; j++)
            {
                if (p[i] <= p[j])
                {
                    Assert.True(bh[i] <= bh[j], $"p {p[i]} ≤ {p[j]} but adjusted {bh[i]} > {bh[j]}");
                }
            }
        }
    }

    [Property]
    public void Reject_AnyPValues_BonferroniImpliesBenjaminiHochbergImpliesNone(NonEmptyArray<NonNegativeInt> raw, byte level)
    {
        var p = PValues(raw);
        double alpha = (level % 20 + 1) / 100.0;
        var none = new bool[p.Length];
        var bonferroni = new bool[p.Length];
        var bh = new bool[p.Length];
        MultipleTesting.Reject(p, alpha, Correction.None, none);
        MultipleTesting.Reject(p, alpha, Correction.Bonferroni, bonferroni);
        MultipleTesting.Reject(p, alpha, Correction.BenjaminiHochberg, bh);
        for (int i = 0; i < p.Length; i++)
        {
            Assert.True(!bonferroni[i] || bh[i], $"Bonferroni rejects p {p[i]} but BH does not");
            Assert.True(!bh[i] || none[i], $"BH rejects p {p[i]} but the uncorrected rule does not");
        }
    }

    // Four-digit p-values, so ties, 0 and 1 all occur.
    private static double[] PValues(NonEmptyArray<NonNegativeInt> raw)
    {
        var p = new double[raw.Get.Length];
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = raw.Get[i].Get % 10001 / 10000.0;
        }

        return p;
    }
}
