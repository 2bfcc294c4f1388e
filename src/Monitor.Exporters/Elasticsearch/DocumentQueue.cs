namespace Monitor.Exporters.Elasticsearch;

/// <summary>
/// A bounded double-ended queue of documents. When full, the oldest document makes room for the new one: the newest
/// windows say most about the model now, and a gap in history is easier to explain than a frozen present.
/// Thread-safe; callers never block.
/// </summary>
internal sealed class DocumentQueue
{
    private readonly Lock _gate = new();
    private readonly ExportDocument?[] _ring;
    private int _head;
    private int _count;
    private long _dropped;

    public DocumentQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new ExportDocument?[capacity];
    }

    /// <summary>The most documents held.</summary>
    public int Capacity => _ring.Length;

    /// <summary>Documents waiting.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Documents dropped to make room, ever.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Adds a document at the back; returns how many old documents were dropped for it (0 or 1).</summary>
    public int Enqueue(ExportDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        lock (_gate)
        {
            var dropped = 0;
            if (_count == _ring.Length)
            {
                RemoveFront();
                dropped = 1;
            }

            _ring[(_head + _count) % _ring.Length] = document;
            _count++;
            Interlocked.Add(ref _dropped, dropped);
            return dropped;
        }
    }

    /// <summary>
    /// Puts documents that must be sent again back at the front, in their order (they are older than anything
    /// queued since). Returns how many documents were dropped to stay within capacity (the oldest go first).
    /// </summary>
    public int Requeue(IReadOnlyList<ExportDocument> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        lock (_gate)
        {
            var dropped = 0;
            for (var i = documents.Count - 1; i >= 0; i--)
            {
                if (_count == _ring.Length)
                {
                    // Everything still in the list is older than the front of the queue: drop those first.
                    dropped += i + 1;
                    break;
                }

                _head = (_head - 1 + _ring.Length) % _ring.Length;
                _ring[_head] = documents[i];
                _count++;
            }

            Interlocked.Add(ref _dropped, dropped);
            return dropped;
        }
    }

    /// <summary>
    /// Takes documents from the front into <paramref name="batch"/> while the batch holds fewer than
    /// <paramref name="maxCount"/> documents and stays within <paramref name="maxBytes"/> of source (a single larger
    /// document still goes, alone). Returns the bytes taken.
    /// </summary>
    public long TakeInto(List<ExportDocument> batch, int maxCount, long maxBytes, long bytesSoFar)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (_gate)
        {
            var bytes = bytesSoFar;
            while (_count > 0 && batch.Count < maxCount)
            {
                var next = _ring[_head]!;
                var size = BulkBody.SizeOf(next);
                if (batch.Count > 0 && bytes + size > maxBytes)
                {
                    break;
                }

                RemoveFront();
                batch.Add(next);
                bytes += size;
            }

            return bytes;
        }
    }

    /// <summary>Empties the queue, returning how many documents were discarded.</summary>
    public int Clear()
    {
        lock (_gate)
        {
            var n = _count;
            Array.Clear(_ring);
            _head = 0;
            _count = 0;
            return n;
        }
    }

    private void RemoveFront()
    {
        _ring[_head] = null;
        _head = (_head + 1) % _ring.Length;
        _count--;
    }
}
