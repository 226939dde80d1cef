package dev.reviewscore;

import java.util.regex.Pattern;

/**
 * Masks credentials written into URIs ({@code scheme://user:password@host/...} becomes {@code scheme://****@host/...})
 * in any text the project prints, logs or writes to a table: locations, and error messages that may quote them.
 */
public final class Credentials {
    private static final Pattern URI_USER_INFO = Pattern.compile("(://)[^/@\\s]+@");

    private Credentials() {}

    /** The text with every URI's user information masked; null stays null. */
    public static String mask(String text) {
        return text == null ? null : URI_USER_INFO.matcher(text).replaceAll("$1****@");
    }
}
