package io.antidote.nn;

import io.antidote.Interruption;
import org.bytedeco.javacpp.PointerScope;

/**
 * The native memory scope of one step, which also tells {@link Interruption} that libtorch is busy:
 * every scope in this package opens through {@link #open}, so a signal stops a run between kernels.
 */
final class StepScope extends PointerScope {
    private boolean closed;

    private StepScope() {
        super();
    }

    /** Opens a scope, or throws {@link Interruption} when a stop was asked for. */
    static StepScope open() {
        Interruption.enterStep();
        try {
            return new StepScope();
        } catch (RuntimeException | Error e) {
            Interruption.leaveStep();
            throw e;
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            super.close();
        } finally {
            Interruption.leaveStep();
        }
    }
}
