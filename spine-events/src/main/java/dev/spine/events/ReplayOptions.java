package dev.spine.events;

import dev.spine.contracts.EventType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What to replay: a start (stream sequence or point in time), optional event patterns and stream.
 * Replay reads with an ordered ephemeral consumer, so durable consumers and their positions are not
 * touched. It ends at the last matching event stored when it started, or after
 * {@link #idleTimeout()} without events.
 */
public final class ReplayOptions {
    /** How long replay waits for a next event before deciding it has reached the end. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(1);

    private final long startSequence;
    private final Instant startTime;
    private final List<String> eventPatterns;
    private final String stream;
    private final Duration idleTimeout;
    private final long limit;

    private ReplayOptions(Builder b) {
        this.startSequence = b.startSequence;
        this.startTime = b.startTime;
        this.eventPatterns = List.copyOf(b.eventPatterns);
        this.stream = b.stream;
        this.idleTimeout = b.idleTimeout;
        this.limit = b.limit;
    }

    /** Replay from this stream sequence (inclusive; 1 is the start of the stream). */
    public static Builder fromSequence(long sequence) {
        Builder b = new Builder();
        b.startSequence = sequence;
        return b;
    }

    /** Replay events stored at or after this instant. */
    public static Builder fromTime(Instant time) {
        Builder b = new Builder();
        b.startTime = time;
        return b;
    }

    /** The start sequence, or 0 when starting from a time. */
    public long startSequence() { return startSequence; }
    /** The start time, or {@code null} when starting from a sequence. */
    public Instant startTime() { return startTime; }
    public List<String> eventPatterns() { return eventPatterns; }
    /** The stream to read, or {@code null} for platform-events. */
    public String stream() { return stream; }
    public Duration idleTimeout() { return idleTimeout; }
    /** At most this many events; {@link Long#MAX_VALUE} by default. */
    public long limit() { return limit; }

    /** Options for a replay. */
    public static final class Builder {
        private long startSequence;
        private Instant startTime;
        private final List<String> eventPatterns = new ArrayList<>();
        private String stream;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private long limit = Long.MAX_VALUE;

        private Builder() {}

        /** Only these patterns: {@code domain.NounVerb} or {@code domain.*} (several need server 2.10+). */
        public Builder eventTypes(String... patterns) { eventPatterns.addAll(List.of(patterns)); return this; }
        public Builder stream(String v) { this.stream = v; return this; }
        public Builder idleTimeout(Duration v) { this.idleTimeout = v; return this; }
        public Builder limit(long v) { this.limit = v; return this; }

        public ReplayOptions build() {
            if (startTime == null && startSequence < 1) {
                throw new IllegalArgumentException("startSequence must be >= 1, got " + startSequence);
            }
            for (String p : eventPatterns) {
                boolean ok = p != null && (p.endsWith(".*") ? EventType.isValid(p.substring(0, p.length() - 1) + "X")
                        : EventType.isValid(p));
                if (!ok) {
                    throw new IllegalArgumentException("eventTypes: '" + p + "' is neither domain.NounVerb nor domain.*");
                }
            }
            if (idleTimeout == null || idleTimeout.isZero() || idleTimeout.isNegative()) {
                throw new IllegalArgumentException("idleTimeout must be a positive duration, got " + idleTimeout);
            }
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be >= 1, got " + limit);
            }
            return new ReplayOptions(this);
        }
    }
}
