package io.antidote.data;

import io.antidote.BadInputException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Builds the one-line BadInputException messages shared by the readers. */
final class Inputs {
    private Inputs() {}

    /** "source: problem", with any line breaks folded so the CLI prints one line. */
    static BadInputException bad(Object source, String problem) {
        return new BadInputException(oneLine(source + ": " + problem));
    }

    /** An I/O failure reported against the file the user named, not as a stack trace. */
    static BadInputException io(Object source, IOException e) {
        String why;
        if (e instanceof NoSuchFileException) why = "file not found";
        else if (e instanceof AccessDeniedException) why = "permission denied";
        else why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new BadInputException(oneLine(source + ": " + why), e);
    }

    static String oneLine(String s) {
        return s.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    }

    /** Body of a file write. */
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes beside the target and then moves into place, so a crash never leaves a half-written
     * data set that a later run would read as valid.
     */
    static void writeAtomically(Path file, Body body) {
        try {
            AtomicFiles.write(file, body::writeTo);
        } catch (IOException e) {
            throw io(file, e);
        }
    }
}
