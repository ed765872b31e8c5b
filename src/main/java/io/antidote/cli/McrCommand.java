package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.defense.FineTune;
import io.antidote.defense.Mcr;
import io.antidote.eval.Metrics;
import io.antidote.nn.Model;
import io.antidote.train.Progress;
import io.antidote.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** `antidote defend mcr`: mode connectivity repair of a backdoored model on a clean budget. */
@Command(name = "mcr", mixinStandardHelpOptions = true,
        description = {"Mode connectivity repair (Zhao et al. 2020): train a quadratic Bezier curve from the backdoored model to a copy fine-tuned on "
                + "the clean budget, score CA/ASR along t, and keep the point chosen on held-out clean data.",
                "Rule: a seeded --holdout share of the budget trains nothing; each t of the grid is scored on it with batch-norm statistics "
                        + "recomputed on the rest. Among 0 < t < 1 whose held-out accuracy is at least max(acc(0), acc(1)) - --margin, take the t "
                        + "farthest from both ends (largest min(t, 1-t); at a tie the larger t). If none qualifies, t = 1."})
final class McrCommand implements Callable<Integer> {
    @Mixin
    BackdooredInput input;

    @Mixin
    CleanBudgetOptions clean;

    @Mixin
    PostTrainingOptions common;

    @Option(names = "--endpoint-weights", paramLabel = "FILE", description = "Use this second endpoint (.safetensors, same architecture) instead of fine-tuning one.")
    Path endpointWeights;

    @Option(names = "--endpoint-epochs", description = "Fine-tuning epochs of the second endpoint (default 10, NAD's teacher recipe).")
    Integer endpointEpochs;

    @Option(names = "--epochs", description = "Curve training epochs (default 20; the paper trains 100-200, 20 keeps endpoint + curve at NAD's cost).")
    Integer epochs;

    @Option(names = "--points", description = "Points of the t grid, both ends included (default 11: 0, 0.1, ..., 1).")
    Integer points;

    @Option(names = "--holdout", description = "Share of the clean budget held out to choose t, in [0, 1); 0 chooses on the training part (default 0.2).")
    Double holdout;

    @Option(names = "--margin", description = "Largest held-out accuracy drop below the better endpoint a chosen t may show (default 0.05).")
    Double margin;

    Mcr.Config config() {
        long seed = common.seed;
        Mcr.Config d = Mcr.Config.defaults(seed);
        if (endpointEpochs != null && endpointEpochs < 0) throw new BadInputException("--endpoint-epochs " + endpointEpochs + " must be >= 0");
        if (epochs != null && epochs < 0) throw new BadInputException("--epochs " + epochs + " must be >= 0");
        if (points != null && points < 3) throw new BadInputException("--points " + points + " must be >= 3 (both ends and one t between)");
        if (holdout != null && !(holdout >= 0 && holdout < 1)) throw new BadInputException("--holdout " + holdout + " is outside [0, 1)");
        if (margin != null && !(margin >= 0 && margin <= 1)) throw new BadInputException("--margin " + margin + " is outside [0, 1]");
        int batch = common.batchSize(d.curve().batchSize());
        FineTune.Config e = d.endpoint().with(FineTune.Scope.ALL, endpointEpochs, batch, null);
        FineTune.Config c = d.curve().with(FineTune.Scope.ALL, epochs, batch, common.lr(d.curve().lr()));
        return new Mcr.Config(e, c, points != null ? points : d.points(), holdout != null ? holdout : d.holdout(), margin != null ? margin : d.margin());
    }

    @Override
    public Integer call() {
        Mcr.Config cfg = config();
        if (endpointWeights != null && !Files.isRegularFile(endpointWeights)) {
            throw new BadInputException(endpointWeights + ": no such weights file (--endpoint-weights)");
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("config", cfg.toString());
        c.put("endpoint", endpointWeights != null ? "given: " + endpointWeights
                : "fine-tuned copy of the backdoored model, " + cfg.endpoint().epochs() + " epochs");
        try (PostTraining pt = common.begin("mcr", input, clean, c, Map.of("endpoint", Mcr.ENDPOINT_CHECKPOINT, "curve", Mcr.CURVE_CHECKPOINT),
                m -> {})) {
            Runs.EpochRecorder endpointRec = pt.recorder(cfg.endpoint().epochs());
            Runs.EpochRecorder curveRec = pt.recorder(cfg.curve().epochs());
            List<Map<String, Object>> curve = new ArrayList<>();
            Map<String, Object> endpointScores = new LinkedHashMap<>();
            Mcr.Listener listener = new Mcr.Listener() {
                @Override
                public void epoch(String stage, Trainer.EpochStats s, Model m) {
                    (stage.equals("endpoint") ? endpointRec : curveRec).record(stage, s, m);
                }

                @Override
                public void endpoint(Model e) {
                    Metrics.Scores s = Metrics.score(e, pt.test, pt.poisonedTest, pt.target, 256);
                    System.out.printf(Locale.ROOT, "endpoint: %s%n", Runs.describe(s));
                    endpointScores.putAll(Runs.scores(s));
                    Runs.saveModel(pt.run, "endpoint.safetensors", e, pt.provenance);
                }

                @Override
                public void point(int index, Mcr.Point p, Model m) {
                    Metrics.Scores s = Metrics.score(m, pt.test, pt.poisonedTest, pt.target, 256);
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("stage", Mcr.CURVE_STAGE);
                    r.put("epoch", index);
                    r.put("t", p.t());
                    r.put("heldout_accuracy", p.heldOutAccuracy());
                    r.put("heldout_loss", p.heldOutLoss());
                    r.putAll(Runs.epochScores(s));
                    pt.run.appendMetrics(r);
                    curve.add(r);
                    System.out.printf(Locale.ROOT, "t = %.3f: held-out accuracy %.2f%%  %s%n", p.t(), 100 * p.heldOutAccuracy(), Runs.describe(s));
                }
            };
            // a rerun scores the curve again, so its earlier points are dropped first
            pt.run.truncateMetrics(Mcr.CURVE_STAGE, -1);
            Model given = null;
            if (endpointWeights != null) {
                given = pt.model.copy();
                try {
                    given.load(endpointWeights);
                } catch (RuntimeException e) {
                    given.close();
                    throw e;
                }
            }
            Mcr.Result r;
            try {
                r = Mcr.run(pt.model, given, pt.budget.set(), cfg, pt.run.path(), listener, new Progress(System.err, false));
            } finally {
                if (given != null) given.close();
            }
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("t", r.chosen().t());
            extra.put("heldout_accuracy", r.chosen().heldOutAccuracy());
            extra.put("within_margin", r.choice().withinMargin());
            extra.put("better_endpoint_heldout_accuracy", r.choice().reference());
            extra.put("margin", cfg.margin());
            extra.put("heldout_images", r.heldOut());
            extra.put("curve_training_images", r.trainedOn());
            extra.put("endpoint", endpointScores);
            extra.put("endpoint_epochs", endpointWeights != null ? 0 : cfg.endpoint().epochs());
            extra.put("epochs", cfg.curve().epochs());
            extra.put("curve", curve);
            pt.finish("mcr", extra);
        }
        return 0;
    }
}
