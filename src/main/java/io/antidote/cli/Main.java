package io.antidote.cli;

import io.antidote.BadInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** Entry point of the `antidote` command line; bad input ends in one line on stderr and exit code 2. */
@Command(name = "antidote", mixinStandardHelpOptions = true, version = "antidote 0.1.0",
        description = "Train clean image classifiers on poisoned data: backdoor attacks, defenses, CA and ASR.",
        subcommands = {DemoCommand.class, TrainCommand.class, EvalCommand.class, PoisonCommand.class, PreviewCommand.class, DefendCommand.class,
                BenchCommand.class, ReportCommand.class, LeaderboardCommand.class, RunCommand.class, GridCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        return run(null, null, args);
    }

    /** As {@link #run(String...)}, with picocli's output and error streams replaced where not null. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        // Set before execute so every subcommand in the hierarchy gets the same writers.
        if (out != null) cl.setOut(out);
        if (err != null) cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Throwable t = ex;
            while (t != null && !(t instanceof BadInputException)) t = t.getCause();
            if (t != null) {
                cmd.getErr().println("antidote: " + t.getMessage());
                return 2;
            }
            throw ex;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("antidote: " + ex.getMessage());
            return 2;
        });
        return cl.execute(args);
    }
}
