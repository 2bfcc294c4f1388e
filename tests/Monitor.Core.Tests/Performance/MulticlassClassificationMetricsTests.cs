using System.Text.Json;
using Monitor.Core.Performance;
using Xunit.Abstractions;

namespace Monitor.Core.Tests.Performance;

public sealed class MulticlassClassificationMetricsTests(ITestOutputHelper output)
{
    [Fact]
    public void Compute_SklearnFixtures_MatchesEveryMetric()
    {
        var cases = FixtureCases.Load("performance_multiclass.json");
        var log = new DeviationLog();
        foreach (var c in cases)
        {
            string name = c.Name();
            int k = c.GetProperty("class_count").GetInt32();
            var m = MulticlassClassificationMetrics.Compute(c.Ints("labels"), c.Ints("predicted"), k);

            Assert.Equal(c.GetProperty("count").GetInt32(), m.Count);
            Assert.Equal(k, m.ClassCount);
            Assert.Equal(c.GetProperty("present_class_count").GetInt32(), m.PresentClassCount);
            Assert.Equal(c.Ints("support"), m.Support);
            log.Close("accuracy", name, c.Double("accuracy"), m.Accuracy);
            log.Close("macro_f1", name, c.Double("macro_f1"), m.MacroF1);
            log.Close("micro_f1", name, c.Double("micro_f1"), m.MicroF1);
            log.Close("macro_precision", name, c.Double("macro_precision"), m.MacroPrecision);
            log.Close("macro_recall", name, c.Double("macro_recall"), m.MacroRecall);
            ComparePerClass(log, "recall[class]", c, "recall", m.Recall);
            ComparePerClass(log, "precision[class]", c, "precision", m.Precision);
            ComparePerClass(log, "f1[class]", c, "f1", m.F1);
        }

        log.Report(output);
        Assert.True(cases.Count >= 40, $"only {cases.Count} multiclass cases");
    }

    [Fact]
    public void Compute_ClassAbsentFromLabelsAndPredictions_IsNullAndLeftOutOfMacroAverages()
    {
        var m = MulticlassClassificationMetrics.Compute([0, 1, 1, 0], [0, 1, 0, 0], classCount: 3);

        Assert.Null(m.Recall[2]);
        Assert.Null(m.F1[2]);
        Assert.Equal(0, m.Support[2]);
        Assert.Equal(2, m.PresentClassCount);
        Assert.Equal(((2.0 * 2 / 5) + (2.0 * 1 / 3)) / 2, m.MacroF1, 15);
        Assert.Equal(m.Accuracy, m.MicroF1, 15);
    }

    [Fact]
    public void Compute_ClassOnlyPredicted_HasZeroRecallAndPrecision()
    {
        var m = MulticlassClassificationMetrics.Compute([0, 0], [0, 1], classCount: 2);

        Assert.Equal(0.0, m.Recall[1]);
        Assert.Equal(0.0, m.Precision[1]);
        Assert.Equal(0.0, m.F1[1]);
        Assert.Equal(1.0, m.Precision[0]);
        Assert.Equal(0.5, m.Recall[0]);
    }

    [Theory]
    [InlineData(3, 0, "Label at index 1")]
    [InlineData(-1, 0, "Label at index 1")]
    [InlineData(0, 3, "Prediction at index 1")]
    public void Compute_ClassIdOutOfRange_ThrowsNamingTheIndex(int label, int prediction, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => MulticlassClassificationMetrics.Compute([0, label], [0, prediction], 3));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_LengthMismatchEmptyOrNoClasses_Throws()
    {
        Assert.Throws<ArgumentException>(() => MulticlassClassificationMetrics.Compute([0, 1], [0], 2));
        Assert.Throws<ArgumentException>(() => MulticlassClassificationMetrics.Compute([], [], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => MulticlassClassificationMetrics.Compute([0], [0], 0));
    }

    private static void ComparePerClass(DeviationLog log, string metric, JsonElement c, string property, IReadOnlyList<double?> actual)
    {
        var expected = c.GetProperty(property);
        Assert.Equal(expected.GetArrayLength(), actual.Count);
        int i = 0;
        foreach (var e in expected.EnumerateArray())
        {
            log.CloseOrNull(metric, $"{c.Name()} class {i}", e, actual[i]);
            i++;
        }
    }
}
