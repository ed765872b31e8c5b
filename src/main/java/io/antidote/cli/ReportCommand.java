package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.report.HtmlReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** `antidote report`: writes report.html into each given run directory. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write RUN_DIR/report.html: provenance, final CA/ASR (beside the paper's where known) and per-epoch charts; works offline.")
final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "Run directories holding result.json.")
    List<Path> runDirs;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() {
        int failed = 0;
        // One unfinished run among many should not keep the others from getting their report.
        for (Path dir : runDirs) {
            try {
                command.commandLine().getOut().println(HtmlReport.write(dir));
            } catch (BadInputException e) {
                command.commandLine().getErr().println("antidote: " + e.getMessage());
                failed++;
            }
        }
        return failed == 0 ? 0 : 2;
    }
}
