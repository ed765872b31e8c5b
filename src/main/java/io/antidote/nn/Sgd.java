package io.antidote.nn;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SGD with PyTorch semantics: weight decay added to the gradient, momentum buffer b = m·b + g
 * (dampening 0, b = g on the first step), Nesterov direction g + m·b.
 */
public final class Sgd extends Optimizer {
    /** SGD hyper-parameters; the learning rate comes from the schedule. */
    public record Options(double lr, double momentum, boolean nesterov, double weightDecay) {
        public static Options reference() { return new Options(0.1, 0.9, true, 1e-4); }
    }

    private final Options o;
    /** One momentum vector laid out as flat's values; null when the parameters could not be flattened. */
    private final Tensor flatMomentum;
    /** Per-parameter momentum tensors (views of flatMomentum when there is one), for checkpoints. */
    private final List<Tensor> buffers = new ArrayList<>();

    Sgd(List<String> names, List<Tensor> params, Options o) {
        this(names, params, o, true);
    }

    /** With flatten false the parameters stay where they are and are stepped one by one (the check on the flat path). */
    Sgd(List<String> names, List<Tensor> params, Options o, boolean flatten) {
        super(names, params, o.lr(), flatten);
        this.o = o;
        if (flat != null) {
            flatMomentum = torch.zeros_like(flat.values());
            for (int i = 0; i < params.size(); i++) buffers.add(flat.viewOf(flatMomentum, i));
        } else {
            flatMomentum = null;
            for (Tensor p : params) buffers.add(torch.zeros_like(p));
        }
    }

    @Override
    void release() {
        for (Tensor b : buffers) b.close();
        if (flatMomentum != null) flatMomentum.close();
        super.release();
    }

    @Override
    void step() {
        checkLive();
        Scalar mom = new Scalar(o.momentum());
        Scalar wd = new Scalar(o.weightDecay());
        Scalar neglr = new Scalar(-lr);
        if (flatMomentum != null) {
            // the same element-wise operations as below, once over all parameters
            flat.bind();
            Tensor p = flat.values();
            Tensor g = flat.grads();
            Tensor d = o.weightDecay() != 0 ? g.add(p, wd) : g;
            if (o.momentum() != 0) {
                flatMomentum.mul_(mom).add_(d);
                d = o.nesterov() ? d.add(flatMomentum, mom) : flatMomentum;
            }
            p.add_(d, neglr);
            steps++;
            return;
        }
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            Tensor g = p.grad();
            if (!g.defined()) continue;
            if (o.weightDecay() != 0) g = g.add(p, wd);
            Tensor d = g;
            if (o.momentum() != 0) {
                Tensor b = buffers.get(i);
                // zero-initialised buffer makes the first step b = g, as PyTorch's lazy init does
                b.mul_(mom).add_(g);
                d = o.nesterov() ? g.add(b, mom) : b;
            }
            p.add_(d, neglr);
        }
        steps++;
    }

    @Override
    public Map<String, TensorData> state() {
        Map<String, TensorData> m = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) m.put(names.get(i) + "/momentum", Tensors.toData(buffers.get(i)));
        m.put("__steps__", TensorData.ofFloats(new float[]{steps}, 1));
        return m;
    }

    @Override
    public void loadState(Map<String, TensorData> state) {
        for (int i = 0; i < params.size(); i++) {
            TensorData t = state.get(names.get(i) + "/momentum");
            if (t != null) Tensors.copyInto(buffers.get(i), t);
        }
        TensorData s = state.get("__steps__");
        if (s != null) steps = (long) s.floats()[0];
    }
}
