using Monitor.Core.Performance;
using Xunit.Abstractions;

namespace Monitor.Core.Tests.Performance;

public sealed class BinaryClassificationMetricsTests(ITestOutputHelper output)
{
    [Fact]
    public void Compute_SklearnFixtures_MatchesEveryMetric()
    {
        var cases = FixtureCases.Load("performance_binary.json");
        var log = new DeviationLog();
        foreach (var c in cases)
        {
            string name = c.Name();
            var m = BinaryClassificationMetrics.Compute(
                c.Ints("labels"), c.Doubles("scores"), c.Double("threshold"), c.GetProperty("bins").GetInt32());

            Assert.Equal(c.GetProperty("count").GetInt32(), m.Count);
            Assert.Equal(c.GetProperty("positives").GetInt32(), m.Positives);
            log.Close("accuracy", name, c.Double("accuracy"), m.Accuracy);
            log.Close("precision", name, c.Double("precision"), m.Precision);
            log.Close("recall", name, c.Double("recall"), m.Recall);
            log.Close("f1", name, c.Double("f1"), m.F1);
            log.CloseOrNull("roc_auc", name, c.GetProperty("roc_auc"), m.RocAuc);
            log.CloseOrNull("average_precision", name, c.GetProperty("average_precision"), m.PrAuc);
            log.Close("log_loss", name, c.Double("log_loss"), m.LogLoss);
            log.Close("brier", name, c.Double("brier"), m.Brier);
            log.Close("ece (numpy + calibration_curve)", name, c.Double("ece"), m.ExpectedCalibrationError);
        }

        log.Report(output);
        Assert.True(cases.Count >= 80, $"only {cases.Count} binary cases");
    }

    [Fact]
    public void RankingFunctions_SklearnFixturesWithArbitraryScores_MatchRocAucAndAveragePrecision()
    {
        var cases = FixtureCases.Load("performance_ranking.json");
        var log = new DeviationLog();
        foreach (var c in cases)
        {
            int[] labels = c.Ints("labels");
            double[] scores = c.Doubles("scores");
            log.CloseOrNull("roc_auc (raw scores)", c.Name(), c.GetProperty("roc_auc"), BinaryClassificationMetrics.RocAuc(labels, scores));
            log.CloseOrNull(
                "average_precision (raw scores)", c.Name(), c.GetProperty("average_precision"), BinaryClassificationMetrics.AveragePrecision(labels, scores));
        }

        log.Report(output);
        Assert.True(cases.Count >= 20, $"only {cases.Count} ranking cases");
    }

    [Fact]
    public void RocAuc_TiedScores_CountHalf()
    {
        // Pairs (positive, negative): 0.8>0.2 wins, 0.5=0.5 ties, 0.5>0.2 wins, 0.8>0.5 wins → (3 + 0.5) / 4.
        double? auc = BinaryClassificationMetrics.RocAuc([1, 1, 0, 0], [0.8, 0.5, 0.5, 0.2]);

        Assert.Equal(0.875, auc);
    }

    [Fact]
    public void Compute_OneClassPresent_RankingMetricsAreNullButOthersDefined()
    {
        var m = BinaryClassificationMetrics.Compute([1, 1, 1], [0.9, 0.4, 0.7]);

        Assert.Null(m.RocAuc);
        Assert.Null(m.PrAuc);
        Assert.Equal(3, m.Positives);
        Assert.Equal(0, m.Negatives);
        Assert.Equal(2.0 / 3, m.Recall, 15);
        Assert.True(m.LogLoss > 0);
    }

    [Fact]
    public void Compute_ScoreOnThreshold_PredictsPositive()
    {
        var m = BinaryClassificationMetrics.Compute([1, 0], [0.5, 0.49999999999999994]);

        Assert.Equal(1.0, m.Accuracy);
        Assert.Equal(1.0, m.Precision);
    }

    [Fact]
    public void Compute_NothingPredictedPositive_PrecisionAndF1AreZero()
    {
        var m = BinaryClassificationMetrics.Compute([1, 0, 1], [0.1, 0.2, 0.3]);

        Assert.Equal(0.0, m.Precision);
        Assert.Equal(0.0, m.Recall);
        Assert.Equal(0.0, m.F1);
    }

    [Fact]
    public void Compute_ConfidentlyWrongScores_LogLossIsClippedAtMachineEpsilon()
    {
        var m = BinaryClassificationMetrics.Compute([1, 0], [0.0, 1.0]);

        Assert.Equal(-Math.Log(BinaryClassificationMetrics.LogLossEpsilon), m.LogLoss, 12);
    }

    [Theory]
    [InlineData(0.3, 10, 2)]
    [InlineData(0.30000000000000004, 10, 2)]
    [InlineData(0.30000000000000010, 10, 3)]
    [InlineData(0.1, 10, 0)]
    [InlineData(0.0, 10, 0)]
    [InlineData(1.0, 10, 9)]
    [InlineData(0.5, 2, 0)]
    [InlineData(0.7, 1, 0)]
    public void CalibrationBin_ValueOnOrNearAnEdge_FollowsNumpyLinspaceAndSearchsorted(double p, int bins, int expected)
    {
        Assert.Equal(expected, BinaryClassificationMetrics.CalibrationBin(p, bins, 1.0 / bins));
    }

    [Fact]
    public void Compute_LabelOtherThanZeroOrOne_ThrowsNamingTheIndex()
    {
        var ex = Assert.Throws<ArgumentException>(() => BinaryClassificationMetrics.Compute([0, 1, 2], [0.1, 0.2, 0.3]));

        Assert.Contains("index 2", ex.Message, StringComparison.Ordinal);
        Assert.Equal("labels", ex.ParamName);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-0.01)]
    [InlineData(1.0000001)]
    public void Compute_ScoreNotAProbability_ThrowsNamingTheIndex(double bad)
    {
        var ex = Assert.Throws<ArgumentException>(() => BinaryClassificationMetrics.Compute([0, 1, 1], [0.1, bad, 0.3]));

        Assert.Contains("index 1", ex.Message, StringComparison.Ordinal);
        Assert.Equal("scores", ex.ParamName);
    }

    [Fact]
    public void RocAuc_NonFiniteScore_ThrowsNamingTheIndex()
    {
        var ex = Assert.Throws<ArgumentException>(() => BinaryClassificationMetrics.RocAuc([0, 1, 1, 0], [-3.0, 7.5, double.NegativeInfinity, 0]));

        Assert.Contains("index 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_LengthMismatchOrEmpty_Throws()
    {
        Assert.Throws<ArgumentException>(() => BinaryClassificationMetrics.Compute([0, 1], [0.5]));
        Assert.Throws<ArgumentException>(() => BinaryClassificationMetrics.Compute([], []));
        Assert.Throws<ArgumentException>(() => BinaryClassificationMetrics.RocAuc([], []));
    }

    [Fact]
    public void Compute_BadThresholdOrBins_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BinaryClassificationMetrics.Compute([0, 1], [0.2, 0.8], threshold: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => BinaryClassificationMetrics.Compute([0, 1], [0.2, 0.8], calibrationBins: 0));
    }

    [Fact]
    public void Compute_ManyCalibrationBins_UsesHeapBuffersAndStaysCorrect()
    {
        var m = BinaryClassificationMetrics.Compute([0, 1, 1, 0], [0.1, 0.9, 0.6, 0.4], calibrationBins: 1000);

        // Every score sits alone in its bin: ECE is the mean |label − score|.
        Assert.Equal((0.1 + 0.1 + 0.4 + 0.4) / 4, m.ExpectedCalibrationError, 15);
    }
}
