package io.antidote.nn;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** Conversions between libtorch tensors and Java arrays; package-private so JavaCPP stays inside nn. */
final class Tensors {
    private Tensors() {}

    static Tensor empty(torch.ScalarType type, long... shape) {
        return torch.empty(shape, new TensorOptions(type), new MemoryFormatOptional());
    }

    /** uint8 N×H×W×C bytes as a float N×C×H×W tensor in [0,1] whose memory stays NHWC (channels-last). */
    static Tensor images(byte[] nhwc, int n, int h, int w, int c) {
        Tensor u8 = empty(torch.ScalarType.Byte, n, h, w, c);
        u8.data_ptr_byte().put(nhwc, 0, n * h * w * c);
        return u8.permute(0, 3, 1, 2).to(torch.ScalarType.Float).div_(new org.bytedeco.pytorch.Scalar(255.0f));
    }

    static Tensor longs(int[] v, int n) {
        Tensor t = empty(torch.ScalarType.Long, n);
        long[] l = new long[n];
        for (int i = 0; i < n; i++) l[i] = v[i];
        t.data_ptr_long().put(l);
        return t;
    }

    static Tensor floats(float[] v, int n) {
        Tensor t = empty(torch.ScalarType.Float, n);
        t.data_ptr_float().put(v, 0, n);
        return t;
    }

    static float[] toFloats(Tensor t) {
        Tensor c = t.detach().to(torch.ScalarType.Float).contiguous();
        float[] out = new float[(int) c.numel()];
        new FloatPointer(c.data_ptr()).get(out);
        return out;
    }

    static long[] toLongs(Tensor t) {
        Tensor c = t.detach().to(torch.ScalarType.Long).contiguous();
        long[] out = new long[(int) c.numel()];
        new LongPointer(c.data_ptr()).get(out);
        return out;
    }

    static String dtype(torch.ScalarType s) {
        // switch on the native value: JavaCPP builds enums returned from native code without name or ordinal
        return switch (s.value) {
            case 6 -> "F32"; // Float
            case 7 -> "F64"; // Double
            case 4 -> "I64"; // Long
            case 3 -> "I32"; // Int
            case 15 -> "BF16"; // BFloat16
            case 5 -> "F16"; // Half
            case 0 -> "U8"; // Byte
            case 1 -> "I8"; // Char
            case 11 -> "BOOL"; // Bool
            default -> throw new IllegalArgumentException("unsupported scalar type " + s);
        };
    }

    static torch.ScalarType scalarType(String dtype) {
        return switch (dtype) {
            case "F32" -> torch.ScalarType.Float;
            case "F64" -> torch.ScalarType.Double;
            case "I64" -> torch.ScalarType.Long;
            case "I32" -> torch.ScalarType.Int;
            case "BF16" -> torch.ScalarType.BFloat16;
            case "F16" -> torch.ScalarType.Half;
            case "U8" -> torch.ScalarType.Byte;
            case "I8" -> torch.ScalarType.Char;
            case "BOOL" -> torch.ScalarType.Bool;
            default -> throw new io.antidote.BadInputException("unsupported tensor dtype '" + dtype + "'");
        };
    }

    /** Logical (row-major) bytes of a tensor, whatever its memory format. */
    static TensorData toData(Tensor t) {
        Tensor c = t.detach().contiguous();
        long[] shape = c.sizes().vec().get();
        byte[] b = new byte[(int) (c.numel() * c.element_size())];
        new BytePointer(c.data_ptr()).capacity(b.length).get(b);
        return new TensorData(dtype(c.scalar_type()), shape, b);
    }

    static Tensor fromData(TensorData d) {
        Tensor t = empty(scalarType(d.dtype()), d.shape());
        new BytePointer(t.data_ptr()).capacity(d.data().length).put(d.data());
        return t;
    }

    /** Copies values into an existing tensor in place (keeps its memory format and autograd identity). */
    static void copyInto(Tensor dst, TensorData src) {
        long[] shape = dst.sizes().vec().get();
        if (!java.util.Arrays.equals(shape, src.shape())) {
            throw new io.antidote.BadInputException("tensor shape " + java.util.Arrays.toString(src.shape())
                    + " does not match the model's " + java.util.Arrays.toString(shape));
        }
        try (NoGradGuard g = new NoGradGuard()) {
            dst.copy_(fromData(src));
        }
    }
}
