namespace Monitor.Core.Ingest;

/// <summary>The state of one decoded field.</summary>
public enum FieldState : byte
{
    /// <summary>Absent or JSON null.</summary>
    Missing = 0,

    /// <summary>Present with a usable value.</summary>
    Present = 1,

    /// <summary>Present with the wrong JSON type or a value that cannot be used (non-finite, too long).</summary>
    TypeError = 2,
}

/// <summary>
/// The reusable output buffer of <see cref="EventDecoder"/>: one slot per numeric and categorical field of the
/// schema. A decoder writes into the same instance for every message, so steady-state decoding allocates only
/// the event id (which the label join must keep).
/// </summary>
public sealed class DecodedEvent
{
    /// <summary>The longest category value accepted, in chars; longer values are type errors.</summary>
    public const int MaxCategoryLength = 256;

    private readonly char[][] _categories;
    private readonly int[] _categoryLengths;

    /// <summary>Creates a buffer with the given slot counts.</summary>
    public DecodedEvent(int numericSlots, int categoricalSlots)
    {
        Numeric = new double[numericSlots];
        NumericState = new FieldState[numericSlots];
        _categories = new char[categoricalSlots][];
        for (int i = 0; i < categoricalSlots; i++)
        {
            _categories[i] = new char[MaxCategoryLength];
        }

        _categoryLengths = new int[categoricalSlots];
        CategoricalState = new FieldState[categoricalSlots];
    }

    /// <summary>The event id (string, or a number's text); <see langword="null"/> when absent.</summary>
    public string? EventId { get; internal set; }

    /// <summary>The model version field; <see langword="null"/> when absent.</summary>
    public string? ModelVersion { get; internal set; }

    /// <summary>The event time.</summary>
    public DateTimeOffset Timestamp { get; internal set; }

    /// <summary>Numeric slot values (valid where <see cref="NumericState"/> is Present).</summary>
    public double[] Numeric { get; }

    /// <summary>Per numeric slot state.</summary>
    public FieldState[] NumericState { get; }

    /// <summary>Per categorical slot state.</summary>
    public FieldState[] CategoricalState { get; }

    /// <summary>The category text of a slot (valid where <see cref="CategoricalState"/> is Present).</summary>
    public ReadOnlySpan<char> Category(int slot) => _categories[slot].AsSpan(0, _categoryLengths[slot]);

    internal Span<char> CategoryBuffer(int slot) => _categories[slot];

    internal void SetCategoryLength(int slot, int length) => _categoryLengths[slot] = length;

    internal void Reset()
    {
        EventId = null;
        ModelVersion = null;
        Timestamp = default;
        Array.Clear(NumericState);
        Array.Clear(CategoricalState);
    }
}
