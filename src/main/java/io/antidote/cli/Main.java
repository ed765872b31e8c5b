package io.antidote.cli;

import io.antidote.BadInputException;
import io.antidote.Interruption;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import sun.misc.Signal;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;

/** Entry point of the `antidote` command line; bad input ends in one line on stderr and exit code 2. */
@Command(name = "antidote", mixinStandardHelpOptions = true, version = "antidote 0.1.0",
        description = "Train clean image classifiers on poisoned data: backdoor attacks, defenses, CA and ASR.",
        subcommands = {DemoCommand.class, TrainCommand.class, EvalCommand.class, AverageCommand.class, PoisonCommand.class, PreviewCommand.class, DefendCommand.class,
                BenchCommand.class, ReportCommand.class, LeaderboardCommand.class, RunCommand.class, GridCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** How long a running native step may take to reach the next step boundary before the process is stopped anyway. */
    private static final long STOP_GRACE_MILLIS = 60_000;
    private static final AtomicBoolean SIGNALLED = new AtomicBoolean();

    public static void main(String[] args) {
        stopBetweenSteps("INT", 130);
        stopBetweenSteps("TERM", 143);
        System.exit(run(args));
    }

    /**
     * Replaces the JVM's exit-at-once on this signal by a stop at the next native step: the JVM's
     * default exits while a libtorch kernel runs and crashes with SIGSEGV in it (seen on SIGTERM mid-epoch).
     * A second signal stops at once.
     */
    private static void stopBetweenSteps(String name, int code) {
        try {
            Signal.handle(new Signal(name), s -> {
                if (!SIGNALLED.compareAndSet(false, true)) Runtime.getRuntime().halt(code);
                System.err.println();
                Interruption.request(name, () -> {
                    // no native step is running, so the process may end here, with the line a step boundary would print
                    System.err.println(stopLine(name));
                    System.exit(code);
                });
                Thread deadline = new Thread(() -> {
                    try {
                        Thread.sleep(STOP_GRACE_MILLIS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.err.println("antidote: SIG" + name + ": no step boundary within " + STOP_GRACE_MILLIS / 1000 + " s; stopping now");
                    Runtime.getRuntime().halt(code);
                }, "antidote-stop-deadline");
                deadline.setDaemon(true);
                deadline.start();
            });
        } catch (IllegalArgumentException e) {
            // The JVM keeps this signal to itself (-Xrs or an attached tool): its default stays.
        }
    }

    /** The one line a run stopped by a signal ends with. */
    private static String stopLine(String signal) {
        return "antidote: interrupted by SIG" + signal + "; checkpoints written so far are intact (--resume continues a run)";
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
            for (Throwable t = ex; t != null; t = t.getCause()) {
                if (t instanceof Interruption i) {
                    cmd.getErr().println(stopLine(i.signal()));
                    return "INT".equals(i.signal()) ? 130 : 143;
                }
            }
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
