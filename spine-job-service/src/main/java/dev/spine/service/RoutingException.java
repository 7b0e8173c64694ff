package dev.spine.service;

/** A routing file that cannot be used: names the file, the line, and the reason. Fails start-up. */
public final class RoutingException extends RuntimeException {
    private final String source;
    private final int line;

    public RoutingException(String source, int line, String reason) {
        super(source + ":" + line + ": " + reason);
        this.source = source;
        this.line = line;
    }

    public RoutingException(String source, int line, String reason, Throwable cause) {
        this(source, line, reason);
        initCause(cause);
    }

    public String source() {
        return source;
    }

    public int line() {
        return line;
    }
}
