namespace Monitor.Worker.Tests.Rules;

/// <summary>A small valid rule file; tests replace one line to break exactly one rule.</summary>
internal static class RuleYaml
{
    public const string File = "rules/fraud.yaml";

    public const string Valid = """
        model:
          name: fraud
        task: binary_classification
        topics:
          predictions: fraud.predictions
          labels: fraud.labels
          dead_letter: fraud.dead-letter
        features:
          - name: amount
            kind: numeric
            tests:
              ks: { warning: 0.05, critical: 0.01 }
              psi: { warning: 0.1, critical: 0.25 }
            quality: { min: 0, max: 100 }
          - name: country
            kind: categorical
            tests:
              chisquare: { warning: 0.05, critical: 0.01 }
            quality: { allowed_categories: [DE, FR] }
        window:
          size: 1h
        schedule:
          cron: "0 */5 * * * ?"
        baseline:
          kind: file
          path: baselines/fraud.json
        performance:
          floors:
            roc_auc: { warning: 0.85, critical: 0.8 }
        alerts:
          runbook_url: https://runbooks.example.com/fraud
          routes:
            - name: team
              channel: email
              targets: [team@example.com]
        retrain:
          conditions:
            dataset_drift_windows: 3
          webhook: https://pipelines.example.com/retrain
          secret_env: FRAUD_SECRET

        """;

    /// <summary>
    /// The valid file with <paramref name="find"/> (which must occur) replaced; several edits are separated by
    /// <c>" || "</c> in both arguments.
    /// </summary>
    public static string With(string find, string replace)
    {
        string[] finds = find.Split(" || ");
        string[] replaces = replace.Split(" || ");
        Assert.Equal(finds.Length, replaces.Length);
        string text = Valid;
        for (int i = 0; i < finds.Length; i++)
        {
            Assert.Contains(finds[i], text, StringComparison.Ordinal);
            text = text.Replace(finds[i], replaces[i], StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>The text of the valid file from <paramref name="start"/> up to, not including, <paramref name="end"/>.</summary>
    public static string Block(string start, string end)
    {
        int from = Valid.IndexOf(start, StringComparison.Ordinal);
        return Valid[from..Valid.IndexOf(end, from, StringComparison.Ordinal)];
    }
}
