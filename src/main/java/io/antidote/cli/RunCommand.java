package io.antidote.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** `antidote run EXPERIMENT.yaml`: one experiment file, from data to report; docs/config.md lists its keys. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run an experiment file (YAML, keys in docs/config.md): poison, train, defend, evaluate, report.")
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "EXPERIMENT.yaml", description = "The experiment file; configs/ holds one per reproduced row.")
    Path file;

    @Option(names = "--set", paramLabel = "KEY.PATH=VALUE", description = "Override one key (repeatable), e.g. --set train.epochs=2 --set attack.rate=0.05.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--out", description = "Run directory (default: runs/<name>).")
    Path out;

    @Option(names = "--resume", description = "Continue an interrupted run in the run directory; a finished one is left as it is.")
    boolean resume;

    @Override
    public Integer call() {
        Experiment e = ConfigFile.experiment(file, sets);
        ExperimentRunner.run(e, out != null ? out : Path.of("runs", e.name()), resume);
        return 0;
    }
}
