package io.antidote;

/**
 * A problem with what the user supplied (a file, a field, a value): the CLI prints its one-line
 * message and exits with code 2, never a stack trace.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
