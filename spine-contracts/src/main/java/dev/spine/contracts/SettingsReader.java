package dev.spine.contracts;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads typed settings from SPINE_* variables (unset or blank: the default) and names the variable when a
 * value is bad. One reader for every process's settings: the engine's, the gateway's and the server's.
 */
public record SettingsReader(Function<String, String> env, Map<String, String[]> variables) {
    public String text(String name) {
        String v = env.apply(name);
        return v == null || v.isBlank() ? variables.get(name)[0] : v.trim();
    }

    public int integer(String name, int min, int max) {
        String v = text(name);
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the range
        }
        throw bad(name, v, "a whole number " + min + ".." + max);
    }

    public boolean bool(String name) {
        String v = text(name).toLowerCase();
        if (!v.equals("true") && !v.equals("false")) {
            throw bad(name, v, "true or false");
        }
        return v.equals("true");
    }

    /** {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}, or ISO-8601 ({@code PT5M}). */
    public Duration duration(String name) {
        String v = text(name);
        try {
            if (v.matches("\\d+ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.matches("\\d+[smhd]")) {
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                return switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            return Duration.parse(v);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw bad(name, v, "a duration like 250ms, 30s, 5m, 7d or PT5M");
        }
    }

    /** An http(s) URL without a trailing slash: it becomes a link in the dashboard, so no other scheme. */
    public String httpUrl(String name) {
        String v = text(name);
        if (!v.matches("https?://[^\\s\"'<>]+")) {
            throw bad(name, v, "an http:// or https:// URL");
        }
        return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
    }

    private static ConfigException bad(String name, String value, String expected) {
        return new ConfigException(name, "must be " + expected + ", was '" + value + "'");
    }
}
