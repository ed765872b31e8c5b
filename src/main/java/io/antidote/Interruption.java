package io.antidote;

/**
 * A stop asked for by a signal (Ctrl-C, SIGTERM), raised at the start of the next native step:
 * exiting while a libtorch kernel runs tears its libraries down under it and crashes the JVM, whereas
 * a stop between steps leaves every checkpoint already written valid for --resume.
 */
public final class Interruption extends RuntimeException {
    private static final Object LOCK = new Object();
    private static String requested;   // guarded by LOCK
    private static int openSteps;      // guarded by LOCK

    private final String signal;

    private Interruption(String signal) {
        super("interrupted by SIG" + signal);
        this.signal = signal;
    }

    /** The signal's name without its SIG prefix, as INT or TERM. */
    public String signal() {
        return signal;
    }

    /** Marks a native step as running, or throws this exception when a stop was asked for. */
    public static void enterStep() {
        synchronized (LOCK) {
            if (requested != null) throw new Interruption(requested);
            openSteps++;
        }
    }

    /** Marks the step entered last as finished. */
    public static void leaveStep() {
        synchronized (LOCK) {
            openSteps--;
        }
    }

    /**
     * Records a stop. When no native step is running, `exitNow` runs while the lock is held, so no
     * step can start before the process is gone; otherwise the running step's thread meets this
     * exception when it next enters a step, and the caller decides how long to wait for that.
     */
    public static void request(String signal, Runnable exitNow) {
        synchronized (LOCK) {
            requested = signal;
            if (openSteps == 0) exitNow.run();
        }
    }
}
