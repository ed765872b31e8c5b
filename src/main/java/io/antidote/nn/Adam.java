package io.antidote.nn;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Adam with bias correction and either L2 weight decay added to the gradient (PyTorch's Adam) or decoupled decay (AdamW). */
public final class Adam extends Optimizer {
    /**
     * Adam hyper-parameters; the learning rate comes from the schedule.
     *
     * @param decoupled weightDecay shrinks the weights by lr x weightDecay each step (AdamW) instead of joining the gradient
     */
    public record Options(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        /** L2 weight decay added to the gradient, as PyTorch's Adam. */
        public Options(double lr, double beta1, double beta2, double eps, double weightDecay) {
            this(lr, beta1, beta2, eps, weightDecay, false);
        }

        public static Options reference(double lr) { return new Options(lr, 0.9, 0.999, 1e-8, 0); }

        /** PyTorch's AdamW defaults but for the decay. */
        public static Options adamW(double lr, double weightDecay) { return new Options(lr, 0.9, 0.999, 1e-8, weightDecay, true); }
    }

    private final Options o;
    /** First and second moments laid out as flat's values; null when the parameters could not be flattened. */
    private final Tensor flatM, flatV;
    /** Per-parameter moments (views of flatM and flatV when they exist), for checkpoints. */
    private final List<Tensor> m = new ArrayList<>();
    private final List<Tensor> v = new ArrayList<>();

    Adam(List<String> names, List<Tensor> params, Options o) {
        this(names, params, o, true);
    }

    /** With flatten false the parameters stay where they are and are stepped one by one. */
    Adam(List<String> names, List<Tensor> params, Options o, boolean flatten) {
        super(names, params, o.lr(), flatten);
        this.o = o;
        if (flat != null) {
            flatM = torch.zeros_like(flat.values());
            flatV = torch.zeros_like(flat.values());
            for (int i = 0; i < params.size(); i++) {
                m.add(flat.viewOf(flatM, i));
                v.add(flat.viewOf(flatV, i));
            }
        } else {
            flatM = null;
            flatV = null;
            for (Tensor p : params) {
                m.add(torch.zeros_like(p));
                v.add(torch.zeros_like(p));
            }
        }
    }

    @Override
    void release() {
        for (Tensor t : m) t.close();
        for (Tensor t : v) t.close();
        if (flatM != null) flatM.close();
        if (flatV != null) flatV.close();
        super.release();
    }

    @Override
    void step() {
        checkLive();
        steps++;
        double bc1 = 1 - Math.pow(o.beta1(), steps);
        double bc2 = 1 - Math.pow(o.beta2(), steps);
        Scalar one_b1 = new Scalar(1 - o.beta1());
        Scalar b2 = new Scalar(o.beta2());
        Scalar one_b2 = new Scalar(1 - o.beta2());
        Scalar stepSize = new Scalar(-lr / bc1);
        Scalar eps = new Scalar(o.eps());
        Scalar invSqrtBc2 = new Scalar(1.0 / Math.sqrt(bc2));
        // AdamW shrinks before the moment update, as torch.optim.AdamW does
        Scalar shrink = o.decoupled() && o.weightDecay() != 0 ? new Scalar(1 - lr * o.weightDecay()) : null;
        if (flatM != null) {
            // the same element-wise operations as below, once over all parameters
            flat.bind();
            Tensor p = flat.values();
            Tensor g = flat.grads();
            if (shrink != null) p.mul_(shrink);
            else if (o.weightDecay() != 0) g = g.add(p, new Scalar(o.weightDecay()));
            flatM.lerp_(g, one_b1);
            flatV.mul_(b2).addcmul_(g, g, one_b2);
            Tensor denom = flatV.sqrt().mul_(invSqrtBc2).add_(eps);
            p.addcdiv_(flatM, denom, stepSize);
            return;
        }
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            Tensor g = p.grad();
            if (!g.defined()) continue;
            if (shrink != null) p.mul_(shrink);
            else if (o.weightDecay() != 0) g = g.add(p, new Scalar(o.weightDecay()));
            m.get(i).lerp_(g, one_b1);
            v.get(i).mul_(b2).addcmul_(g, g, one_b2);
            Tensor denom = v.get(i).sqrt().mul_(invSqrtBc2).add_(eps);
            p.addcdiv_(m.get(i), denom, stepSize);
        }
    }

    @Override
    public Map<String, TensorData> state() {
        Map<String, TensorData> s = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            s.put(names.get(i) + "/exp_avg", Tensors.toData(m.get(i)));
            s.put(names.get(i) + "/exp_avg_sq", Tensors.toData(v.get(i)));
        }
        s.put("__steps__", TensorData.ofFloats(new float[]{steps}, 1));
        return s;
    }

    @Override
    public void loadState(Map<String, TensorData> s) {
        for (int i = 0; i < params.size(); i++) {
            TensorData a = s.get(names.get(i) + "/exp_avg");
            TensorData b = s.get(names.get(i) + "/exp_avg_sq");
            if (a != null) Tensors.copyInto(m.get(i), a);
            if (b != null) Tensors.copyInto(v.get(i), b);
        }
        TensorData st = s.get("__steps__");
        if (st != null) steps = (long) st.floats()[0];
    }
}
