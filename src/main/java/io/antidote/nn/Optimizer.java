package io.antidote.nn;

import org.bytedeco.pytorch.Tensor;

import java.util.List;
import java.util.Map;

/**
 * Updates a model's trainable tensors from their gradients; learning rates are set from outside by
 * a schedule, and the state round-trips through checkpoints as plain tensors.
 */
public abstract class Optimizer {
    protected final List<String> names;
    protected final List<Tensor> params;
    protected double lr;
    protected long steps;
    /** The parameters re-seated in flat buffers, or null when they are stepped one by one. */
    final FlatParameters flat;
    private boolean released;

    protected Optimizer(List<String> names, List<Tensor> params, double lr) {
        this(names, params, lr, false);
    }

    /** With flatten, the parameters move into flat buffers where they can (see {@link FlatParameters}). */
    Optimizer(List<String> names, List<Tensor> params, double lr, boolean flatten) {
        this.names = names;
        this.params = params;
        this.lr = lr;
        this.flat = flatten ? FlatParameters.of(params) : null;
    }

    public void setLearningRate(double lr) { this.lr = lr; }
    public double learningRate() { return lr; }
    public long steps() { return steps; }

    /** Zeroes the gradients of the parameters this optimiser updates. */
    void zeroGrad() {
        if (flat != null) {
            flat.bind();
            flat.grads().zero_();
            return;
        }
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g.defined()) g.zero_();
        }
    }

    /** Applies one update; called under no-grad by the model after backward. */
    abstract void step();

    /** Buffers by "paramName/bufferName", plus the step count under "__steps__". */
    public abstract Map<String, TensorData> state();

    public abstract void loadState(Map<String, TensorData> state);

    int parameterCount() { return params.size(); }

    /**
     * Frees the native buffers and parameter handles now, instead of whenever the collector runs;
     * the owning model calls it when it is closed. A released optimiser refuses to step.
     */
    void release() {
        released = true;
        if (flat != null) flat.close();
        for (Tensor p : params) p.close();
    }

    void checkLive() {
        if (released) throw new IllegalStateException("optimiser used after its model was closed");
    }

    /** Names of the parameters this optimiser updates. */
    public List<String> parameterNames() { return names; }
}
