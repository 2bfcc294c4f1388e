using System.Text.Json;
using Monitor.Core.Performance;
using Xunit.Abstractions;

namespace Monitor.Core.Tests.Performance;

public sealed class RegressionMetricsTests(ITestOutputHelper output)
{
    [Fact]
    public void Compute_SklearnAndNumpyFixtures_MatchesEveryMetric()
    {
        var cases = FixtureCases.Load("performance_regression.json");
        var log = new DeviationLog();
        foreach (var c in cases)
        {
            string name = c.Name();
            double[] actual = c.Doubles("actual");
            double[] predicted = c.Doubles("predicted");
            var m = RegressionMetrics.Compute(actual, predicted);

            // Errors that cancel to ~0 (mean bias of an unbiased model) carry rounding relative to the data's
            // magnitude, not to their own size: allow 1e-14 of the largest |value| in absolute terms.
            double scale = 0;
            for (int i = 0; i < actual.Length; i++)
            {
                scale = Math.Max(scale, Math.Max(Math.Abs(actual[i]), Math.Abs(predicted[i])));
            }

            double abs = Math.Max(1e-14 * scale, 1e-300);
            Assert.Equal(c.GetProperty("count").GetInt32(), m.Count);
            Assert.Equal(c.GetProperty("mape_excluded_zero_targets").GetInt32(), m.MapeExcludedZeroTargets);
            log.Close("mae", name, c.Double("mae"), m.Mae, abs: abs);
            log.Close("rmse", name, c.Double("rmse"), m.Rmse, abs: abs);
            log.CloseOrNull("mape (numpy, zero targets excluded)", name, c.GetProperty("mape"), m.Mape, abs: abs);
            if (m.MapeExcludedZeroTargets == 0)
            {
                log.Close("mape = sklearn when no zero target", name, c.Double("sklearn_mape"), m.Mape!.Value);
            }

            log.CloseOrNull("r2", name, c.GetProperty("r2"), m.R2, abs: 1e-14);
            log.Close("mean_bias (numpy)", name, c.Double("mean_bias"), m.MeanBias, abs: abs);
        }

        log.Report(output);
        Assert.True(cases.Count >= 30, $"only {cases.Count} regression cases");
    }

    [Fact]
    public void Compute_ZeroTargets_AreExcludedFromMapeAndCounted()
    {
        var m = RegressionMetrics.Compute([0, 2, 0, 4], [1, 3, 0, 2]);

        Assert.Equal(2, m.MapeExcludedZeroTargets);
        Assert.Equal(((1.0 / 2) + (2.0 / 4)) / 2, m.Mape);
    }

    [Fact]
    public void Compute_AllTargetsZero_MapeIsNull()
    {
        var m = RegressionMetrics.Compute([0, 0, 0], [1, 0, -1]);

        Assert.Null(m.Mape);
        Assert.Equal(3, m.MapeExcludedZeroTargets);
        Assert.Null(m.R2);
    }

    [Fact]
    public void Compute_ConstantTargetEvenIfPerfect_R2IsNull()
    {
        Assert.Null(RegressionMetrics.Compute([0.1, 0.1, 0.1], [0.1, 0.1, 0.1]).R2);
        Assert.Null(RegressionMetrics.Compute([5.0], [4.0]).R2);
    }

    [Fact]
    public void Compute_OverPrediction_HasPositiveMeanBias()
    {
        var m = RegressionMetrics.Compute([1, 2, 3], [2, 3, 4]);

        Assert.Equal(1.0, m.MeanBias);
        Assert.Equal(1.0, m.Mae);
        Assert.Equal(1.0, m.Rmse);
    }

    [Theory]
    [InlineData(double.NaN, 1.0, "Actual value at index 1")]
    [InlineData(1.0, double.PositiveInfinity, "Prediction at index 1")]
    [InlineData(double.NegativeInfinity, 1.0, "Actual value at index 1")]
    public void Compute_NonFiniteValue_ThrowsNamingTheIndex(double a, double p, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => RegressionMetrics.Compute([1.0, a], [1.0, p]));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_ErrorsOverflowDouble_ThrowsInsteadOfReportingInfinity()
    {
        var ex = Assert.Throws<ArgumentException>(() => RegressionMetrics.Compute([1e300, -1e300], [-1e300, 1e300]));

        Assert.Contains("overflow", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_LengthMismatchOrEmpty_Throws()
    {
        Assert.Throws<ArgumentException>(() => RegressionMetrics.Compute([1.0, 2.0], [1.0]));
        Assert.Throws<ArgumentException>(() => RegressionMetrics.Compute([], []));
    }

    [Fact]
    public void Fixtures_ConstantAndZeroTargetCases_RecordWhereSklearnDiffers()
    {
        // Keeps the documented differences visible: sklearn's R² is 1/0/NaN where Monitor's is null, and sklearn's MAPE
        // explodes (division by machine epsilon) where Monitor excludes zero targets.
        var cases = FixtureCases.Load("performance_regression.json");
        var constant = cases.Where(c => c.GetProperty("r2").ValueKind == JsonValueKind.Null).ToList();
        var zeroTargets = cases.Where(c => c.GetProperty("mape_excluded_zero_targets").GetInt32() > 0).ToList();

        Assert.NotEmpty(constant);
        Assert.All(constant, c => Assert.True(c.Double("sklearn_r2") is 0.0 or 1.0 || double.IsNaN(c.Double("sklearn_r2"))));
        Assert.NotEmpty(zeroTargets);
        Assert.All(zeroTargets, c => Assert.True(c.Double("sklearn_mape") > 1e10 || c.Double("sklearn_mape") == 0));
    }
}
