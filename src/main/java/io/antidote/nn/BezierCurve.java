package io.antidote.nn;

import io.antidote.BadInputException;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A quadratic Bézier curve phi(t) = (1-t)²·w0 + 2t(1-t)·theta + t²·w1 through the parameters of one
 * model (Garipov et al. 2018; Zhao et al. 2020): fixed endpoints, a trainable control point theta,
 * and the model itself as the place where a point of the curve is put to be run.
 */
public final class BezierCurve implements AutoCloseable {
    // Only parameters lie on the curve. Batch-norm buffers are statistics of activations, not
    // weights: a blend of the endpoints' statistics does not describe the blended network, so the
    // caller recomputes them for each point it evaluates (Model.recomputeBatchNormStatistics).
    private final Model model;
    private final List<String> names = new ArrayList<>();
    private final List<Tensor> params = new ArrayList<>(), start = new ArrayList<>(), end = new ArrayList<>(), control = new ArrayList<>();
    private double placed = Double.NaN;

    private BezierCurve(Model model) {
        this.model = model;
    }

    /**
     * The curve from `w0` to `w1` (state dictionaries of the model's architecture; buffers in them
     * are ignored) with theta at their midpoint, where a curve starts as the straight segment.
     */
    public static BezierCurve between(Model model, Map<String, TensorData> w0, Map<String, TensorData> w1) {
        BezierCurve c = new BezierCurve(model);
        // Tensors that outlive this call are made outside any PointerScope, as the optimisers' buffers are.
        for (Map.Entry<String, Tensor> e : model.parameterHandles().entrySet()) {
            String name = e.getKey();
            Tensor p = e.getValue();
            c.names.add(name);
            c.params.add(p);
            c.start.add(endpoint(p, w0, name, "start"));
            c.end.add(endpoint(p, w1, name, "end"));
        }
        for (int i = 0; i < c.names.size(); i++) {
            Tensor mid = torch.zeros_like(c.params.get(i));
            try (PointerScope s = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
                mid.add_(c.start.get(i)).add_(c.end.get(i)).mul_(new Scalar(0.5));
            }
            c.control.add(mid);
        }
        return c;
    }

    private static Tensor endpoint(Tensor like, Map<String, TensorData> w, String name, String which) {
        TensorData d = w.get(name);
        if (d == null) throw new BadInputException("the curve's " + which + " weights lack parameter '" + name + "'");
        Tensor t = torch.zeros_like(like);
        try {
            Tensors.copyInto(t, d);
        } catch (BadInputException e) {
            throw new BadInputException("the curve's " + which + " weights, parameter '" + name + "': " + e.getMessage(), e);
        }
        return t;
    }

    /** Bernstein weights of w0, theta and w1 at t. */
    public static double[] weights(double t) {
        return new double[]{(1 - t) * (1 - t), 2 * t * (1 - t), t * t};
    }

    /** Writes phi(t) into the model's parameters; its buffers are left alone. */
    public void place(double t) {
        if (!(t >= 0 && t <= 1)) throw new BadInputException("curve position t = " + t + " is outside [0, 1]");
        double[] b = weights(t);
        try (PointerScope s = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            for (int i = 0; i < params.size(); i++) {
                // the ends are copied, not summed with zero-weighted terms, so they equal the endpoints bit for bit (-0.0 included)
                if (t == 0) params.get(i).copy_(start.get(i));
                else if (t == 1) params.get(i).copy_(end.get(i));
                else params.get(i).copy_(start.get(i).mul(new Scalar(b[0])).add(control.get(i), new Scalar(b[1])).add(end.get(i), new Scalar(b[2])));
            }
        }
        placed = t;
    }

    /** The t last placed (NaN before the first placement). */
    public double placed() { return placed; }

    public Model model() { return model; }

    /** The control point theta as a state dictionary of parameters. */
    public Map<String, TensorData> controlPoint() {
        Map<String, TensorData> out = new LinkedHashMap<>();
        try (PointerScope s = StepScope.open()) {
            for (int i = 0; i < names.size(); i++) out.put(names.get(i), Tensors.toData(control.get(i)));
        }
        return out;
    }

    /**
     * SGD on theta for {@link Model#trainStep} after {@link #place}: phi is linear in theta, so
     * dL/dtheta = 2t(1-t)·dL/dw at w = phi(t), and the endpoints never move.
     */
    public Optimizer optimizer(Sgd.Options o) {
        return new ControlPointSgd(this, o);
    }

    /**
     * Runs a plain {@link Sgd} on the model's own parameter tensors with theta loaded into them and
     * the gradient scaled, then takes theta back out: one SGD implementation (weight decay, momentum,
     * Nesterov, checkpointed state) for networks and for curves.
     */
    private static final class ControlPointSgd extends Optimizer {
        private final BezierCurve curve;
        private final List<Tensor> control;
        private final Sgd inner;

        ControlPointSgd(BezierCurve curve, Sgd.Options o) {
            super(curve.names, curve.params, o.lr());
            this.curve = curve;
            this.control = curve.control;
            inner = new Sgd(names, params, o);
        }

        @Override
        void step() {
            if (Double.isNaN(curve.placed)) throw new IllegalStateException("place(t) before a curve step");
            Scalar coefficient = new Scalar(weights(curve.placed)[1]);
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                Tensor g = p.grad();
                if (g.defined()) g.mul_(coefficient);
                p.copy_(control.get(i));
            }
            inner.setLearningRate(lr);
            inner.step();
            for (int i = 0; i < params.size(); i++) control.get(i).copy_(params.get(i));
            // the model now holds theta, not a point of the curve
            curve.placed = Double.NaN;
            steps++;
        }

        @Override
        public Map<String, TensorData> state() {
            Map<String, TensorData> m = new LinkedHashMap<>(inner.state());
            try (PointerScope s = StepScope.open()) {
                for (int i = 0; i < names.size(); i++) m.put(names.get(i) + "/control", Tensors.toData(control.get(i)));
            }
            return m;
        }

        @Override
        public void loadState(Map<String, TensorData> state) {
            inner.loadState(state);
            for (int i = 0; i < names.size(); i++) {
                TensorData t = state.get(names.get(i) + "/control");
                if (t == null) throw new BadInputException("curve checkpoint lacks the control point of '" + names.get(i) + "'");
                Tensors.copyInto(control.get(i), t);
            }
            steps = inner.steps();
        }
    }

    /** Releases the endpoint and control-point tensors; the model stays open. */
    @Override
    public void close() {
        for (List<Tensor> l : List.of(start, end, control)) {
            for (Tensor t : l) t.close();
            l.clear();
        }
        for (Tensor t : params) t.close();
        params.clear();
    }
}
