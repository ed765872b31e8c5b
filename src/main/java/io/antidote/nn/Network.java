package io.antidote.nn;

import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.javacpp.LongPointer;

import java.util.List;

/**
 * A classifier whose forward pass also exposes named intermediate feature maps (the residual
 * group outputs) for attention distillation, pruning and detectors.
 */
public abstract class Network extends Module {
    /** Logits only. */
    public Tensor forward(Tensor x) {
        Tensor[] t = forwardTaps(x);
        return t[t.length - 1];
    }

    /** Group outputs in order, then the logits as the last element. */
    public abstract Tensor[] forwardTaps(Tensor x);

    /** Names of the tapped feature maps, in forwardTaps order (logits excluded). */
    public abstract List<String> tapNames();

    /** Name of the final linear layer's parameters prefix (for last-layer fine-tuning). */
    public abstract String headName();

    /**
     * The pooled feature vector the head sees (N×F), for defenses that rank or prune the last
     * layer's channels. Not abstract, so an architecture without it still builds.
     */
    public Tensor headInputs(Tensor x) {
        throw new io.antidote.BadInputException("this architecture does not expose the inputs of its head");
    }

    protected static Conv2dImpl conv(long in, long out, long k, long stride, long pad) {
        Conv2dOptions o = new Conv2dOptions(in, out, new LongPointer(k, k));
        o.stride().put(new long[]{stride, stride});
        o.padding().put(new LongPointer(pad, pad));
        o.bias().put(false);
        Conv2dImpl c = new Conv2dImpl(o);
        // He init with fan_out as both references do: std = sqrt(2 / (k*k*out))
        try (NoGradGuard g = new NoGradGuard()) {
            c.weight().normal_(0.0, Math.sqrt(2.0 / (k * k * out)), new org.bytedeco.pytorch.GeneratorOptional());
        }
        return c;
    }

    /** Running-statistics momentum of every BN layer: libtorch's default, which {@link #bn} keeps. */
    static final double BN_MOMENTUM = 0.1;

    protected static BatchNorm2dImpl bn(long c) {
        return new BatchNorm2dImpl(new BatchNormOptions(c));
    }

    protected static LinearImpl linear(long in, long out) {
        return new LinearImpl(in, out);
    }
}
