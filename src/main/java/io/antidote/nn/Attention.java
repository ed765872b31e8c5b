package io.antidote.nn;

import io.antidote.BadInputException;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Attention maps of NAD (Li et al., ICLR 2021), following the reference code: A = Σ_c |F_c|^p
 * over the channels, flattened, divided by (its per-sample L2 norm + 1e-6).
 */
public final class Attention {
    /** The reference adds this to the norm rather than clamping it, so a zero map stays zero. */
    static final double EPS = 1e-6;

    private Attention() {}

    /**
     * N×C×H×W features to N×(H·W) maps. The channel sum (not mean) is the reference's choice; after
     * normalisation the two differ only through EPS, so sum keeps the numbers identical.
     */
    static Tensor map(Tensor features, double p) {
        Tensor f = features.to(torch.ScalarType.Float);
        Tensor a = f.abs().pow(new Scalar(p)).sum(new long[]{1}, false, new ScalarTypeOptional()).flatten(1, -1);
        Tensor norm = a.norm(new ScalarOptional(new Scalar(2.0)), new long[]{1}, true);
        return a.div(norm.add(new Scalar(EPS)));
    }

    /** The distance between two batches of maps; the teacher's side must already be detached. */
    static Tensor loss(Tensor student, Tensor teacher, AttentionLoss form) {
        Tensor d = student.sub(teacher);
        return switch (form) {
            case MSE -> d.square().mean();
            case L2 -> d.norm(new ScalarOptional(new Scalar(2.0)), new long[]{1}, false).mean();
        };
    }

    /** The map of row-major N×C×H×W floats, for tests and figures; returns N×(H·W) floats. */
    public static float[] map(float[] nchw, int n, int c, int h, int w, double p) {
        if ((long) n * c * h * w != nchw.length) {
            throw new BadInputException("attention map: " + nchw.length + " values do not make a " + n + "x" + c + "x" + h + "x" + w + " tensor");
        }
        if (!(p > 0)) throw new BadInputException("attention power p " + p + " must be > 0");
        try (PointerScope s = StepScope.open()) {
            return Tensors.toFloats(map(Tensors.floats(nchw, nchw.length).view(n, c, h, w), p));
        }
    }

    /** The loss between two sets of N×K maps given as floats. */
    public static double loss(float[] student, float[] teacher, int n, AttentionLoss form) {
        if (student.length != teacher.length || n <= 0 || student.length % n != 0) {
            throw new BadInputException("attention loss: maps of " + student.length + " and " + teacher.length + " values for " + n + " samples");
        }
        try (PointerScope s = StepScope.open()) {
            int k = student.length / n;
            return loss(Tensors.floats(student, student.length).view(n, k), Tensors.floats(teacher, teacher.length).view(n, k), form).item_double();
        }
    }
}
