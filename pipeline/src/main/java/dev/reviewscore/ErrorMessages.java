package dev.reviewscore;

/** How the job quotes an error it did not cause itself in its own messages. */
public final class ErrorMessages {
    private ErrorMessages() {}

    /** The first line of an error's message (Spark's and Delta's run over many lines), trimmed. */
    public static String firstLine(Throwable error) {
        String message = String.valueOf(error.getMessage()).strip();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
