package io.antidote.nn;

import io.antidote.BadInputException;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.StringTensorDictItem;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * A network plus its numeric mode, seen from outside nn only through Java arrays: train steps,
 * evaluation, state dictionaries. Every call scopes its native temporaries so memory stays flat.
 */
public final class Model implements AutoCloseable {
    /** Result of one optimisation step: mean loss, correct predictions and the per-example losses. */
    public record StepResult(double loss, int correct, float[] losses) {}

    /** Evaluation of a batch: per-example cross-entropy, predicted class and logits (row-major n×classes). */
    public record Output(float[] losses, int[] predictions, float[] logits) {}

    private final String arch;
    private final int numClasses;
    private final int height, width, channels;
    private final Precision precision;
    private final Network net;
    /** Number of parameter tensors, to tell whether an optimiser updates all of them. */
    private final int parameterTensors;
    /** Optimisers made by this model, released when it is closed. */
    private final List<Optimizer> optimizers = new ArrayList<>();
    private float[] mean, std;

    private Model(String arch, int numClasses, int h, int w, int c, Precision precision, Network net) {
        this.arch = arch;
        this.numClasses = numClasses;
        this.height = h;
        this.width = w;
        this.channels = c;
        this.precision = precision;
        this.net = net;
        try (PointerScope s = StepScope.open()) {
            this.parameterTensors = net.parameters().get().length;
        }
        if (precision.channelsLast()) {
            // channels-last weights let oneDNN pick its fast kernels without reorders every step
            try (PointerScope s = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
                for (Tensor p : net.parameters().get()) {
                    if (p.dim() == 4) p.set_data(p.contiguous(torch.MemoryFormat.ChannelsLast));
                }
            }
        }
    }

    /** Builds a freshly initialised network; the seed fixes the initial weights. */
    public static Model create(String arch, int numClasses, long seed, Precision precision) {
        return create(arch, numClasses, 32, 32, 3, seed, precision);
    }

    public static Model create(String arch, int numClasses, int h, int w, int c, long seed, Precision precision) {
        Engine.seed(seed);
        if (c != 3) throw new BadInputException("model '" + arch + "' takes 3-channel images, the data has " + c);
        return new Model(arch, numClasses, h, w, c, precision, Architectures.build(arch, numClasses));
    }

    public String arch() { return arch; }
    public int numClasses() { return numClasses; }
    public Precision precision() { return precision; }

    /** Per-channel mean/std applied to pixel/255 before the network (null for none, the ABL/NAD default). */
    public void normalization(float[] mean, float[] std) {
        this.mean = mean;
        this.std = std;
    }

    /**
     * Re-estimates batch-norm running statistics from these images (train-mode forward passes, no
     * gradients, no weight change): undoes statistics that a few steps on an odd batch pulled away.
     */
    public void recalibrate(byte[] nhwc, int n) {
        try (PointerScope scope = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            net.train(true);
            Tensor x = input(nhwc, n);
            autocastOn();
            try {
                net.forward(x);
            } finally {
                autocastOff();
            }
            net.train(false);
        }
    }

    /**
     * Replaces every batch-norm running mean and variance by its average over these n images, seen
     * in chunks of `batch` in train mode (no gradients, no weight change). Unlike
     * {@link #recalibrate}, which blends one batch into the old statistics, nothing of the old
     * statistics survives: what weights that were never trained together (a point on a curve
     * between two models) need. Each chunk's own statistics are read back from the momentum update.
     */
    public void recomputeBatchNormStatistics(byte[] nhwc, int n, int batch) {
        if (n < 1) throw new BadInputException("batch-norm statistics need at least one image");
        int imageBytes = height * width * channels;
        double m = Network.BN_MOMENTUM;
        try (PointerScope outer = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            List<Tensor> stats = new ArrayList<>();
            StringTensorDict b = net.named_buffers();
            for (long i = 0; i < b.size(); i++) {
                String k = b.get(i).key().getString();
                if (k.endsWith("running_mean") || k.endsWith("running_var")) stats.add(new Tensor(b.get(i).value()));
            }
            List<Tensor> sums = new ArrayList<>();
            for (Tensor s : stats) sums.add(torch.zeros_like(s));
            net.train(true);
            try {
                for (int from = 0; from < n; from += batch) {
                    int k = Math.min(batch, n - from);
                    try (PointerScope inner = StepScope.open()) {
                        List<Tensor> old = new ArrayList<>();
                        for (Tensor s : stats) old.add(s.clone());
                        byte[] px = java.util.Arrays.copyOfRange(nhwc, from * imageBytes, (from + k) * imageBytes);
                        Tensor x = input(px, k);
                        autocastOn();
                        try {
                            net.forward(x);
                        } finally {
                            autocastOff();
                        }
                        // new = (1 - m)·old + m·chunk, so the chunk's statistic is (new - (1 - m)·old) / m
                        for (int i = 0; i < stats.size(); i++) {
                            Tensor chunk = stats.get(i).sub(old.get(i), new Scalar(1 - m)).div(new Scalar(m));
                            sums.get(i).add_(chunk, new Scalar((double) k));
                        }
                    }
                }
            } finally {
                net.train(false);
            }
            for (int i = 0; i < stats.size(); i++) stats.get(i).copy_(sums.get(i).div(new Scalar((double) n)));
        }
    }

    /** Own handles on the parameters by name, for tensors of nn that follow the network's weights (a curve's endpoints). */
    Map<String, Tensor> parameterHandles() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        StringTensorDict d = net.named_parameters();
        for (long i = 0; i < d.size(); i++) out.put(d.get(i).key().getString(), new Tensor(d.get(i).value()));
        return out;
    }

    public long parameterCount() {
        long n = 0;
        try (PointerScope s = StepScope.open()) {
            for (Tensor p : net.parameters().get()) n += p.numel();
        }
        return n;
    }

    public List<String> parameterNames() {
        List<String> out = new ArrayList<>();
        try (PointerScope s = StepScope.open()) {
            StringTensorDict d = net.named_parameters();
            for (long i = 0; i < d.size(); i++) out.add(d.get(i).key().getString());
        }
        return out;
    }

    public List<String> tapNames() { return net.tapNames(); }
    public String headName() { return net.headName(); }

    public Sgd sgd(Sgd.Options o) { return sgd(o, n -> true); }

    /** SGD over the parameters whose names pass the filter (e.g. only the head for last-layer fine-tuning). */
    public Sgd sgd(Sgd.Options o, Predicate<String> which) {
        return track(which, (names, params) -> new Sgd(names, params, o));
    }

    public Adam adam(Adam.Options o, Predicate<String> which) {
        return track(which, (names, params) -> new Adam(names, params, o));
    }

    /** SGD that leaves the parameters in place and steps them one by one: the flat path's reference in tests. */
    Sgd sgdPerTensor(Sgd.Options o, Predicate<String> which) {
        return track(which, (names, params) -> new Sgd(names, params, o, false));
    }

    /** Adam that leaves the parameters in place and steps them one by one: the flat path's reference in tests. */
    Adam adamPerTensor(Adam.Options o, Predicate<String> which) {
        return track(which, (names, params) -> new Adam(names, params, o, false));
    }

    /** An optimiser over the selected parameters, remembered so that closing the model releases it. */
    private <T extends Optimizer> T track(Predicate<String> which, BiFunction<List<String>, List<Tensor>, T> make) {
        List<String> names = new ArrayList<>();
        List<Tensor> params = new ArrayList<>();
        selectParams(which, names, params);
        T opt = make.apply(names, params);
        optimizers.add(opt);
        return opt;
    }

    private void selectParams(Predicate<String> which, List<String> names, List<Tensor> params) {
        StringTensorDict d = net.named_parameters();
        for (long i = 0; i < d.size(); i++) {
            StringTensorDictItem it = d.get(i);
            String name = it.key().getString();
            if (which.test(name)) {
                names.add(name);
                // a Tensor handle of its own: the dict entry dies with the dict
                params.add(new Tensor(it.value()));
            }
        }
        if (names.isEmpty()) throw new BadInputException("no parameter of model '" + arch + "' matches the selection");
    }

    private Tensor input(byte[] nhwc, int n) {
        Tensor x = Tensors.images(nhwc, n, height, width, channels);
        if (mean != null) {
            Tensor m = Tensors.floats(mean, channels).view(1, channels, 1, 1);
            Tensor s = Tensors.floats(std, channels).view(1, channels, 1, 1);
            x = x.sub(m).div(s);
        }
        return laidOut(x);
    }

    /** The input layout the weights were put in: channels-last where the precision wants it, NCHW otherwise. */
    private Tensor laidOut(Tensor x) {
        return precision.channelsLast() ? x.contiguous(torch.MemoryFormat.ChannelsLast) : x.contiguous();
    }

    /** Enters bf16 autocast by hand: libtorch has no guard object for it in these bindings. */
    private void autocastOn() {
        if (!precision.autocast()) return;
        torch.set_autocast_dtype(torch.kCPU(), torch.ScalarType.BFloat16);
        torch.set_autocast_enabled(torch.kCPU(), true);
        torch.increment_nesting();
    }

    private void autocastOff() {
        if (!precision.autocast()) return;
        // the cast-weight cache must be dropped on leaving, or stale bf16 copies of updated weights are reused
        if (torch.decrement_nesting() == 0) torch.clear_cache();
        torch.set_autocast_enabled(torch.kCPU(), false);
    }

    private static Tensor perExampleCe(Tensor logits, Tensor y) {
        return perExampleCe(logits, y, 0.0);
    }

    private static Tensor perExampleCe(Tensor logits, Tensor y, double smoothing) {
        return torch.cross_entropy_loss(logits.to(torch.ScalarType.Float), y, new TensorOptional(), 0L, -100L, smoothing);
    }

    /**
     * One optimisation step on a batch in train mode. Weights (may be null) multiply the
     * per-example losses: negative entries ascend on those examples while the rest descend.
     */
    public StepResult trainStep(Optimizer opt, byte[] nhwc, int n, int[] labels, float[] weights, Objective objective) {
        return step(opt, nhwc, n, labels, weights, objective, true);
    }

    private StepResult step(Optimizer opt, byte[] nhwc, int n, int[] labels, float[] weights, Objective objective, boolean trainMode) {
        try (PointerScope scope = StepScope.open()) {
            net.train(trainMode);
            zeroGrad(opt);
            Tensor x = input(nhwc, n);
            Tensor y = Tensors.longs(labels, n);
            Tensor logits;
            Tensor lv;
            autocastOn();
            try {
                logits = net.forward(x);
                lv = perExampleCe(logits, y, objective instanceof Objective.SmoothedCrossEntropy s ? s.epsilon() : 0.0);
                if (objective instanceof Objective.SmoothedCrossEntropy s && s.smoothed() != null) {
                    if (s.smoothed().length != n) throw new IllegalArgumentException(s.smoothed().length + " smoothing flags for a batch of " + n);
                    float[] mask = new float[n];
                    for (int i = 0; i < n; i++) mask[i] = s.smoothed()[i] ? 1f : 0f;
                    Tensor hard = perExampleCe(logits, y);
                    lv = hard.add(lv.sub(hard).mul(Tensors.floats(mask, n)));
                }
            } finally {
                autocastOff();
            }
            Tensor per = weights == null ? lv : lv.mul(Tensors.floats(weights, n));
            if (objective instanceof Objective.ExampleGradientAscent e) {
                per = per.mul(lv.detach().sub(new Scalar(e.gamma())).sign());
            }
            if (objective instanceof Objective.CappedAscent c && weights != null) {
                Tensor w = Tensors.floats(weights, n);
                Tensor keep = lv.detach().lt(new Scalar(c.ceiling())).logical_or(w.ge(new Scalar(0.0))).to(torch.ScalarType.Float);
                per = per.mul(keep);
            }
            Tensor mean = per.mean();
            Tensor loss;
            if (objective instanceof Objective.Ascent) {
                loss = mean.neg();
            } else if (objective instanceof Objective.LocalGradientAscent l) {
                loss = mean.sub(new Scalar(l.gamma())).sign().detach().mul(mean);
            } else if (objective instanceof Objective.Flooding f) {
                loss = mean.sub(new Scalar(f.level())).abs().add(new Scalar(f.level()));
            } else {
                loss = mean;
            }
            loss.backward();
            try (NoGradGuard g = new NoGradGuard()) {
                opt.step();
            }
            return summarize(logits, lv, labels, n, loss.item_double());
        }
    }

    /** Zeroes the gradients an optimiser will read; every parameter's when it does not update them all. */
    private void zeroGrad(Optimizer opt) {
        if (opt.parameterCount() == parameterTensors) {
            opt.zeroGrad();
            return;
        }
        zeroGrad();
    }

    private void zeroGrad() {
        for (Tensor p : net.parameters().get()) {
            Tensor g = p.grad();
            if (g.defined()) g.zero_();
        }
    }

    /** Forward pass in eval mode (running BN statistics), no gradients. */
    public Output evaluate(byte[] nhwc, int n, int[] labels) {
        try (PointerScope scope = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            net.train(false);
            Tensor x = input(nhwc, n);
            Tensor logits;
            autocastOn();
            try {
                logits = net.forward(x).to(torch.ScalarType.Float);
            } finally {
                autocastOff();
            }
            float[] z = Tensors.toFloats(logits);
            float[] losses = labels == null ? null : crossEntropy(z, numClasses, labels);
            long[] pred = Tensors.toLongs(logits.argmax(new org.bytedeco.pytorch.LongOptional(1), false));
            int[] p = new int[n];
            for (int i = 0; i < n; i++) p[i] = (int) pred[i];
            return new Output(losses, p, z);
        }
    }

    /**
     * Per-example cross-entropy of row-major logits, as softplus of log sum_{j != y} exp(z_j - z_y) in
     * double. Computed as logsumexp(z) - z_y in fp32, as torch does, every loss below about 1e-7 of
     * the logits' size rounds to exactly 0: in the demo's isolation up to 477 of the 5,000 synthetic
     * examples tied at 0, more than the 250 to isolate, and were ranked by their position in the
     * data set instead of by their loss.
     */
    static float[] crossEntropy(float[] logits, int classes, int[] labels) {
        int n = labels.length;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            int row = i * classes, y = labels[i];
            double zy = logits[row + y], m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) if (j != y) m = Math.max(m, logits[row + j]);
            double sum = 0;
            for (int j = 0; j < classes; j++) if (j != y) sum += Math.exp(logits[row + j] - m);
            double s = m - zy + Math.log(sum);
            out[i] = (float) (s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s)));
        }
        return out;
    }

    /**
     * L∞ PGD (Madry et al.) against the model in eval mode: random start in the ε-ball, `steps`
     * signed-gradient steps of size `alpha` that raise the cross-entropy of the given labels,
     * projected back to the ball and to [0,1]; returned rounded to uint8. Runs in fp32 so the
     * gradient signs are not bf16 noise.
     */
    public byte[] pgd(byte[] nhwc, int n, int[] labels, double eps, double alpha, int steps, long seed) {
        try (PointerScope scope = StepScope.open()) {
            net.train(false);
            Tensor x0 = Tensors.images(nhwc, n, height, width, channels).contiguous();
            Tensor y = Tensors.longs(labels, n);
            Engine.seed(seed);
            Tensor x;
            try (NoGradGuard g = new NoGradGuard()) {
                x = x0.add(torch.empty_like(x0).uniform_(-eps, eps, new org.bytedeco.pytorch.GeneratorOptional())).clamp_(
                        new org.bytedeco.pytorch.ScalarOptional(new Scalar(0.0)), new org.bytedeco.pytorch.ScalarOptional(new Scalar(1.0)));
            }
            Scalar a = new Scalar(alpha);
            for (int s = 0; s < steps; s++) {
                Tensor xi = x.detach().set_requires_grad(true);
                Tensor in = xi;
                if (mean != null) {
                    in = xi.sub(Tensors.floats(mean, channels).view(1, channels, 1, 1)).div(Tensors.floats(std, channels).view(1, channels, 1, 1));
                }
                Tensor loss = perExampleCe(net.forward(in), y).sum();
                loss.backward();
                try (NoGradGuard g = new NoGradGuard()) {
                    Tensor step = xi.grad().sign().mul(a);
                    Tensor moved = xi.detach().add(step);
                    Tensor lo = x0.sub(new Scalar(eps)), hi = x0.add(new Scalar(eps));
                    x = torch.max(torch.min(moved, hi), lo).clamp_(
                            new org.bytedeco.pytorch.ScalarOptional(new Scalar(0.0)), new org.bytedeco.pytorch.ScalarOptional(new Scalar(1.0)));
                }
            }
            zeroGrad();
            Tensor u8;
            try (NoGradGuard g = new NoGradGuard()) {
                u8 = x.mul(new Scalar(255.0)).round().to(torch.ScalarType.Byte).permute(0, 2, 3, 1).contiguous();
            }
            byte[] out = new byte[n * height * width * channels];
            u8.data_ptr_byte().get(out);
            return out;
        }
    }

    /** Parameters and buffers by their PyTorch-style names, row-major, fp32 (num_batches_tracked int64). */
    public Map<String, TensorData> stateDict() {
        Map<String, TensorData> out = new LinkedHashMap<>();
        try (PointerScope s = StepScope.open()) {
            StringTensorDict p = net.named_parameters();
            for (long i = 0; i < p.size(); i++) out.put(p.get(i).key().getString(), Tensors.toData(p.get(i).value()));
            StringTensorDict b = net.named_buffers();
            for (long i = 0; i < b.size(); i++) out.put(b.get(i).key().getString(), Tensors.toData(b.get(i).value()));
        }
        return out;
    }

    /** Loads values in place; strict mode rejects missing and unexpected names. */
    public void loadStateDict(Map<String, TensorData> state, boolean strict) {
        try (PointerScope s = StepScope.open()) {
            Map<String, Tensor> own = new LinkedHashMap<>();
            StringTensorDict p = net.named_parameters();
            for (long i = 0; i < p.size(); i++) own.put(p.get(i).key().getString(), p.get(i).value());
            StringTensorDict b = net.named_buffers();
            for (long i = 0; i < b.size(); i++) own.put(b.get(i).key().getString(), b.get(i).value());
            if (strict) {
                for (String k : own.keySet()) {
                    if (!state.containsKey(k)) throw new BadInputException("weights lack tensor '" + k + "' of model '" + arch + "'");
                }
                for (String k : state.keySet()) {
                    if (!own.containsKey(k)) throw new BadInputException("weights hold tensor '" + k + "' unknown to model '" + arch + "'");
                }
            }
            for (Map.Entry<String, Tensor> e : own.entrySet()) {
                TensorData d = state.get(e.getKey());
                if (d == null) continue;
                try {
                    Tensors.copyInto(e.getValue(), d);
                } catch (BadInputException ex) {
                    throw new BadInputException("tensor '" + e.getKey() + "': " + ex.getMessage());
                }
            }
        }
    }

    /** An independent model with the same architecture, mode and values (Module.clone() does not work on Java modules). */
    public Model copy() {
        Model m = new Model(arch, numClasses, height, width, channels, precision, Architectures.build(arch, numClasses));
        m.normalization(mean, std);
        m.loadStateDict(stateDict(), true);
        return m;
    }

    public void save(Path file, Map<String, String> metadata) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        if (metadata != null) meta.putAll(metadata);
        meta.putAll(weightsMetadata());
        SafeTensors.write(file, stateDict(), meta);
    }

    /**
     * What a weights file must carry beside the tensors to compute this model's function: architecture, class
     * count and, when set, the input normalisation (ASD's models are trained with one).
     */
    public Map<String, String> weightsMetadata() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("antidote.arch", arch);
        meta.put("antidote.classes", Integer.toString(numClasses));
        if (mean != null) {
            meta.put(NORM_MEAN, joinFloats(mean));
            meta.put(NORM_STD, joinFloats(std));
        }
        return meta;
    }

    private static final String NORM_MEAN = "antidote.input_mean", NORM_STD = "antidote.input_std";

    private static String joinFloats(float[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ",").append(v[i]);
        return b.toString();
    }

    private float[] floatsOf(Path file, String key, String text) {
        String[] parts = text.split(",");
        if (parts.length != channels) {
            throw new BadInputException(file + ": metadata " + key + " has " + parts.length + " values for " + channels + " channels");
        }
        float[] v = new float[parts.length];
        for (int i = 0; i < v.length; i++) {
            try {
                v[i] = Float.parseFloat(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new BadInputException(file + ": metadata " + key + " value '" + parts[i] + "' is not a number");
            }
        }
        return v;
    }

    /**
     * Loads weights saved by Antidote or converted from the reference PyTorch code (same names),
     * with the input normalisation Antidote recorded beside them; a file without one leaves this
     * model's as it is.
     */
    public void load(Path file) {
        SafeTensors.Contents c = readWeights(file);
        try {
            loadStateDict(Architectures.fromReferenceNames(arch, c.tensors()), true);
        } catch (BadInputException e) {
            throw new BadInputException(file + ": " + e.getMessage());
        }
        String m = c.metadata().get(NORM_MEAN), sd = c.metadata().get(NORM_STD);
        if ((m == null) != (sd == null)) throw new BadInputException(file + ": metadata has only one of " + NORM_MEAN + " and " + NORM_STD);
        if (m != null) normalization(floatsOf(file, NORM_MEAN, m), floatsOf(file, NORM_STD, sd));
    }

    /**
     * The tensors and metadata of a weights file: safetensors, a torch.save checkpoint (its state dict, without
     * metadata), told apart by their first bytes, or an Antidote training checkpoint (its model part).
     */
    public static SafeTensors.Contents readWeights(Path file) {
        byte[] head = new byte[4];
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            in.readNBytes(head, 0, 4);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new BadInputException(file + ": no such weights file");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (TorchCheckpoint.looksLikeTorch(head)) return new SafeTensors.Contents(TorchCheckpoint.read(file), Map.of());
        SafeTensors.Contents c = SafeTensors.read(file);
        // a training checkpoint keeps the model under "model/" beside the optimiser's "optim/" state
        if (c.tensors().keySet().stream().anyMatch(k -> k.startsWith(CHECKPOINT_MODEL))
                && c.tensors().keySet().stream().allMatch(k -> k.startsWith(CHECKPOINT_MODEL) || k.startsWith(CHECKPOINT_OPTIMIZER))) {
            Map<String, TensorData> model = new LinkedHashMap<>();
            c.tensors().forEach((k, v) -> {
                if (k.startsWith(CHECKPOINT_MODEL)) model.put(k.substring(CHECKPOINT_MODEL.length()), v);
            });
            return new SafeTensors.Contents(model, c.metadata());
        }
        return c;
    }

    /** The prefixes of the model's and the optimiser's tensors in a training checkpoint (train/Checkpoint). */
    public static final String CHECKPOINT_MODEL = "model/", CHECKPOINT_OPTIMIZER = "optim/";

    /** One NAD step: the step itself, the mean cross-entropy and the unweighted attention loss per tap (0 where beta is 0). */
    public record DistillResult(StepResult step, double crossEntropy, double[] attention) {}

    /**
     * One step of CE + Σ betas[i]·AT_i in train mode, AT_i comparing this model's attention map at
     * tap i with the teacher's on the same batch. The teacher runs in eval mode under no-grad, so
     * neither its weights nor its BN statistics move. Taps whose beta is 0 are skipped entirely,
     * which makes an all-zero betas step exactly a cross-entropy step (how the teacher is made).
     */
    public DistillResult distillStep(Optimizer opt, Model teacher, byte[] nhwc, int n, int[] labels, double[] betas, double p,
                                     AttentionLoss form) {
        if (teacher == this) throw new IllegalArgumentException("a model cannot be its own teacher");
        int taps = net.tapNames().size();
        if (betas.length != taps) {
            throw new BadInputException(betas.length + " attention weights given for the " + taps + " taps of model '" + arch + "' ("
                    + String.join(", ", net.tapNames()) + ")");
        }
        if (teacher.net.tapNames().size() != taps) {
            throw new BadInputException("teacher '" + teacher.arch + "' has " + teacher.net.tapNames().size() + " taps, the student '" + arch + "' " + taps);
        }
        try (PointerScope scope = StepScope.open()) {
            Tensor[] target = new Tensor[taps];
            boolean distil = false;
            for (double b : betas) distil |= b != 0;
            if (distil) {
                try (NoGradGuard g = new NoGradGuard()) {
                    teacher.net.train(false);
                    Tensor tx = teacher.input(nhwc, n);
                    Tensor[] tt;
                    teacher.autocastOn();
                    try {
                        tt = teacher.net.forwardTaps(tx);
                    } finally {
                        teacher.autocastOff();
                    }
                    for (int i = 0; i < taps; i++) if (betas[i] != 0) target[i] = Attention.map(tt[i], p).detach();
                }
            }
            net.train(true);
            zeroGrad(opt);
            Tensor x = input(nhwc, n);
            Tensor y = Tensors.longs(labels, n);
            Tensor[] st;
            Tensor lv;
            autocastOn();
            try {
                st = net.forwardTaps(x);
                lv = perExampleCe(st[taps], y);
            } finally {
                autocastOff();
            }
            Tensor ce = lv.mean();
            Tensor loss = ce;
            double[] at = new double[taps];
            for (int i = 0; i < taps; i++) {
                if (betas[i] == 0) continue;
                Tensor a = Attention.loss(Attention.map(st[i], p), target[i], form);
                at[i] = a.item_double();
                loss = loss.add(a.mul(new Scalar(betas[i])));
            }
            loss.backward();
            try (NoGradGuard g = new NoGradGuard()) {
                opt.step();
            }
            StepResult r = summarize(st[taps], lv, labels, n, loss.item_double());
            return new DistillResult(r, ce.item_double(), at);
        }
    }

    /**
     * A cross-entropy step with the whole network in eval mode: BN normalises with, and keeps, its
     * running statistics. Training only the head this way leaves the backbone exactly as it was;
     * in train mode BN statistics would drift on the small clean set and change the features too.
     */
    public StepResult trainStepFixedStatistics(Optimizer opt, byte[] nhwc, int n, int[] labels) {
        return step(opt, nhwc, n, labels, null, Objective.crossEntropy(), false);
    }

    private static StepResult summarize(Tensor logits, Tensor perExample, int[] labels, int n, double loss) {
        long[] pred = Tensors.toLongs(logits.argmax(new org.bytedeco.pytorch.LongOptional(1), false));
        int correct = 0;
        for (int i = 0; i < n; i++) if (pred[i] == labels[i]) correct++;
        return new StepResult(loss, correct, Tensors.toFloats(perExample));
    }

    /** NAD attention maps (eval mode) at one tap: n rows of H·W floats, each of unit L2 norm (up to 1e-6). */
    public float[] attentionMap(byte[] nhwc, int n, int tap, double p) {
        int taps = net.tapNames().size();
        if (tap < 0 || tap >= taps) throw new BadInputException("tap " + tap + " is outside [0, " + taps + ") for model '" + arch + "'");
        try (PointerScope scope = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            net.train(false);
            Tensor x = input(nhwc, n);
            Tensor[] t;
            autocastOn();
            try {
                t = net.forwardTaps(x);
            } finally {
                autocastOff();
            }
            return Tensors.toFloats(Attention.map(t[tap], p));
        }
    }

    /** Unweighted AT loss per tap between this model and the teacher on a batch, both in eval mode (the reference's test-set AT). */
    public double[] attentionLosses(Model teacher, byte[] nhwc, int n, double p, AttentionLoss form) {
        try (PointerScope scope = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            net.train(false);
            teacher.net.train(false);
            Tensor[] st, tt;
            autocastOn();
            try {
                st = net.forwardTaps(input(nhwc, n));
            } finally {
                autocastOff();
            }
            teacher.autocastOn();
            try {
                tt = teacher.net.forwardTaps(teacher.input(nhwc, n));
            } finally {
                teacher.autocastOff();
            }
            int taps = Math.min(st.length, tt.length) - 1;
            double[] out = new double[taps];
            for (int i = 0; i < taps; i++) out[i] = Attention.loss(Attention.map(st[i], p), Attention.map(tt[i], p), form).item_double();
            return out;
        }
    }

    /** The pooled features the head sees, eval mode: n rows of F floats (F = the head's input width). */
    public float[] headInputs(byte[] nhwc, int n) {
        try (PointerScope scope = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            net.train(false);
            Tensor x = input(nhwc, n);
            Tensor f;
            autocastOn();
            try {
                f = net.headInputs(x);
            } finally {
                autocastOff();
            }
            return Tensors.toFloats(f);
        }
    }

    /**
     * Cuts the given inputs of the head by zeroing their weight columns. Each pooled channel
     * reaches the logits only through its column, so this equals masking the channel; calling it
     * after every fine-tuning step keeps the mask (and its zeros survive saving and loading).
     */
    public void zeroHeadInputs(int[] channels) {
        String name = net.headName() + ".weight";
        try (PointerScope scope = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            StringTensorDict d = net.named_parameters();
            for (long i = 0; i < d.size(); i++) {
                if (!d.get(i).key().getString().equals(name)) continue;
                Tensor w = d.get(i).value();
                long width = w.size(1);
                for (int c : channels) {
                    if (c < 0 || c >= width) throw new BadInputException("head input " + c + " is outside [0, " + width + ") for model '" + arch + "'");
                    w.narrow(1, c, 1).zero_();
                }
                return;
            }
            throw new IllegalStateException("model '" + arch + "' has no parameter " + name);
        }
    }

    /**
     * Adds independent N(0, sigma^2) noise to every parameter the filter passes, drawn in Java from
     * the seed so a run is repeatable whatever libtorch's generator has done. Called after each
     * optimiser step with sigma = s x lr, this makes the step SGD with gradient noise of std s
     * (the noise reaches the weights but not the momentum buffer).
     */
    public void perturbParameters(double sigma, long seed, Predicate<String> which) {
        try (PointerScope scope = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            StringTensorDict d = net.named_parameters();
            for (long i = 0; i < d.size(); i++) {
                String name = d.get(i).key().getString();
                if (!which.test(name)) continue;
                Tensor p = d.get(i).value();
                int n = (int) p.numel();
                java.util.SplittableRandom r = new java.util.SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
                float[] noise = new float[n];
                for (int k = 0; k < n; k++) noise[k] = (float) (sigma * r.nextGaussian());
                p.add_(Tensors.floats(noise, n).view(p.sizes()).to(p.scalar_type()));
            }
        }
    }

    @Override
    public void close() {
        // optimisers hold the parameters' (flat) storage; free it with the model, not at some later GC
        for (Optimizer o : optimizers) o.release();
        optimizers.clear();
        net.close();
    }

    // ---- ASD: symmetric cross-entropy, MixMatch ----

    /** Losses of one MixMatch step: the total, its labelled and unlabelled parts, and labelled rows predicted as their mixed target's top class. */
    public record MixMatchResult(double loss, double lossX, double lossU, int correct) {}

    /**
     * Per-example symmetric cross-entropy alpha·CE + beta·RCE in eval mode (running BN statistics),
     * with the reference's clamps: probabilities to [1e-7, 1], the one-hot target to [1e-4, 1].
     */
    public float[] symmetricCrossEntropy(byte[] nhwc, int n, int[] labels, double alpha, double beta) {
        try (PointerScope scope = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            net.train(false);
            Tensor x = input(nhwc, n);
            Tensor logits;
            autocastOn();
            try {
                logits = net.forward(x);
            } finally {
                autocastOff();
            }
            return Tensors.toFloats(symmetricCe(logits, Tensors.longs(labels, n), numClasses, alpha, beta));
        }
    }

    static Tensor symmetricCe(Tensor logits, Tensor y, int classes, double alpha, double beta) {
        Tensor z = logits.to(torch.ScalarType.Float);
        Tensor ce = perExampleCe(z, y);
        Tensor p = z.softmax(1).clamp(new org.bytedeco.pytorch.ScalarOptional(new Scalar(1e-7)),
                new org.bytedeco.pytorch.ScalarOptional(new Scalar(1.0)));
        Tensor q = torch.one_hot(y, classes).to(torch.ScalarType.Float).clamp(new org.bytedeco.pytorch.ScalarOptional(new Scalar(1e-4)),
                new org.bytedeco.pytorch.ScalarOptional(new Scalar(1.0)));
        Tensor rce = p.mul(q.log()).sum(new long[]{1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()).neg();
        return ce.mul(new Scalar(alpha)).add(rce.mul(new Scalar(beta)));
    }

    /** Rows of p raised to 1/T and renormalised; T = 0.5 squares them. */
    static Tensor sharpen(Tensor p, double temperature) {
        Tensor pt = p.pow(new Scalar(1.0 / temperature));
        return pt.div(pt.sum(new long[]{1}, true, new org.bytedeco.pytorch.ScalarTypeOptional()));
    }

    /**
     * Slice boundaries that split a batch into `groups` nearly equal parts, the larger parts last
     * (64 into three gives 0, 21, 42, 64), as MixMatch's interleaving does.
     */
    static long[] interleaveOffsets(int batch, int groups) {
        long[] size = new long[groups];
        java.util.Arrays.fill(size, batch / groups);
        for (int r = 0; r < batch - (batch / groups) * groups; r++) size[groups - 1 - r]++;
        long[] off = new long[groups + 1];
        for (int i = 0; i < groups; i++) off[i + 1] = off[i] + size[i];
        return off;
    }

    /**
     * Swaps slice i of chunk 0 with slice i of chunk i, so every chunk's batch-norm statistics see
     * labelled and unlabelled rows; applying it twice restores the original order.
     */
    static Tensor[] interleave(Tensor[] chunks, int batch) {
        int groups = chunks.length;
        long[] off = interleaveOffsets(batch, groups);
        Tensor[][] parts = new Tensor[groups][groups];
        for (int c = 0; c < groups; c++) {
            for (int s = 0; s < groups; s++) parts[c][s] = chunks[c].narrow(0, off[s], off[s + 1] - off[s]);
        }
        for (int i = 1; i < groups; i++) {
            Tensor t = parts[0][i];
            parts[0][i] = parts[i][i];
            parts[i][i] = t;
        }
        Tensor[] out = new Tensor[groups];
        for (int c = 0; c < groups; c++) out[c] = torch.cat(new org.bytedeco.pytorch.TensorVector(parts[c]), 0);
        return out;
    }

    /**
     * One MixMatch step (Berthelot et al. 2019, as DBD/ASD run it without EMA) on n labelled images
     * and n unlabelled images seen in two augmented views. Labels of the unlabelled rows are guessed
     * in train mode (so BN statistics move, as in the reference), averaged over both views and
     * sharpened; the 3n inputs and targets are mixed with row permutation[i] using weight lambda
     * (callers pass max(λ, 1−λ)); three interleaved forward passes give the logits; the loss is the
     * soft cross-entropy of the labelled rows plus lambdaU times the mean squared error between
     * softmax and target over all unlabelled entries.
     */
    public MixMatchResult mixMatchStep(Optimizer opt, byte[] xLabelled, int[] yLabelled, byte[] uView1, byte[] uView2, int nU,
                                       double temperature, double lambda, int[] permutation, double lambdaU) {
        int n = yLabelled.length;
        if (n != nU) throw new IllegalArgumentException("MixMatch interleaving needs equal labelled and unlabelled batches, got " + n + " and " + nU);
        if (n < 3) throw new IllegalArgumentException("MixMatch batch " + n + " is too small to interleave into three parts");
        if (permutation.length != 3 * n) throw new IllegalArgumentException("permutation has " + permutation.length + " entries, expected " + 3 * n);
        try (PointerScope scope = StepScope.open()) {
            net.train(true);
            zeroGrad(opt);
            Tensor xl = input(xLabelled, n);
            Tensor u1 = input(uView1, n);
            Tensor u2 = input(uView2, n);
            Tensor guess;
            try (NoGradGuard g = new NoGradGuard()) {
                Tensor l1, l2;
                autocastOn();
                try {
                    l1 = net.forward(u1);
                    l2 = net.forward(u2);
                } finally {
                    autocastOff();
                }
                Tensor avg = l1.to(torch.ScalarType.Float).softmax(1).add(l2.to(torch.ScalarType.Float).softmax(1)).div(new Scalar(2.0));
                guess = sharpen(avg, temperature).detach();
            }
            Tensor onehot = torch.one_hot(Tensors.longs(yLabelled, n), numClasses).to(torch.ScalarType.Float);
            Tensor inputs = torch.cat(new org.bytedeco.pytorch.TensorVector(xl, u1, u2), 0);
            Tensor targets = torch.cat(new org.bytedeco.pytorch.TensorVector(onehot, guess, guess), 0);
            Tensor idx = Tensors.longs(permutation, 3 * n);
            Scalar lam = new Scalar(lambda), rest = new Scalar(1 - lambda);
            Tensor mixedIn = inputs.mul(lam).add(inputs.index_select(0, idx).mul(rest));
            Tensor mixedT = targets.mul(lam).add(targets.index_select(0, idx).mul(rest));
            Tensor[] chunks = interleave(new Tensor[]{mixedIn.narrow(0, 0, n), mixedIn.narrow(0, n, n), mixedIn.narrow(0, 2L * n, n)}, n);
            Tensor[] logits = new Tensor[3];
            autocastOn();
            try {
                for (int c = 0; c < 3; c++) {
                    Tensor in = laidOut(chunks[c]);
                    logits[c] = net.forward(in).to(torch.ScalarType.Float);
                }
            } finally {
                autocastOff();
            }
            logits = interleave(logits, n);
            Tensor tx = mixedT.narrow(0, 0, n);
            Tensor tu = mixedT.narrow(0, n, 2L * n);
            Tensor lx = logits[0].log_softmax(1).mul(tx).sum(new long[]{1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()).mean().neg();
            Tensor pu = torch.cat(new org.bytedeco.pytorch.TensorVector(logits[1], logits[2]), 0).softmax(1);
            Tensor lu = pu.sub(tu).pow(new Scalar(2.0)).mean();
            Tensor loss = lx.add(lu.mul(new Scalar(lambdaU)));
            loss.backward();
            try (NoGradGuard g = new NoGradGuard()) {
                opt.step();
            }
            long[] pred = Tensors.toLongs(logits[0].argmax(new org.bytedeco.pytorch.LongOptional(1), false));
            long[] top = Tensors.toLongs(tx.argmax(new org.bytedeco.pytorch.LongOptional(1), false));
            int correct = 0;
            for (int i = 0; i < n; i++) if (pred[i] == top[i]) correct++;
            return new MixMatchResult(loss.item_double(), lx.item_double(), lu.item_double(), correct);
        }
    }
}
