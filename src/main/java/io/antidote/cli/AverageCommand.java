package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.nn.Model;
import io.antidote.nn.SafeTensors;
import io.antidote.train.WeightAverage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `antidote average`: the uniform average of weights files of one network, such as the last epochs' checkpoints of a run. */
@Command(name = "average", mixinStandardHelpOptions = true,
        description = {"Average weights files of one network element by element (stochastic weight averaging over a run's epochs).",
                "Takes safetensors weights, Antidote training checkpoints (their model part) and torch.save files.",
                "Batch-norm statistics are averaged too; re-estimate them for the averaged weights with eval --refresh-bn N."})
final class AverageCommand implements Callable<Integer> {
    @Parameters(arity = "2..*", paramLabel = "WEIGHTS", description = "Two or more weights files of the same architecture.")
    List<Path> inputs;

    @Option(names = "--out", required = true, description = "The safetensors file to write (atomically).")
    Path out;

    @Override
    public Integer call() {
        List<SafeTensors.Contents> weights = new ArrayList<>();
        for (Path p : inputs) {
            if (!Files.isRegularFile(p)) throw new BadInputException(p + ": no such weights file");
            weights.add(Model.readWeights(p));
        }
        SafeTensors.Contents avg = WeightAverage.average(inputs, weights);
        try {
            SafeTensors.write(out, avg.tensors(), avg.metadata());
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": cannot write", e);
        }
        System.out.printf("averaged %d weights files (%d tensors each) into %s; batch-norm statistics are their average: "
                + "re-estimate them with eval --refresh-bn N%n", inputs.size(), avg.tensors().size(), out);
        return 0;
    }
}
