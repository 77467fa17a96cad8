using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Continuum.Search;

/// <summary>
/// How the stores keep vectors: half-precision floats, little-endian, two bytes a dimension (768 bytes for the
/// embedded model's 384 dimensions, half of float32). Cosine rankings barely move at this precision (measured in
/// docs/search.md); rows written as float32 before it stay readable through <see cref="FromSingle"/>.
/// </summary>
public static class VectorCodec
{
    /// <summary>The bytes a stored dimension takes in the current encoding.</summary>
    public const int HalfBytes = 2;

    /// <summary>The bytes a dimension took in the float32 rows written before half precision.</summary>
    public const int SingleBytes = 4;

    /// <summary>The vector as half-precision bytes.</summary>
    public static byte[] ToHalf(ReadOnlySpan<float> vector)
    {
        var half = new Half[vector.Length];
        TensorPrimitives.ConvertToHalf(vector, half);
        return MemoryMarshal.AsBytes(half.AsSpan()).ToArray();
    }

    /// <summary>The vector of half-precision <paramref name="bytes"/>.</summary>
    public static float[] FromHalf(ReadOnlySpan<byte> bytes)
    {
        var half = MemoryMarshal.Cast<byte, Half>(bytes);
        var vector = new float[half.Length];
        TensorPrimitives.ConvertToSingle(half, vector);
        return vector;
    }

    /// <summary>The vector of float32 <paramref name="bytes"/> (rows written before half precision).</summary>
    public static float[] FromSingle(ReadOnlySpan<byte> bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    /// <summary>The vector of stored <paramref name="bytes"/> written with <paramref name="bytesPerDimension"/>.</summary>
    public static float[] Decode(ReadOnlySpan<byte> bytes, int bytesPerDimension) =>
        bytesPerDimension == HalfBytes ? FromHalf(bytes) : FromSingle(bytes);
}
