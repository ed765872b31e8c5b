package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.attack.Attack;
import io.antidote.attack.AttackContext;
import io.antidote.attack.AttackRegistry;
import io.antidote.attack.Preview;
import io.antidote.data.ImageSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

/** `antidote preview`: a PNG sheet of clean, triggered and difference images, one row per attack. */
@Command(name = "preview", mixinStandardHelpOptions = true,
        description = {"Write a PNG sheet of triggers: one row per attack.",
                "Each of the first --samples test images gets three cells: clean, triggered, |difference| stretched to full range."})
final class PreviewCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "synthetic", description = "As for antidote train (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--attacks", split = ",", paramLabel = "NAME", completionCandidates = AttackOptions.Names.class,
            description = "Attacks to show, default parameters (default: all: ${COMPLETION-CANDIDATES}).")
    List<String> attacks;

    @Option(names = "--samples", defaultValue = "4", description = "Test images per row (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--target", defaultValue = "0", description = "Target label; Refool draws no reflections from it (default: ${DEFAULT-VALUE}).")
    int target;

    @Option(names = "--out", defaultValue = "preview.png", description = "PNG file (default: ${DEFAULT-VALUE}).")
    Path out;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() {
        List<String> names = attacks == null || attacks.isEmpty() ? new ArrayList<>(AttackRegistry.names()) : attacks;
        for (String n : names) {
            if (!AttackRegistry.has(n)) {
                throw new BadInputException("--attacks: unknown attack '" + n + "'; known: " + String.join(", ", AttackRegistry.names()));
            }
        }
        if (samples < 1) throw new BadInputException("--samples " + samples + " must be at least 1");
        DataSource.Split d = DataSource.resolve(data);
        if (target < 0 || target >= d.train().numClasses()) {
            throw new BadInputException("--target " + target + " is outside [0, " + d.train().numClasses() + ") for a data set of "
                    + d.train().numClasses() + " classes");
        }
        ImageSet shown = d.test();
        if (samples > shown.size()) throw new BadInputException("--samples " + samples + " exceeds the " + shown.size() + " test images of --data " + data);
        List<Attack> list = new ArrayList<>();
        for (String n : names) list.add(AttackRegistry.create(n, Map.of(), new AttackContext(d.train(), target)));
        int[] positions = IntStream.range(0, samples).toArray();
        BufferedImage sheet = Preview.render(list, shown, positions);
        Preview.write(out, sheet);
        PrintWriter o = command.commandLine().getOut();
        o.printf("%s: %dx%d, rows %s, %d samples from %s%n", out, sheet.getWidth(), sheet.getHeight(), String.join(", ", names), samples, shown.name());
        o.flush();
        return 0;
    }
}
