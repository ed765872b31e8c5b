package io.antidote.cli;

import io.antidote.report.Leaderboard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** `antidote leaderboard`: one table of the final ASR, CA and DER of many runs, as Markdown, CSV and HTML. */
@Command(name = "leaderboard", mixinStandardHelpOptions = true,
        description = "Tabulate runs like the ABL README leaderboard (defense, attack, model, ASR, CA) plus DER; writes PREFIX.md, .csv and .html.")
final class LeaderboardCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Run directories, or directories whose sub-directories are runs.")
    List<Path> dirs;

    @Option(names = "--out", required = true, paramLabel = "PREFIX", description = "Output path without extension, e.g. runs/leaderboard.")
    Path out;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() {
        List<Path> runs = Leaderboard.findRuns(dirs);
        List<Leaderboard.Row> rows = Leaderboard.write(runs, out);
        PrintWriter o = command.commandLine().getOut();
        o.printf("%d rows from %d runs: %s.md, .csv, .html%n", rows.size(), runs.size(), out);
        return 0;
    }
}
