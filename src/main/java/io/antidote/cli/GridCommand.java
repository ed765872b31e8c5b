package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.report.Leaderboard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;

/**
 * `antidote grid GRID.yaml`: a base experiment over attacks x defenses x rates x seeds, run here one
 * cell after another, or handed to a cluster as a Slurm job array or a Kubernetes Indexed Job in
 * which task i runs cell i.
 */
@Command(name = "grid", mixinStandardHelpOptions = true,
        description = "Expand a grid file into cells (attacks x defenses x rates x seeds) and run them, or emit a Slurm / Kubernetes job.")
final class GridCommand implements Callable<Integer> {
    /** Job scripts by the name --emit takes: one line registers a scheduler. */
    private static final Map<String, BiFunction<ConfigFile.Grid, GridJobs.Settings, String>> EMITTERS = Map.of(
            "slurm", GridJobs::slurm,
            "k8s", GridJobs::kubernetes);

    @Parameters(index = "0", paramLabel = "GRID.yaml", description = "The grid file: an experiment plus lists to expand (configs/grid-demo.yaml).")
    Path file;

    @Option(names = "--cell", paramLabel = "I", description = "Run only cell I (0-based, as --list numbers them).")
    Integer cell;

    @Option(names = "--list", description = "Print the cells and their run directories, run nothing.")
    boolean list;

    @Option(names = "--emit", paramLabel = "slurm|k8s", description = "Print a job script in which task i runs cell i, run nothing.")
    String emit;

    @Option(names = "--script", paramLabel = "FILE", description = "With --emit: write the script to FILE instead of printing it.")
    Path script;

    @Option(names = "--image", defaultValue = "antidote:0.1.0", description = "With --emit k8s: the container image (default: ${DEFAULT-VALUE}).")
    String image;

    @Option(names = "--launcher", description = "With --emit: how the job calls antidote (default: this checkout's ./antidote for slurm, antidote for k8s).")
    String launcher;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (emit != null && !EMITTERS.containsKey(emit)) {
            throw new BadInputException("--emit '" + emit + "' is not one of " + String.join(", ", EMITTERS.keySet().stream().sorted().toList()));
        }
        if (script != null && emit == null) throw new BadInputException("--script only applies with --emit slurm|k8s");
        ConfigFile.Grid grid = ConfigFile.grid(file);
        int n = grid.cells().size();
        if (cell != null && (cell < 0 || cell >= n)) throw new BadInputException("--cell " + cell + " is outside [0, " + (n - 1) + "] (" + n + " cells)");
        PrintWriter out = spec.commandLine().getOut();
        if (list) {
            for (ConfigFile.Cell c : grid.cells()) out.printf(Locale.ROOT, "%d\t%s%n", c.index(), grid.out().resolve(c.dirName()));
            out.flush();
            return 0;
        }
        if (emit != null) {
            String text = EMITTERS.get(emit).apply(grid, new GridJobs.Settings(file, launcher, image));
            if (script == null) {
                out.print(text);
                out.flush();
            } else {
                try {
                    Files.writeString(script, text, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new BadInputException(script + ": cannot write the script (" + e.getMessage() + ")");
                }
                out.printf("%s: %s job over %d cells%n", script, emit, n);
                out.flush();
            }
            return 0;
        }
        List<ConfigFile.Cell> todo = cell == null ? grid.cells() : List.of(grid.cells().get(cell));
        for (ConfigFile.Cell c : todo) {
            Path dir = grid.out().resolve(c.dirName());
            if (ExperimentRunner.finished(dir)) {
                System.out.printf("cell %d: finished already, %s%n", c.index(), dir);
                continue;
            }
            System.out.printf("== cell %d of %d: %s ==%n", c.index(), n, c.dirName());
            // an interrupted cell continues from its checkpoints
            ExperimentRunner.run(c.experiment(), dir, true);
        }
        List<java.nio.file.Path> done = new ArrayList<>();
        for (ConfigFile.Cell c : grid.cells()) {
            Path dir = grid.out().resolve(c.dirName());
            if (ExperimentRunner.finished(dir)) done.add(dir);
        }
        if (!done.isEmpty()) {
            Path prefix = grid.out().resolve("leaderboard");
            Leaderboard.write(done, prefix);
            System.out.printf("leaderboard over %d of %d cells: %s.md, .csv, .html%n", done.size(), n, prefix);
        }
        return 0;
    }
}
