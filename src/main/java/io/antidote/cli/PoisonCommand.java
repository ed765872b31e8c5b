package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.attack.AttackRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** `antidote poison`: writes a poisoned copy of a data set that other tools, and `--data poisoned:DIR`, can read. */
@Command(name = "poison", mixinStandardHelpOptions = true,
        description = "Write a poisoned copy of a data set, with its manifest and triggered test set, to a new directory.",
        footer = {"", "--out DIR receives, all at once (written beside it, then renamed):",
                "  train.bin          the poisoned training set: CIFAR-10 binary records",
                "                     (label byte, then the R, G and B planes), all in one file",
                "  test.bin           the clean test set, same layout",
                "  test_poisoned.bin  the triggered test set the ASR is measured on",
                "  manifest.csv       index,poisoned,original_label,label per training sample",
                "  poison.json        the spec, class count, sizes and SHA-256 of each set",
                "Train on it with: antidote train --data poisoned:DIR"})
final class PoisonCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "synthetic", description = "The clean data set, as for antidote train (default: ${DEFAULT-VALUE}).")
    String data;

    @Mixin
    AttackOptions attack;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the poison draw unless --poison-seed is given (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "A new or empty directory.")
    Path out;

    @Option(names = "--format", defaultValue = "cifar", description = "cifar (the only writer this build has) (default: ${DEFAULT-VALUE}).")
    String format;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() {
        if (!"cifar".equals(format)) throw new BadInputException("--format '" + format + "' is unknown; known: cifar");
        attack.check();
        if (!attack.enabled()) throw new BadInputException("--attack is required; known: " + String.join(", ", AttackRegistry.names()));
        PoisonedDir.requireFree(out);
        DataSource.Split clean = DataSource.resolve(data);
        if (clean.poisoning() != null) throw new BadInputException("--data " + data + " is poisoned already; poison the clean set instead");
        PoisonedDir.requireCifarShape(clean.train(), data);
        AttackOptions.Poisoned p = attack.poison(clean, seed);
        PoisonedDir.write(out, p, clean.test(), data);
        PrintWriter o = command.commandLine().getOut();
        o.printf("%s: %d of %d training images poisoned (%s); %d triggered test images%n", out, p.poisonedTrain().poisonedCount(),
                p.poisonedTrain().size(), p.spec().describe(), p.poisonedTest().size());
        o.flush();
        return 0;
    }
}
