package dev.spine.events;

import dev.spine.contracts.Domains;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Names, subjects and retention of the spine's JetStream streams. The subject of an event is its
 * type, optionally behind a {@link #subjectPrefix()} (for shared clusters, and for tests):
 * <ul>
 *   <li>{@code platform-events} captures {@code <prefix><domain>.*} for every registered domain (never a
 *       bare {@code *.*}, which would swallow two-token reply inboxes);</li>
 *   <li>{@code connector-data} has no subjects and sources {@code platform-events} filtered to
 *       {@code connector.*};</li>
 *   <li>{@code audit-log} sources all of {@code platform-events} and denies delete and purge;</li>
 *   <li>{@code dead-letters} captures {@code <prefix>spine_dead.>}, which no domain can collide with
 *       (domains have no underscore).</li>
 * </ul>
 * Immutable; build with {@link #builder()}, which validates every field.
 */
public final class StreamTopology {
    public static final String DEFAULT_PLATFORM_STREAM = "platform-events";
    public static final String DEFAULT_CONNECTOR_STREAM = "connector-data";
    public static final String DEFAULT_AUDIT_STREAM = "audit-log";
    public static final String DEFAULT_DEAD_LETTER_STREAM = "dead-letters";
    public static final Duration DEFAULT_PLATFORM_MAX_AGE = Duration.ofDays(30);
    public static final Duration DEFAULT_CONNECTOR_MAX_AGE = Duration.ofDays(7);
    public static final Duration DEFAULT_AUDIT_MAX_AGE = Duration.ofDays(365);
    public static final Duration DEFAULT_DEAD_LETTER_MAX_AGE = Duration.ofDays(30);
    public static final Duration DEFAULT_DUPLICATE_WINDOW = Duration.ofMinutes(2);
    public static final int DEFAULT_REPLICAS = 1;
    /** The connector-data stream keeps events of this domain. */
    public static final String CONNECTOR_DOMAIN = "connector";
    /** First subject token of dead letters; cannot be a domain because domains have no underscore. */
    public static final String DEAD_LETTER_TOKEN = "spine_dead";
    /** The first token of query subjects (see {@link #querySubject}). */
    public static final String QUERY_TOKEN = "spine_query";

    private final String subjectPrefix;
    private final String streamNamePrefix;
    private final Domains domains;
    private final int replicas;
    private final Duration platformMaxAge;
    private final Duration connectorMaxAge;
    private final Duration auditMaxAge;
    private final Duration deadLetterMaxAge;
    private final Duration duplicateWindow;

    private StreamTopology(Builder b) {
        this.subjectPrefix = b.subjectPrefix;
        this.streamNamePrefix = b.streamNamePrefix;
        this.domains = b.domains;
        this.replicas = b.replicas;
        this.platformMaxAge = b.platformMaxAge;
        this.connectorMaxAge = b.connectorMaxAge;
        this.auditMaxAge = b.auditMaxAge;
        this.deadLetterMaxAge = b.deadLetterMaxAge;
        this.duplicateWindow = b.duplicateWindow;
    }

    /** The production defaults: default domains, no prefixes, one replica. */
    public static StreamTopology defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The subject an event of this type is published on: {@code subjectPrefix + eventType}. */
    public String subjectFor(String eventType) {
        return subjectPrefix.isEmpty() ? eventType : subjectPrefix + eventType;
    }

    /** The event type carried by a subject of this topology (the subject without the prefix). */
    public String eventTypeOf(String subject) {
        return subject.startsWith(subjectPrefix) ? subject.substring(subjectPrefix.length()) : subject;
    }

    /** Subjects {@code platform-events} captures: one {@code <prefix><domain>.*} per registered domain. */
    public List<String> platformSubjects() {
        List<String> subjects = new ArrayList<>();
        for (String d : domains.names()) {
            subjects.add(subjectPrefix + d + ".*");
        }
        return subjects;
    }

    /** The subject filter for all events of one domain. */
    public String domainFilter(String domain) {
        return subjectPrefix + domain + ".*";
    }

    /** Where a dead letter of this event type is stored. */
    public String deadLetterSubject(String eventType) {
        return subjectPrefix + DEAD_LETTER_TOKEN + "." + eventType;
    }

    /**
     * The core-NATS subject queries of this type are requested on ({@link Spine#query}). No stream captures
     * it ({@code spine_query} cannot be a domain), so a request is never stored or acknowledged by JetStream.
     */
    public String querySubject(String eventType) {
        return subjectPrefix + QUERY_TOKEN + "." + eventType;
    }

    /** The filter matching every dead letter. */
    public String deadLetterFilter() {
        return subjectPrefix + DEAD_LETTER_TOKEN + ".>";
    }

    public String platformStream() { return streamNamePrefix + DEFAULT_PLATFORM_STREAM; }
    public String connectorStream() { return streamNamePrefix + DEFAULT_CONNECTOR_STREAM; }
    public String auditStream() { return streamNamePrefix + DEFAULT_AUDIT_STREAM; }
    public String deadLetterStream() { return streamNamePrefix + DEFAULT_DEAD_LETTER_STREAM; }
    public String subjectPrefix() { return subjectPrefix; }
    public String streamNamePrefix() { return streamNamePrefix; }
    public Domains domains() { return domains; }
    public int replicas() { return replicas; }
    public Duration platformMaxAge() { return platformMaxAge; }
    public Duration connectorMaxAge() { return connectorMaxAge; }
    public Duration auditMaxAge() { return auditMaxAge; }
    public Duration deadLetterMaxAge() { return deadLetterMaxAge; }
    public Duration duplicateWindow() { return duplicateWindow; }

    /** Options for a {@link StreamTopology}; every default is a named constant of the outer class. */
    public static final class Builder {
        private String subjectPrefix = "";
        private String streamNamePrefix = "";
        private Domains domains = Domains.defaults();
        private int replicas = DEFAULT_REPLICAS;
        private Duration platformMaxAge = DEFAULT_PLATFORM_MAX_AGE;
        private Duration connectorMaxAge = DEFAULT_CONNECTOR_MAX_AGE;
        private Duration auditMaxAge = DEFAULT_AUDIT_MAX_AGE;
        private Duration deadLetterMaxAge = DEFAULT_DEAD_LETTER_MAX_AGE;
        private Duration duplicateWindow = DEFAULT_DUPLICATE_WINDOW;

        private Builder() {}

        /** Prepended to every subject, e.g. {@code events.}; must end with a dot. Default none. */
        public Builder subjectPrefix(String v) { this.subjectPrefix = v; return this; }
        /** Prepended to every stream name (e.g. per environment or per test). Default none. */
        public Builder streamNamePrefix(String v) { this.streamNamePrefix = v; return this; }
        /** Registered domains; default {@link Domains#defaults()}. */
        public Builder domains(Domains v) { this.domains = v; return this; }
        /** 1 for development, 3 in a cluster; default {@value StreamTopology#DEFAULT_REPLICAS}. */
        public Builder replicas(int v) { this.replicas = v; return this; }
        public Builder platformMaxAge(Duration v) { this.platformMaxAge = v; return this; }
        public Builder connectorMaxAge(Duration v) { this.connectorMaxAge = v; return this; }
        public Builder auditMaxAge(Duration v) { this.auditMaxAge = v; return this; }
        public Builder deadLetterMaxAge(Duration v) { this.deadLetterMaxAge = v; return this; }
        /** JetStream dedupe window for {@code Nats-Msg-Id}; retries must land inside it. */
        public Builder duplicateWindow(Duration v) { this.duplicateWindow = v; return this; }

        public StreamTopology build() {
            Objects.requireNonNull(subjectPrefix, "subjectPrefix");
            Objects.requireNonNull(streamNamePrefix, "streamNamePrefix");
            Objects.requireNonNull(domains, "domains");
            if (!subjectPrefix.isEmpty() && (!subjectPrefix.endsWith(".") || subjectPrefix.startsWith(".")
                    || subjectPrefix.contains("..") || hasSubjectSpecials(subjectPrefix))) {
                throw new IllegalArgumentException("subjectPrefix must be tokens ending with '.', e.g. 'events.', got '"
                        + subjectPrefix + "'");
            }
            if (hasSubjectSpecials(streamNamePrefix) || streamNamePrefix.contains(".")) {
                throw new IllegalArgumentException("streamNamePrefix must not contain '.', '*', '>' or whitespace, got '"
                        + streamNamePrefix + "'");
            }
            if (domains.names().isEmpty()) {
                throw new IllegalArgumentException("domains must contain at least one domain");
            }
            if (replicas < 1 || replicas > 5) {
                throw new IllegalArgumentException("replicas must be 1..5, got " + replicas);
            }
            positive("platformMaxAge", platformMaxAge);
            positive("connectorMaxAge", connectorMaxAge);
            positive("auditMaxAge", auditMaxAge);
            positive("deadLetterMaxAge", deadLetterMaxAge);
            positive("duplicateWindow", duplicateWindow);
            if (duplicateWindow.compareTo(platformMaxAge) > 0) {
                throw new IllegalArgumentException("duplicateWindow must not exceed platformMaxAge");
            }
            return new StreamTopology(this);
        }

        private static boolean hasSubjectSpecials(String s) {
            return s.chars().anyMatch(c -> c == '*' || c == '>' || Character.isWhitespace(c));
        }

        private static void positive(String field, Duration d) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(field + " must be a positive duration, got " + d);
            }
        }
    }
}
