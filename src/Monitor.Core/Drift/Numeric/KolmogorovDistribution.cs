namespace Monitor.Core.Drift.Numeric;

/// <summary>
/// The survival function of the one-sample two-sided Kolmogorov–Smirnov statistic D_n, as scipy 1.10's
/// <c>kstwo.sf</c> (scipy/stats/_ksstats.py, after Simard and L'Ecuyer 2011), which is what ks_2samp uses for
/// its asymptotic branch. MathNet.Numerics has no KS distribution.
/// </summary>
/// <remarks>
/// Branches as scipy: Ruben–Gambino closed forms near the ends of the support, 2·smirnov(n, x) in the upper
/// tail, the Durbin matrix (Marsaglia–Tsang–Wang) where it is cheap, and the Pelz–Good expansion otherwise.
/// One deliberate difference: for n ≤ 140 and 0.754693 &lt; n·x² ≤ 4 scipy uses Pomeranz's recursion; we use
/// the Durbin matrix there too — both compute the exact probability, so they agree to rounding.
/// </remarks>
internal static class KolmogorovDistribution
{
    private const double Ep128 = 3.402823669209385e38; // 2^128
    private const double Em128 = 2.938735877055719e-39; // 2^-128
    private const double MinLog = -708.3964185322641;
    private const double DoubleEpsilon = 2.220446049250313e-16; // DBL_EPSILON, not double.Epsilon

    private static readonly double[] StirlingCoefficients =
    [
        -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
        -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
    ];

    /// <summary>P(D_n &gt; x).</summary>
    public static double Sf(long n, double x)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        if (x >= 1.0)
        {
            return 0.0;
        }

        if (x <= 0.0)
        {
            return 1.0;
        }

        double t = n * x;
        if (t <= 1.0)
        {
            if (t <= 0.5)
            {
                return 1.0;
            }

            double prob;
            if (n <= 140)
            {
                prob = 1.0;
                for (long i = 1; i <= n; i++)
                {
                    prob *= i * (1.0 / n) * ((2 * t) - 1);
                }
            }
            else
            {
                prob = Math.Exp(LogNFactorialDivNPowN(n) + (n * Math.Log((2 * t) - 1)));
            }

            return Clip(1.0 - prob);
        }

        if (t >= n - 1)
        {
            return Clip(2 * Math.Pow(1.0 - x, n));
        }

        if (x >= 0.5)
        {
            return Clip(2 * Smirnov(n, x));
        }

        double nxSquared = t * x;
        if (n <= 140)
        {
            return nxSquared <= 4 ? Clip(1.0 - DurbinMatrixCdf(n, x)) : Clip(2 * Smirnov(n, x));
        }

        if (nxSquared >= 370.0)
        {
            return 0.0;
        }

        if (nxSquared >= 2.2)
        {
            return Clip(2 * Smirnov(n, x));
        }

        double cdf = n <= 100000 && n * Math.Pow(x, 1.5) <= 1.4 ? DurbinMatrixCdf(n, x) : PelzGoodCdf(n, x);
        return Clip(1.0 - cdf);
    }

    /// <summary>
    /// The survival function of the limiting Kolmogorov distribution, P(K &gt; λ) (scipy's <c>kstwobign.sf</c>):
    /// the theta-function series for small λ, the alternating series above; both converge in a few terms.
    /// </summary>
    internal static double LimitSf(double lambda)
    {
        if (lambda <= 0.04)
        {
            return 1.0;
        }

        if (lambda < 1.0)
        {
            double sum = 0;
            double factor = -Math.PI * Math.PI / (8 * lambda * lambda);
            for (int k = 1; k <= 20; k++)
            {
                double term = Math.Exp(factor * (2 * k - 1) * (2 * k - 1));
                sum += term;
                if (term < 1e-20 * sum)
                {
                    break;
                }
            }

            return Clip(1.0 - (Math.Sqrt(2 * Math.PI) / lambda * sum));
        }

        double alternating = 0;
        for (int k = 1; k <= 100; k++)
        {
            double term = Math.Exp(-2.0 * k * k * lambda * lambda);
            alternating += (k % 2 == 1 ? term : -term);
            if (term < 1e-300 || term < 1e-20 * alternating)
            {
                break;
            }
        }

        return Clip(2 * alternating);
    }

    private static double Clip(double p) => Math.Clamp(p, 0.0, 1.0);

    private static double LogNFactorialDivNPowN(long n)
    {
        double rn = 1.0 / n;
        double poly = 0;
        foreach (double c in StirlingCoefficients)
        {
            poly = (poly * (rn / n)) + c;
        }

        return (Math.Log(n) / 2) - n + (Math.Log(2 * Math.PI) / 2) + (rn * poly);
    }

    /// <summary>
    /// The one-sided Smirnov survival function P(D_n^+ ≥ x) (cephes <c>smirnov</c>), by the Birnbaum–Tingey
    /// sum of positive terms in log space; cephes uses double-double arithmetic, so the two differ by ~1e-13.
    /// </summary>
    internal static double Smirnov(long n, double x)
    {
        if (n == 1)
        {
            return 1 - x;
        }

        if (x == 0.0)
        {
            return 1.0;
        }

        if (x == 1.0)
        {
            return 0.0;
        }

        double nx = n * x;
        long nxfl = (long)Math.Floor(nx);
        double alpha = nx - nxfl;
        long n1mxfl = n - nxfl - (alpha == 0 ? 0 : 1);
        if (alpha == 0)
        {
            n1mxfl -= 1;
        }

        if (nxfl == 0 || (nxfl == 1 && alpha == 0))
        {
            return 1 - (x * Math.Pow(1 + x, n - 1));
        }

        if (-2 * n * x * x < MinLog)
        {
            return 0.0;
        }

        if (nxfl >= n - 1)
        {
            return Math.Pow(1 - x, n);
        }

        if (n > 1_000_000)
        {
            double logp = -Math.Pow((6.0 * n * x) + 1, 2) / 18.0 / n;
            return Math.Exp(logp);
        }

        long terms = n1mxfl + 1;
        // ln C(n, j) accumulated with Neumaier compensation, and each exponent summed with its rounding errors
        // (FMA residues), keep the terms to ~1e-13 relative for n in the hundreds of thousands.
        double logBinomial = 0;
        double logBinomialError = 0;
        double sum = 0;
        for (long j = 0; j < terms; j++)
        {
            if (j > 0)
            {
                double step = Math.Log((double)(n - j + 1) / j);
                double next = logBinomial + step;
                logBinomialError += Math.Abs(logBinomial) >= Math.Abs(step)
                    ? (logBinomial - next) + step
                    : (step - next) + logBinomial;
                logBinomial = next;
            }

            double logLower = Log1P(-(x + ((double)j / n)));
            double logUpper = Math.Log(((double)j / n) + x);
            double a = (n - j) * logLower;
            double aError = Math.FusedMultiplyAdd(n - j, logLower, -a);
            double b = (j - 1) * logUpper;
            double bError = Math.FusedMultiplyAdd(j - 1, logUpper, -b);
            double exponent = logBinomial + a + b + (logBinomialError + aError + bError);
            double term = Math.Exp(exponent);
            sum += term;
            if (term != 0)
            {
                if (4 * (terms - j) * term < DoubleEpsilon * sum && j != terms - 1)
                {
                    break;
                }
            }
            else if (j > n / 2)
            {
                break;
            }
        }

        return Clip(x * sum);
    }

    /// <summary>ln(1 + y) accurate for small y (Goldberg's correction; .NET has no log1p).</summary>
    private static double Log1P(double y)
    {
        double u = 1.0 + y;
        return u == 1.0 ? y : Math.Log(u) * y / (u - 1.0);
    }

    /// <summary>P(D_n ≤ d) by Durbin's matrix method as Marsaglia, Tsang and Wang (2003), with scaling against overflow.</summary>
    internal static double DurbinMatrixCdf(long n, double d)
    {
        if (d >= 1.0)
        {
            return 1.0;
        }

        double nd = n * d;
        if (nd <= 0.5)
        {
            return 0.0;
        }

        int k = (int)Math.Ceiling(nd);
        double h = k - nd;
        int m = (2 * k) - 1;
        var v = new double[m];
        var w = new double[m];
        double fac = 1.0;
        for (int j = 1; j <= m; j++)
        {
            w[j - 1] = fac;
            fac /= j;
            v[j - 1] = (1.0 - Math.Pow(h, j)) * fac;
        }

        double tt = Math.Pow(Math.Max((2 * h) - 1.0, 0), m) - (2 * Math.Pow(h, m));
        v[m - 1] = (1.0 + tt) * fac;

        var hm = new double[m * m];
        for (int i = 1; i < m; i++)
        {
            for (int r = i - 1; r < m; r++)
            {
                hm[(r * m) + i] = w[r - (i - 1)];
            }
        }

        for (int r = 0; r < m; r++)
        {
            hm[r * m] = v[r];
        }

        for (int c = 0; c < m; c++)
        {
            hm[((m - 1) * m) + c] = v[m - 1 - c];
        }

        var power = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            power[(i * m) + i] = 1.0;
        }

        var scratch = new double[m * m];
        long nn = n;
        int exponent = 0;
        int hExponent = 0;
        while (nn > 0)
        {
            if (nn % 2 == 1)
            {
                Multiply(power, hm, scratch, m);
                (power, scratch) = (scratch, power);
                exponent += hExponent;
            }

            Multiply(hm, hm, scratch, m);
            (hm, scratch) = (scratch, hm);
            hExponent *= 2;
            if (Math.Abs(hm[((k - 1) * m) + k - 1]) > Ep128)
            {
                for (int i = 0; i < hm.Length; i++)
                {
                    hm[i] /= Ep128;
                }

                hExponent += 128;
            }

            nn /= 2;
        }

        double p = power[((k - 1) * m) + k - 1];
        for (long i = 1; i <= n; i++)
        {
            p = i * p / n;
            if (Math.Abs(p) < Em128)
            {
                p *= Ep128;
                exponent -= 128;
            }
        }

        if (exponent != 0)
        {
            p = Math.ScaleB(p, exponent);
        }

        return Clip(p);
    }

    private static void Multiply(double[] a, double[] b, double[] result, int m)
    {
        Array.Clear(result);
        for (int i = 0; i < m; i++)
        {
            for (int l = 0; l < m; l++)
            {
                double ail = a[(i * m) + l];
                if (ail == 0)
                {
                    continue;
                }

                for (int j = 0; j < m; j++)
                {
                    result[(i * m) + j] += ail * b[(l * m) + j];
                }
            }
        }
    }

    /// <summary>The Pelz–Good approximation to P(D_n ≤ x), as scipy's <c>_kolmogn_PelzGood</c>.</summary>
    internal static double PelzGoodCdf(long n, double x)
    {
        if (x <= 0.0)
        {
            return 0.0;
        }

        if (x >= 1.0)
        {
            return 1.0;
        }

        const double PiSquared = Math.PI * Math.PI;
        const double PiFour = PiSquared * PiSquared;
        const double PiSix = PiFour * PiSquared;
        double sqrt2Pi = Math.Sqrt(2 * Math.PI);
        double z = Math.Sqrt(n) * x;
        double z2 = z * z;
        double z3 = z2 * z;
        double z4 = z2 * z2;
        double z6 = z4 * z2;
        double qlog = -PiSquared / 8 / z2;
        if (qlog < -708)
        {
            return 0.0;
        }

        double q = Math.Exp(qlog);
        double k1a = -z2;
        double k1b = PiSquared / 4;
        double k2a = (6 * z6) + (2 * z4);
        double k2b = ((2 * z4) - (5 * z2)) * PiSquared / 4;
        double k2c = PiFour * (1 - (2 * z2)) / 16;
        double k3d = PiSix * (5 - (30 * z2)) / 64;
        double k3c = PiFour * ((-60 * z2) + (212 * z4)) / 16;
        double k3b = PiSquared * ((135 * z4) - (96 * z6)) / 4;
        double k3a = (-30 * z6) - (90 * Math.Pow(z, 8));

        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int maxk = (int)Math.Ceiling(16 * z / Math.PI);
        for (int k = maxk; k > 0; k--)
        {
            double mm = (2 * k) - 1;
            double m2 = mm * mm;
            double m4 = m2 * m2;
            double m6 = m4 * m2;
            double qpower = Math.Pow(q, 8 * k);
            s0 = (s0 * qpower) + 1.0;
            s1 = (s1 * qpower) + (k1a + (k1b * m2));
            s2 = (s2 * qpower) + (k2a + (k2b * m2) + (k2c * m4));
            s3 = (s3 * qpower) + (k3a + (k3b * m2) + (k3c * m4) + (k3d * m6));
        }

        s0 = s0 * q * sqrt2Pi / z;
        s1 = s1 * q * sqrt2Pi / (6 * z4);
        s2 = s2 * q * sqrt2Pi / (72 * Math.Pow(z, 7));
        s3 = s3 * q * sqrt2Pi / (6480 * Math.Pow(z, 10));

        double q2 = Math.Exp(-PiSquared / 2 / z2);
        double sqrt3z = Math.Sqrt(3) * z;
        double k2extra = 0;
        double k3extra = 0;
        for (int k = maxk; k > 0; k--)
        {
            double ks = (double)k * k;
            double qp = Math.Pow(q2, ks);
            k2extra += ks * qp;
            double kspi = Math.PI * k;
            k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks * qp;
        }

        s2 += k2extra * PiSquared * sqrt2Pi / (-36 * z3);
        s3 += k3extra * PiSquared * sqrt2Pi / (216 * z6);
        double sqrtN = Math.Sqrt(n);
        return s0 + (s1 / sqrtN) + (s2 / n) + (s3 / (n * sqrtN));
    }
}
