package io.antidote.cli;

import io.antidote.data.ImageSet;
import io.antidote.defense.Asd;
import io.antidote.eval.Metrics;
import io.antidote.nn.Model;
import io.antidote.nn.Precision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** `antidote eval`: clean accuracy of saved weights on a data set's test split, and ASR on a poisoned one. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate saved weights (safetensors or torch.save) on a test set; with --data poisoned:DIR also the ASR.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--weights", required = true, description = "A .safetensors file written by Antidote or converted from PyTorch, or a torch.save file (.pth, .pt, .tar).")
    Path weights;

    @Option(names = "--model", defaultValue = "wrn-16-1", description = "The architecture the weights belong to: " + OptionText.MODEL)
    String model;

    @Option(names = "--data", defaultValue = "synthetic", description = OptionText.DATA)
    String data;

    @Option(names = "--precision", defaultValue = "fp32", description = OptionText.PRECISION)
    String precision;

    @Option(names = "--refresh-bn", paramLabel = "N", description = "First re-estimate every batch-norm mean and variance on N training "
            + "images drawn at random, without augmentation (0, the default: keep the saved statistics). Statistics gathered on "
            + "mixed or augmented inputs, as MixMatch's, need not fit plain test images.")
    int refreshBn;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(weights)) throw new io.antidote.BadInputException(weights + ": no such weights file");
        if (refreshBn < 0) throw new io.antidote.BadInputException("--refresh-bn " + refreshBn + " must be >= 0");
        DataSource.Split d = DataSource.resolve(data);
        try (Model m = Model.create(model, d.test().numClasses(), d.test().height(), d.test().width(), d.test().channels(), 0, Precision.parse(precision))) {
            m.load(weights);
            if (refreshBn > 0) {
                ImageSet train = d.train();
                int used = Asd.refreshStatistics(m, train, refreshBn, 0);
                System.out.printf("batch-norm statistics re-estimated on %d images of %s%n", used, train.name());
            }
            // A set written by antidote poison brings its triggered test set, so the ASR comes for free.
            DataSource.Poisoning p = d.poisoning();
            Metrics.Scores s = Metrics.score(m, d.test(), p == null ? null : p.poisonedTest(), p == null ? -1 : p.target(), 256);
            System.out.printf("%s on %s (%d images): %s%n", weights, d.test().name(), d.test().size(), Runs.describe(s));
        }
        return 0;
    }
}
