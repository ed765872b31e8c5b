package io.antidote.nn;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** A tensor's dtype, shape and little-endian bytes held in Java: what checkpoints and safetensors files carry. */
public record TensorData(String dtype, long[] shape, byte[] data) {
    public TensorData {
        long n = 1;
        for (long s : shape) n *= s;
        if (n * elementSize(dtype) != data.length) {
            throw new IllegalArgumentException("tensor of dtype " + dtype + " and shape " + Arrays.toString(shape)
                    + " needs " + n * elementSize(dtype) + " bytes, got " + data.length);
        }
    }

    /** Bytes per element of a safetensors dtype name. */
    public static int elementSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "U8", "I8", "BOOL" -> 1;
            default -> throw new io.antidote.BadInputException("unsupported tensor dtype '" + dtype + "'");
        };
    }

    public long numel() {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    public static TensorData ofFloats(float[] v, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return new TensorData("F32", shape, b.array());
    }

    public float[] floats() {
        if (!dtype.equals("F32")) throw new IllegalStateException("dtype " + dtype + " is not F32");
        float[] out = new float[data.length / 4];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorData t && dtype.equals(t.dtype) && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return dtype.hashCode() * 31 + Arrays.hashCode(shape) * 17 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }
}
