package dev.reviewscore;

/**
 * A problem the user can fix: invalid configuration, a source that cannot be read or lacks a mapped column, a model
 * folder that breaks the model contract.
 *
 * <p>The message names the thing, what was found and what to do; it is meant to be printed as is, and so has any
 * credentials in the URIs it quotes masked ({@link Credentials#mask}). The command line
 * exits with code 2 when one escapes a job.
 */
public class InvalidInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, where, and how to fix it
     */
    public InvalidInputException(String message) {
        super(Credentials.mask(message));
    }

    /**
     * @param message what is wrong, where, and how to fix it
     * @param cause the underlying failure
     */
    public InvalidInputException(String message, Throwable cause) {
        super(Credentials.mask(message), cause);
    }
}
