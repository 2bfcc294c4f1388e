namespace Monitor.Core.Drift.Numeric;

/// <summary>
/// Distances between two empirical CDFs by one merge walk over both sorted samples (weights count as
/// multiplicities), as scipy's <c>_cdf_distance</c>: the integral of |U − V|^p over the real line.
/// </summary>
internal static class EcdfDistance
{
    /// <summary>∫ |U − V| dx, scipy.stats.wasserstein_distance.</summary>
    public static double Wasserstein(NumericSample u, NumericSample v) => Integrate(u, v, squared: false);

    /// <summary>sqrt(2 · ∫ (U − V)² dx), scipy.stats.energy_distance.</summary>
    public static double Energy(NumericSample u, NumericSample v) => Math.Sqrt(2) * Math.Sqrt(Integrate(u, v, squared: true));

    private static double Integrate(NumericSample u, NumericSample v, bool squared)
    {
        var uv = u.Values;
        var uw = u.Weights;
        var vv = v.Values;
        var vw = v.Weights;
        double nu = u.Count;
        double nv = v.Count;
        long cu = 0;
        long cv = 0;
        int i = 0;
        int j = 0;
        double sum = 0;
        while (i < uv.Length || j < vv.Length)
        {
            double x = j >= vv.Length || (i < uv.Length && uv[i] <= vv[j]) ? uv[i] : vv[j];
            while (i < uv.Length && uv[i] == x)
            {
                cu += uw.IsEmpty ? 1 : uw[i];
                i++;
            }

            while (j < vv.Length && vv[j] == x)
            {
                cv += vw.IsEmpty ? 1 : vw[j];
                j++;
            }

            if (i >= uv.Length && j >= vv.Length)
            {
                break;
            }

            double next = j >= vv.Length || (i < uv.Length && uv[i] <= vv[j]) ? uv[i] : vv[j];
            double diff = (cu / nu) - (cv / nv);
            sum += (squared ? diff * diff : Math.Abs(diff)) * (next - x);
        }

        return sum;
    }
}
