package io.antidote.data;

import io.antidote.BadInputException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

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
}
