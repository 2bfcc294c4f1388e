using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Monitor.Core.Sketches;

/// <summary>
/// Sorts the short runs of finite doubles that <see cref="KllSketch"/> compacts (level 0: mostly 8–40 items)
/// with a branch-free bitonic sorting network in AVX2 registers, producing exactly the sequence
/// <see cref="MemoryExtensions.Sort{T}(Span{T})"/> produces.
/// </summary>
/// <remarks>
/// <para>
/// Why: the level-0 sort is about two thirds of the cost of <see cref="KllSketch.Update"/>, and for runs this
/// short a comparison sort spends most of its time on mispredicted branches. A network does a fixed
/// sequence of vector min/max steps whatever the data. Runs are padded with +∞ to the next power of two
/// (at least 8). Runs of 4 to 32 items are loaded straight into registers and the whole network stays there;
/// longer runs (up to <see cref="MaxNetworkLength"/>) are copied to a stack buffer, sorted in 32-item blocks in
/// registers and merged in the buffer. Shorter and longer runs, and every run when AVX2 is unavailable, use the
/// framework's sort.
/// </para>
/// <para>
/// Same output: for finite doubles, values that compare equal have identical bits, except −0.0 and +0.0. The
/// network's min/max (vminpd/vmaxpd) would return the same zero for both operands of an equal pair, turning
/// a −0.0 into +0.0, so a run containing −0.0 is left to the framework's sort: every run therefore comes out
/// bit-for-bit as before, and a sketch's contents and serialised bytes do not depend on which path sorted it.
/// Values must be finite (the sketch rejects NaN and infinities); no allocation.
/// </para>
/// </remarks>
internal static class SmallSort
{
    /// <summary>The longest run the network sorts; longer runs are rare (the first compactions only).</summary>
    internal const int MaxNetworkLength = 256;

    private const int RegisterLength = 32;
    private const int Width = 4;
    private const long NegativeZeroBits = long.MinValue;

    /// <summary>Sorts <paramref name="values"/> (finite) ascending, exactly as <c>values.Sort()</c> would.</summary>
    public static void Sort(Span<double> values)
    {
        int n = values.Length;
        if (n < Width || n > MaxNetworkLength || !Avx2.IsSupported)
        {
            values.Sort();
            return;
        }

        bool sorted = n <= RegisterLength ? SortShort(values) : SortLong(values);
        if (!sorted)
        {
            values.Sort();
        }
    }

    // 4 ≤ n ≤ 32, in registers. False, with values untouched, if they hold a −0.0.
    private static bool SortShort(Span<double> values)
    {
        int n = values.Length;
        ref double source = ref MemoryMarshal.GetReference(values);
        var negativeZero = Vector256<long>.Zero;
        int size = n <= 8 ? 8 : (int)BitOperations.RoundUpToPowerOf2((uint)n);
        Span<double> buffer = stackalloc double[size];
        ref double b = ref MemoryMarshal.GetReference(buffer);
        if (size == 8)
        {
            var v0 = LoadPadded(ref source, n, 0, ref negativeZero);
            var v1 = LoadPadded(ref source, n, 1, ref negativeZero);
            if (negativeZero != Vector256<long>.Zero)
            {
                return false;
            }

            v0 = SortLanes(v0);
            v1 = SortLanes(v1);
            Merge8(ref v0, ref v1);
            Store(ref b, 0, v0);
            Store(ref b, 1, v1);
        }
        else if (size == 16)
        {
            var v0 = LoadPadded(ref source, n, 0, ref negativeZero);
            var v1 = LoadPadded(ref source, n, 1, ref negativeZero);
            var v2 = LoadPadded(ref source, n, 2, ref negativeZero);
            var v3 = LoadPadded(ref source, n, 3, ref negativeZero);
            if (negativeZero != Vector256<long>.Zero)
            {
                return false;
            }

            Sort16(ref v0, ref v1, ref v2, ref v3);
            Store(ref b, 0, v0);
            Store(ref b, 1, v1);
            Store(ref b, 2, v2);
            Store(ref b, 3, v3);
        }
        else
        {
            var v0 = LoadPadded(ref source, n, 0, ref negativeZero);
            var v1 = LoadPadded(ref source, n, 1, ref negativeZero);
            var v2 = LoadPadded(ref source, n, 2, ref negativeZero);
            var v3 = LoadPadded(ref source, n, 3, ref negativeZero);
            var v4 = LoadPadded(ref source, n, 4, ref negativeZero);
            var v5 = LoadPadded(ref source, n, 5, ref negativeZero);
            var v6 = LoadPadded(ref source, n, 6, ref negativeZero);
            var v7 = LoadPadded(ref source, n, 7, ref negativeZero);
            if (negativeZero != Vector256<long>.Zero)
            {
                return false;
            }

            Sort32(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7);
            Store(ref b, 0, v0);
            Store(ref b, 1, v1);
            Store(ref b, 2, v2);
            Store(ref b, 3, v3);
            Store(ref b, 4, v4);
            Store(ref b, 5, v5);
            Store(ref b, 6, v6);
            Store(ref b, 7, v7);
        }

        // Copy back without a length-dependent branch: vectors past the end rewrite the last four items.
        for (int i = 0; i < size; i += Width)
        {
            nuint offset = (nuint)Math.Min(i, n - Width);
            Vector256.LoadUnsafe(ref b, offset).StoreUnsafe(ref source, offset);
        }

        return true;
    }

    // Vector number `vector` of the run padded with +∞, without a length-dependent branch: past the end the load
    // is clamped to the last four items and the lanes that belong to earlier vectors become +∞. Notes any −0.0.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> LoadPadded(ref double source, int n, int vector, ref Vector256<long> negativeZero)
    {
        int start = vector * Width;
        int offset = Math.Min(start, n - Width);
        var x = Vector256.LoadUnsafe(ref source, (nuint)offset);
        negativeZero |= Vector256.Equals(x.AsInt64(), Vector256.Create(NegativeZeroBits));
        var position = Vector256.Create(0L, 1, 2, 3) + Vector256.Create((long)(offset - start));
        var earlier = Vector256.LessThan(position, Vector256<long>.Zero).AsDouble();
        return Vector256.ConditionalSelect(earlier, Vector256.Create(double.PositiveInfinity), x);
    }

    // 32 < n ≤ MaxNetworkLength, in a padded stack buffer. False, with values untouched, if they hold a −0.0.
    private static bool SortLong(Span<double> values)
    {
        int n = values.Length;
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)n);
        Span<double> buffer = stackalloc double[size];
        values.CopyTo(buffer);
        buffer[n..].Fill(double.PositiveInfinity);
        ref double b = ref MemoryMarshal.GetReference(buffer);
        var negativeZero = Vector256<long>.Zero;
        for (int i = 0; i < size; i += Width)
        {
            negativeZero |= Vector256.Equals(Vector256.LoadUnsafe(ref b, (nuint)i).AsInt64(), Vector256.Create(NegativeZeroBits));
        }

        if (negativeZero != Vector256<long>.Zero)
        {
            return false;
        }

        BitonicSort(ref b, size / Width);
        buffer[..n].CopyTo(values);
        return true;
    }

    private static void Sort32(ref double b)
    {
        var v0 = Load(ref b, 0);
        var v1 = Load(ref b, 1);
        var v2 = Load(ref b, 2);
        var v3 = Load(ref b, 3);
        var v4 = Load(ref b, 4);
        var v5 = Load(ref b, 5);
        var v6 = Load(ref b, 6);
        var v7 = Load(ref b, 7);
        Sort32(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7);
        Store(ref b, 0, v0);
        Store(ref b, 1, v1);
        Store(ref b, 2, v2);
        Store(ref b, 3, v3);
        Store(ref b, 4, v4);
        Store(ref b, 5, v5);
        Store(ref b, 6, v6);
        Store(ref b, 7, v7);
    }

    // vectors: a power of two, at least 16 (64 items). Sorts 32-item blocks in registers, then merges in memory.
    private static void BitonicSort(ref double b, int vectors)
    {
        for (int block = 0; block < vectors; block += RegisterLength / Width)
        {
            Sort32(ref Unsafe.Add(ref b, block * Width));
        }

        for (int blockVectors = 2 * RegisterLength / Width; blockVectors <= vectors; blockVectors *= 2)
        {
            int halfBlock = blockVectors / 2;
            for (int block = 0; block < vectors; block += blockVectors)
            {
                // Element i of the lower half against element (block size − 1 − i); the upper half is stored
                // lane-reversed, which leaves it bitonic.
                for (int t = 0; t < halfBlock; t++)
                {
                    var a = Load(ref b, block + t);
                    var r = Reverse(Load(ref b, block + blockVectors - 1 - t));
                    Store(ref b, block + t, Avx.Min(a, r));
                    Store(ref b, block + blockVectors - 1 - t, Avx.Max(a, r));
                }
            }

            for (int distance = halfBlock / 2; distance >= 1; distance /= 2)
            {
                for (int group = 0; group < vectors; group += 2 * distance)
                {
                    for (int t = 0; t < distance; t++)
                    {
                        var a = Load(ref b, group + t);
                        var c = Load(ref b, group + t + distance);
                        Store(ref b, group + t, Avx.Min(a, c));
                        Store(ref b, group + t + distance, Avx.Max(a, c));
                    }
                }
            }

            for (int v = 0; v < vectors; v++)
            {
                Store(ref b, v, CleanLanes(Load(ref b, v)));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Sort16(ref Vector256<double> v0, ref Vector256<double> v1, ref Vector256<double> v2, ref Vector256<double> v3)
    {
        // Sort the four columns (a 5-comparator network), then transpose: each vector is sorted.
        Exchange(ref v0, ref v1);
        Exchange(ref v2, ref v3);
        Exchange(ref v0, ref v2);
        Exchange(ref v1, ref v3);
        Exchange(ref v1, ref v2);
        var t0 = Avx.UnpackLow(v0, v1);
        var t1 = Avx.UnpackHigh(v0, v1);
        var t2 = Avx.UnpackLow(v2, v3);
        var t3 = Avx.UnpackHigh(v2, v3);
        v0 = Avx.Permute2x128(t0, t2, 0x20);
        v1 = Avx.Permute2x128(t1, t3, 0x20);
        v2 = Avx.Permute2x128(t0, t2, 0x31);
        v3 = Avx.Permute2x128(t1, t3, 0x31);

        Merge8(ref v0, ref v1);
        Merge8(ref v2, ref v3);

        Flip(ref v0, ref v3);
        Flip(ref v1, ref v2);

        // The upper half is v3, v2.
        Exchange(ref v0, ref v1);
        Exchange(ref v3, ref v2);
        v0 = CleanLanes(v0);
        v1 = CleanLanes(v1);
        var upper0 = CleanLanes(v3);
        var upper1 = CleanLanes(v2);
        v2 = upper0;
        v3 = upper1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Sort32(
        ref Vector256<double> v0,
        ref Vector256<double> v1,
        ref Vector256<double> v2,
        ref Vector256<double> v3,
        ref Vector256<double> v4,
        ref Vector256<double> v5,
        ref Vector256<double> v6,
        ref Vector256<double> v7)
    {
        Sort16(ref v0, ref v1, ref v2, ref v3);
        Sort16(ref v4, ref v5, ref v6, ref v7);

        // Merge: flip, then half-cleaners at 2 and 1 vectors, then inside each vector.
        Flip(ref v0, ref v7);
        Flip(ref v1, ref v6);
        Flip(ref v2, ref v5);
        Flip(ref v3, ref v4);

        // The upper half is now v7, v6, v5, v4 (each lane-reversed: still bitonic, which is all the cleaners need).
        Exchange(ref v0, ref v2);
        Exchange(ref v1, ref v3);
        Exchange(ref v7, ref v5);
        Exchange(ref v6, ref v4);
        Exchange(ref v0, ref v1);
        Exchange(ref v2, ref v3);
        Exchange(ref v7, ref v6);
        Exchange(ref v5, ref v4);
        var upper0 = CleanLanes(v7);
        var upper1 = CleanLanes(v6);
        var upper2 = CleanLanes(v5);
        var upper3 = CleanLanes(v4);
        v0 = CleanLanes(v0);
        v1 = CleanLanes(v1);
        v2 = CleanLanes(v2);
        v3 = CleanLanes(v3);
        v4 = upper0;
        v5 = upper1;
        v6 = upper2;
        v7 = upper3;
    }

    // v0 and v1 each sorted: afterwards v0, v1 is sorted.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Merge8(ref Vector256<double> v0, ref Vector256<double> v1)
    {
        Flip(ref v0, ref v1);
        v0 = CleanLanes(v0);
        v1 = CleanLanes(v1);
    }

    // Lane i of low against lane 3 − i of high: low gets the minima, high the maxima (lane-reversed).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Flip(ref Vector256<double> low, ref Vector256<double> high)
    {
        var r = Reverse(high);
        high = Avx.Max(low, r);
        low = Avx.Min(low, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Exchange(ref Vector256<double> low, ref Vector256<double> high)
    {
        var min = Avx.Min(low, high);
        high = Avx.Max(low, high);
        low = min;
    }

    // Sorts the four lanes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> SortLanes(Vector256<double> x) =>
        ExchangeAdjacent(ExchangeReversed(ExchangeAdjacent(x)));

    // Sorts four lanes holding a bitonic sequence: half-cleaners at distance 2, then 1.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> CleanLanes(Vector256<double> x) => ExchangeAdjacent(ExchangeHalves(x));

    // Lanes (0,1) and (2,3): the smaller to the even lane.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ExchangeAdjacent(Vector256<double> x)
    {
        var p = Avx.Permute(x, 0b0101);
        return Avx.Blend(Avx.Min(x, p), Avx.Max(x, p), 0b1010);
    }

    // Lanes (0,3) and (1,2): the smaller to the lower lane.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ExchangeReversed(Vector256<double> x)
    {
        var p = Reverse(x);
        return Avx.Blend(Avx.Min(x, p), Avx.Max(x, p), 0b1100);
    }

    // Lanes (0,2) and (1,3): the smaller to the lower lane.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ExchangeHalves(Vector256<double> x)
    {
        var p = Avx2.Permute4x64(x, 0b01_00_11_10);
        return Avx.Blend(Avx.Min(x, p), Avx.Max(x, p), 0b1100);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Reverse(Vector256<double> x) => Avx2.Permute4x64(x, 0b00_01_10_11);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Load(ref double b, int vector) =>
        Vector256.LoadUnsafe(ref b, (nuint)(vector * Width));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref double b, int vector, Vector256<double> x) =>
        x.StoreUnsafe(ref b, (nuint)(vector * Width));
}
