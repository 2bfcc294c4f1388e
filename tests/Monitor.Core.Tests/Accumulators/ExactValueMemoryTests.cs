using Monitor.Core.Accumulators;

namespace Monitor.Core.Tests.Accumulators;

[CollectionDefinition(nameof(ExactValueMemoryTests), DisableParallelization = true)]
public sealed class ExactValueMemoryAlone;

/// <summary>The pool is process-wide: these run alone, so no other test takes or returns chunks meanwhile.</summary>
[Collection(nameof(ExactValueMemoryTests))]
public sealed class ExactValueMemoryTests
{
    [Fact]
    public void ReleasedToCollector_CountsTheChunksThePoolCannotKeep()
    {
        // Fill the pool to its bound with chunks released by a switch to sketches, then release more.
        var values = new ChunkedValues();
        for (int i = 0; i < (ValueChunkPool.MaxRetained + 3) * ChunkedValues.ChunkLength; i++)
        {
            values.Add(i);
        }

        var keep = new List<double[]>();
        for (int i = 0; i < ValueChunkPool.MaxRetained; i++)
        {
            keep.Add(ValueChunkPool.Rent()); // the pool is empty now, whatever earlier tests left in it
        }

        foreach (var chunk in keep)
        {
            ValueChunkPool.Return(chunk); // and full
        }

        long before = ExactValueMemory.ReleasedToCollector;
        values.Clear();

        // The 64-value first chunk grew into a full chunk, so every chunk of the accumulator is a full one.
        long chunks = ValueChunkPool.MaxRetained + 3;
        Assert.Equal(chunks * ChunkedValues.ChunkLength * sizeof(double), ExactValueMemory.ReleasedToCollector - before);
    }
}
