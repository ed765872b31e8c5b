package io.antidote.defense;

import io.antidote.BadInputException;
import io.antidote.data.Augmentation;
import io.antidote.data.Batch;
import io.antidote.data.ImageSet;
import io.antidote.nn.AttentionLoss;
import io.antidote.nn.Model;
import io.antidote.nn.Objective;
import io.antidote.nn.Optimizer;
import io.antidote.train.Checkpoint;
import io.antidote.train.Progress;
import io.antidote.train.Schedule;
import io.antidote.train.TrainConfig;
import io.antidote.train.Trainer;

import java.nio.file.Path;
import java.util.List;

/**
 * Neural Attention Distillation (Li et al., ICLR 2021): fine-tune a copy of the backdoored model on
 * a small clean set to get a teacher, then train the backdoored model on the same set with
 * cross-entropy plus attention-map matching against the teacher at every residual group output.
 */
public final class Nad {
    // Where the reference code and paper part ways (spec §5, §9 items 29-33), this follows the code
    // of 2022: the attention term carries gradient (earlier code detached it, which made "NAD" plain
    // fine-tuning; betas 0 reproduce that exactly, since a detached term adds no gradient), maps use
    // the channel sum, the loss is MSE with betas 500/1000/1000 (the paper's per-sample L2 norm is
    // AttentionLoss.L2), and the LR table is the code's. No "best" checkpoint is picked: the
    // reference's threshold rule keeps the last epoch anyway (item 30), so the last epoch is the result.

    /** File names of the two stages' checkpoints inside a run directory. */
    public static final String TEACHER_CHECKPOINT = "nad-teacher.ckpt.safetensors", STUDENT_CHECKPOINT = "nad-student.ckpt.safetensors";

    /** NAD's knobs; {@link #reference} is the NAD repository's current config.py. */
    public record Config(int teacherEpochs, int epochs, int batchSize, double lr, Schedule schedule, double momentum,
                         double weightDecay, List<Double> betas, double p, AttentionLoss loss, Augmentation augmentation, long seed) {
        public Config {
            if (teacherEpochs < 0) throw new BadInputException("teacher epochs " + teacherEpochs + " must be >= 0");
            if (epochs < 0) throw new BadInputException("NAD epochs " + epochs + " must be >= 0");
            if (batchSize < 1) throw new BadInputException("batch size " + batchSize + " must be >= 1");
            if (!(lr > 0)) throw new BadInputException("learning rate " + lr + " must be > 0");
            if (!(p > 0)) throw new BadInputException("attention power p " + p + " must be > 0");
            if (betas == null || betas.isEmpty()) throw new BadInputException("betas: at least one attention weight is needed");
            for (Double b : betas) {
                if (b == null || !(b >= 0) || Double.isInfinite(b)) throw new BadInputException("beta " + b + " must be a finite number >= 0");
            }
            betas = List.copyOf(betas);
            if (loss == null) throw new BadInputException("attention loss form is missing");
        }

        /**
         * The reference: teacher 10 epochs (README "5-10"), student 20 epochs, batch 64, SGD 0.1
         * (Nesterov, momentum 0.9, wd 1e-4) for 2 epochs then 0.01, betas 500/1000/1000 on the three
         * WRN groups, p = 2, MSE, crop+flip+Cutout(1, 3).
         */
        public static Config reference(long seed) {
            return new Config(10, 20, 64, 0.1, referenceSchedule(), 0.9, 1e-4, List.of(500.0, 1000.0, 1000.0), 2.0,
                    AttentionLoss.MSE, Augmentation.ablNad(), seed);
        }

        public Config withEpochs(int teacher, int student) {
            return new Config(teacher, student, batchSize, lr, schedule, momentum, weightDecay, betas, p, loss, augmentation, seed);
        }

        public Config withBetas(List<Double> b) {
            return new Config(teacherEpochs, epochs, batchSize, lr, schedule, momentum, weightDecay, b, p, loss, augmentation, seed);
        }

        public Config withLoss(AttentionLoss l) {
            return new Config(teacherEpochs, epochs, batchSize, lr, schedule, momentum, weightDecay, betas, p, l, augmentation, seed);
        }

        public Config withBatchSize(int b) {
            return new Config(teacherEpochs, epochs, b, lr, schedule, momentum, weightDecay, betas, p, loss, augmentation, seed);
        }

        /** The teacher is the same optimiser, schedule and data with all betas 0, which is plain fine-tuning (§5.3). */
        public FineTune.Config teacher() {
            return new FineTune.Config(FineTune.Scope.ALL, teacherEpochs, batchSize, lr, schedule, momentum, weightDecay, augmentation, seed);
        }

        /** A different data-order seed from the teacher's, as the reference's two unseeded runs see different orders. */
        TrainConfig student() {
            return new TrainConfig(epochs, batchSize, "sgd", lr, momentum, true, weightDecay, schedule, augmentation, true, false, seed + 1);
        }

        double[] betaArray() {
            return betas.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }

    /** Per-epoch signals beyond CA/ASR: the mean attention loss per tap while training. */
    public interface Listener extends EpochListener {
        /** After each distillation epoch: sample-weighted mean unweighted AT per tap over the epoch's batches. */
        default void attention(int epoch, double[] meanPerTap, Model student, Model teacher) {}
    }

    /** What NAD ran. */
    public record Result(int teacherEpochsRun, int epochsRun, double[] lastEpochAttention) {}

    private Nad() {}

    /** The NAD utils' hand-set table: 0.1 below epoch 2, 0.01 below 20, 0.0001 after (the doubled milestone gives the 100x drop). */
    public static Schedule referenceSchedule() {
        return new Schedule.MultiStep(new int[]{2, 20, 20}, 0.1);
    }

    /** Makes the teacher: a copy of the backdoored model fine-tuned on the clean set. The caller closes it. */
    public static Model teacher(Model backdoored, ImageSet clean, Config c, Path dir, EpochListener listener, Progress progress) {
        Model t = backdoored.copy();
        try {
            FineTune.run(t, clean, c.teacher(), "teacher", dir == null ? null : dir.resolve(TEACHER_CHECKPOINT), listener, progress);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** Trains the student in place with CE + Σ beta·AT against the frozen teacher; resumes from `dir` when it holds a checkpoint. */
    public static Result distill(Model student, Model teacher, ImageSet clean, Config c, Path dir, Listener listener, Progress progress) {
        int taps = student.tapNames().size();
        if (c.betas().size() != taps) {
            throw new BadInputException("betas: " + c.betas().size() + " given for the " + taps + " attention taps of " + student.arch() + " ("
                    + String.join(", ", student.tapNames()) + ")");
        }
        TrainConfig tc = c.student();
        double[] betas = c.betaArray();
        double[] sum = new double[taps];
        int[] seen = {0};
        double[][] last = {new double[taps]};
        Optimizer opt = Trainer.optimizer(student, tc, n -> true);
        int ran = Trainer.train(student, opt, clean, tc, new Trainer.Hooks() {
            @Override
            public Model.StepResult step(Model m, Optimizer o, Batch b, float[] w, Objective obj) {
                Model.DistillResult r = m.distillStep(o, teacher, b.pixels(), b.size(), b.labels(), betas, c.p(), c.loss());
                for (int i = 0; i < taps; i++) sum[i] += r.attention()[i] * b.size();
                seen[0] += b.size();
                return r.step();
            }

            @Override
            public void afterEpoch(Trainer.EpochStats s, Model m) {
                double[] mean = new double[taps];
                for (int i = 0; i < taps; i++) mean[i] = sum[i] / Math.max(seen[0], 1);
                java.util.Arrays.fill(sum, 0);
                seen[0] = 0;
                last[0] = mean;
                listener.epoch("nad", s, m);
                listener.attention(s.epoch(), mean, m, teacher);
            }
        }, dir == null ? null : new Checkpoint(dir.resolve(STUDENT_CHECKPOINT)), progress, -1);
        return new Result(c.teacherEpochs(), ran, last[0]);
    }

    /** Both stages: teacher from the backdoored model, then distillation into it (in place). */
    public static Result run(Model backdoored, ImageSet clean, Config c, Path dir, Listener listener, Progress progress) {
        try (Model t = teacher(backdoored, clean, c, dir, listener, progress)) {
            return distill(backdoored, t, clean, c, dir, listener, progress);
        }
    }

    /**
     * Σ beta·AT over a whole set with both models in eval mode, averaged per sample: the reference's
     * "test_bad_at_loss" column when given the triggered test set.
     */
    public static double attentionLoss(Model student, Model teacher, ImageSet set, Config c, int batch) {
        double[] betas = c.betaArray();
        int ib = set.imageBytes();
        double total = 0;
        for (int from = 0; from < set.size(); from += batch) {
            int m = Math.min(batch, set.size() - from);
            byte[] px = new byte[m * ib];
            for (int k = 0; k < m; k++) set.copyImage(from + k, px, k * ib);
            double[] at = student.attentionLosses(teacher, px, m, c.p(), c.loss());
            double w = 0;
            for (int i = 0; i < Math.min(at.length, betas.length); i++) w += betas[i] * at[i];
            total += w * m;
        }
        return set.size() == 0 ? Double.NaN : total / set.size();
    }
}
