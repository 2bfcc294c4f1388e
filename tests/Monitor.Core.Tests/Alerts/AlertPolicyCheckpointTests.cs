using System.Buffers;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using Monitor.Core.Accumulators;
using Monitor.Core.Alerts;
using Monitor.Core.Evaluation;
using Monitor.Core.Rules;

namespace Monitor.Core.Tests.Alerts;

/// <summary>
/// A checkpointed policy is the policy: written, read and written again it gives the same bytes, and it makes
/// the same decisions as the original from then on. FsCheck supplies seeds (replayed from a fixed start); each
/// seed builds random routes, a retrain policy and a script of final, provisional and back-fill reports,
/// silences and clock steps.
/// </summary>
public sealed class AlertPolicyCheckpointTests
{
    private const string Replay = "20261128,2207";

    [Property(Replay = Replay, MaxTest = 150)]
    public void WriteRead_AnyPointOfAnyScript_SameBytesAndSameDecisionsAfter(int seed)
    {
        var rng = new Random(seed);
        var rules = RandomRules(rng);
        var script = RandomScript(rng, rng.Next(10, 60));
        int split = rng.Next(0, script.Count + 1);

        var timeA = new FakeTimeProvider(ReportBuilder.T0);
        var original = new AlertPolicy(rules, timeA);
        for (int i = 0; i < split; i++)
        {
            script[i](original, timeA);
        }

        byte[] bytes = Checkpoint(original);
        var timeB = new FakeTimeProvider(timeA.GetUtcNow());
        var restored = Restore(bytes, rules, timeB);
        Assert.Equal(bytes, Checkpoint(restored));

        for (int i = split; i < script.Count; i++)
        {
            string a = script[i](original, timeA);
            string b = script[i](restored, timeB);
            Assert.Equal(a, b);
        }

        Assert.Equal(Checkpoint(original), Checkpoint(restored));
    }

    [Fact]
    public void Read_BusyPolicy_RestoresEveryPart()
    {
        var rules = PolicyRules.WithRetrain(PolicyRules.Retrain(datasetWindows: 3, onFloor: true), PolicyRules.Route(forWindows: 2), PolicyRules.Route("pager", AlertSeverity.Critical));
        var time = new FakeTimeProvider(ReportBuilder.T0);
        var policy = new AlertPolicy(rules, time);
        policy.Silence(ReportBuilder.Model, AlertRuleNames.DataQuality, ReportBuilder.T0.AddDays(2));
        policy.Observe(ReportBuilder.Window(0).Feature("amount", Severity.Critical).Dataset(Severity.Critical).Performance(Severity.Critical).Build());
        policy.Observe(ReportBuilder.Window(1).Feature("amount", Severity.Critical).Dataset(Severity.Critical).Build());

        var restored = Restore(Checkpoint(policy), rules, new FakeTimeProvider(time.GetUtcNow()));

        Assert.Equal(AlertPhase.Firing, restored.PhaseOf(AlertRuleNames.FeatureDrift, "team"));
        Assert.Equal(AlertPhase.Pending, restored.PhaseOf(AlertRuleNames.Performance, "team"));
        Assert.Equal(Severity.Critical, restored.StateOf(AlertRuleNames.FeatureDrift, "pager").Announced);
        Assert.True(restored.IsSilenced(AlertRuleNames.DataQuality));
        Assert.False(restored.IsSilenced(AlertRuleNames.FeatureDrift));
    }

    [Fact]
    public void Read_RoutesChanged_KeepsMatchingRoutesAndStartsNewOnesFresh()
    {
        var time = new FakeTimeProvider(ReportBuilder.T0);
        var before = PolicyRules.With(PolicyRules.Route("team"), PolicyRules.Route("old"));
        var policy = new AlertPolicy(before, time);
        policy.Observe(ReportBuilder.Window(0).Feature("amount", Severity.Warning).Build());

        var after = PolicyRules.With(PolicyRules.Route("new"), PolicyRules.Route("team"));
        var restored = Restore(Checkpoint(policy), after, time);

        Assert.Equal(AlertPhase.Firing, restored.PhaseOf(AlertRuleNames.FeatureDrift, "team"));
        Assert.Equal(AlertPhase.Ok, restored.PhaseOf(AlertRuleNames.FeatureDrift, "new"));
        var next = restored.Observe(ReportBuilder.Window(1).Feature("amount", Severity.Warning).Build());
        Assert.Equal(["new"], next.Notifications.Select(n => n.Route));
    }

    [Fact]
    public void Read_OtherModel_Throws()
    {
        var time = new FakeTimeProvider(ReportBuilder.T0);
        byte[] bytes = Checkpoint(new AlertPolicy(PolicyRules.With(PolicyRules.Route()), time));
        var other = PolicyRules.With(PolicyRules.Route()) with { Name = "fraud" };

        Assert.Throws<InvalidDataException>(() => Restore(bytes, other, time));
    }

    [Fact]
    public void Read_EveryTruncation_ThrowsInvalidData()
    {
        var rules = PolicyRules.WithRetrain(PolicyRules.Retrain(datasetWindows: 2), PolicyRules.Route());
        var time = new FakeTimeProvider(ReportBuilder.T0);
        var policy = new AlertPolicy(rules, time);
        policy.Silence(ReportBuilder.Model, null, ReportBuilder.T0.AddDays(1));
        policy.Observe(ReportBuilder.Window(0).Feature("amount", Severity.Critical).Dataset(Severity.Critical).Build());
        byte[] bytes = Checkpoint(policy);

        for (int n = 0; n < bytes.Length; n++)
        {
            byte[] cut = bytes[..n];
            Assert.Throws<InvalidDataException>(() => Restore(cut, rules, time));
        }
    }

    private static byte[] Checkpoint(AlertPolicy policy)
    {
        var buffer = new ArrayBufferWriter<byte>();
        policy.Write(new StateWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    private static AlertPolicy Restore(byte[] bytes, ModelRules rules, TimeProvider time)
    {
        var reader = new StateReader(bytes);
        var policy = AlertPolicy.Read(ref reader, rules, time);
        Assert.Equal(0, reader.Remaining);
        return policy;
    }

    private static ModelRules RandomRules(Random rng)
    {
        var routes = new AlertRoute[rng.Next(1, 4)];
        for (int i = 0; i < routes.Length; i++)
        {
            routes[i] = PolicyRules.Route(
                "route" + i,
                rng.Next(3) == 0 ? AlertSeverity.Critical : AlertSeverity.Warning,
                rng.Next(1, 4),
                rng.Next(1, 4),
                TimeSpan.FromMinutes(rng.Next(0, 240)),
                rng.Next(2) == 0 ? null : TimeSpan.FromMinutes(rng.Next(30, 300)));
        }

        var retrain = PolicyRules.Retrain(
            rng.Next(3) == 0 ? null : rng.Next(1, 4),
            rng.Next(2) == 0,
            rng.Next(2) == 0 ? RetrainMatch.Any : RetrainMatch.All,
            TimeSpan.FromHours(rng.Next(1, 12)));
        return rng.Next(4) == 0 ? PolicyRules.With(routes) : PolicyRules.WithRetrain(retrain, routes);
    }

    /// <summary>Steps that act on a policy and its clock, and render what the policy decided.</summary>
    private static List<Func<AlertPolicy, FakeTimeProvider, string>> RandomScript(Random rng, int length)
    {
        var steps = new List<Func<AlertPolicy, FakeTimeProvider, string>>(length);

        // How troubled this model is: from mostly clean to mostly critical, so long runs of each occur.
        double bad = rng.NextDouble();
        double critical = bad * rng.NextDouble();
        Severity RandomSeverity(Random r)
        {
            double u = r.NextDouble();
            return u < critical ? Severity.Critical : u < bad ? Severity.Warning : Severity.None;
        }

        int window = 0;
        var offset = TimeSpan.Zero;
        for (int s = 0; s < length; s++)
        {
            offset += TimeSpan.FromMinutes(rng.Next(0, 180));
            var now = ReportBuilder.T0 + offset;
            int roll = rng.Next(100);
            if (roll < 8)
            {
                string? rule = rng.Next(3) == 0 ? null : AlertRuleNames.All[rng.Next(AlertRuleNames.All.Count)];
                var until = now + TimeSpan.FromMinutes(rng.Next(-60, 400));
                steps.Add((p, t) =>
                {
                    t.SetUtcNow(now);
                    p.Silence(ReportBuilder.Model, rule, until);
                    return "silence";
                });
                continue;
            }

            WindowReport report;
            if (roll < 20 && window > 0)
            {
                report = ReportBuilder.Window(window - 1 - rng.Next(Math.Min(window, 2)))
                    .Revision(rng.Next(1, 4))
                    .Performance(RandomSeverity(rng), judged: rng.Next(4) != 0)
                    .Build();
            }
            else
            {
                var b = ReportBuilder.Window(window)
                    .Feature("amount", RandomSeverity(rng), chart: rng.Next(2) == 0)
                    .Feature("age", RandomSeverity(rng))
                    .Prediction(RandomSeverity(rng))
                    .Quality("country", RandomSeverity(rng));
                if (rng.Next(5) != 0)
                {
                    b.Dataset(RandomSeverity(rng));
                }

                if (rng.Next(3) != 0)
                {
                    b.Performance(RandomSeverity(rng), judged: rng.Next(3) != 0);
                }

                if (roll < 30)
                {
                    b.Provisional();
                }
                else
                {
                    window++;
                }

                report = b.Build();
            }

            steps.Add((p, t) =>
            {
                t.SetUtcNow(now);
                return PolicyRules.Render(p.Observe(report));
            });
        }

        return steps;
    }
}
