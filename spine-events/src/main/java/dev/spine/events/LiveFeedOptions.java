package dev.spine.events;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a {@link LiveFeed} starts and which events it carries. Start: {@link #after(long)} a sequence the
 * client saw (a reconnecting client misses nothing), {@link #fromStart()}, or {@link #newEventsOnly()} (after
 * the last event stored when the feed opens). Event patterns as for subscriptions; none means all.
 */
public final class LiveFeedOptions {
    private final long afterSequence;
    private final boolean newEventsOnly;
    private final List<String> eventPatterns;

    private LiveFeedOptions(Builder b) {
        this.afterSequence = b.afterSequence;
        this.newEventsOnly = b.newEventsOnly;
        this.eventPatterns = List.copyOf(b.eventPatterns);
    }

    /** Starts with the first event stored after {@code sequence} (0: from the start). */
    public static Builder after(long sequence) {
        Builder b = new Builder();
        b.afterSequence = sequence;
        return b;
    }

    public static Builder fromStart() {
        return after(0);
    }

    /** Starts after the last event stored when the feed opens. */
    public static Builder newEventsOnly() {
        Builder b = new Builder();
        b.newEventsOnly = true;
        return b;
    }

    /** The feed starts after this sequence (ignored when {@link #newEventsOnly()}). */
    public long afterSequence() { return afterSequence; }
    public boolean isNewEventsOnly() { return newEventsOnly; }
    public List<String> eventPatterns() { return eventPatterns; }

    /** True if {@code eventType} is one the feed carries. */
    public boolean matches(String eventType) {
        return dev.spine.contracts.EventType.matchesAny(eventPatterns, eventType);
    }

    public static final class Builder {
        private long afterSequence;
        private boolean newEventsOnly;
        private final List<String> eventPatterns = new ArrayList<>();

        private Builder() {}

        /** Adds event-type patterns: {@code domain.NounVerb} or {@code domain.*}. */
        public Builder eventTypes(String... patterns) { eventPatterns.addAll(List.of(patterns)); return this; }
        public Builder eventTypes(List<String> patterns) { eventPatterns.addAll(patterns); return this; }

        public LiveFeedOptions build() {
            if (afterSequence < 0) {
                throw new IllegalArgumentException("afterSequence must be >= 0, got " + afterSequence);
            }
            for (String p : eventPatterns) {
                if (!SubscriptionOptions.Builder.isPattern(p)) {
                    throw new IllegalArgumentException("eventTypes: '" + p + "' is neither domain.NounVerb nor domain.*");
                }
            }
            return new LiveFeedOptions(this);
        }
    }
}
