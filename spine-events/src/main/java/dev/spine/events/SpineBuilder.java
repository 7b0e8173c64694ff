package dev.spine.events;

import com.codahale.metrics.MetricRegistry;
import dev.spine.contracts.EnvelopeAdapter;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventSchemas;
import io.nats.client.Connection;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/** Options for a {@link Spine}; {@link #build()} validates them and names the bad field. */
public final class SpineBuilder {
    /** How long a synchronous publish waits for the stream's ack before retrying. */
    public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(5);
    /** Retries of a publish that got no ack (same Nats-Msg-Id, so a stored first attempt is not duplicated). */
    public static final int DEFAULT_PUBLISH_RETRIES = 2;
    /** The {@code source} of envelopes the spine builds itself (queries from {@link Spine#query(String, com.fasterxml.jackson.databind.node.ObjectNode, Duration)}, answers of responders). */
    public static final String DEFAULT_SOURCE = "spine";
    /** Async publishes awaiting an ack at once; beyond it {@link WhenFull} applies. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 4096;

    /** What {@code publishAsync} does when {@code maxInFlight} publishes await their ack. */
    public enum WhenFull {
        /** Wait for a slot (backpressure on the caller). */
        BLOCK,
        /** Throw {@link EventPublishException} with reason {@code BACKPRESSURE}. */
        FAIL_FAST
    }

    final Connection connection;
    final String natsUrl;
    final NatsConnections settings;
    final String connectionName;
    StreamTopology topology = StreamTopology.defaults();
    EventCodec codec = EventCodec.defaults();
    EnvelopeAdapter adapter = EnvelopeAdapter.defaults();
    EventSchemas schemas;
    MetricRegistry metricRegistry;
    OpenTelemetry openTelemetry;
    Duration publishTimeout = DEFAULT_PUBLISH_TIMEOUT;
    int publishRetries = DEFAULT_PUBLISH_RETRIES;
    int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    WhenFull whenFull = WhenFull.BLOCK;
    Clock clock = Clock.systemUTC();
    String source = DEFAULT_SOURCE;

    SpineBuilder(Connection connection, String natsUrl) {
        this(connection, natsUrl, null, null);
    }

    SpineBuilder(Connection connection, String natsUrl, NatsConnections settings, String connectionName) {
        this.connection = connection;
        this.natsUrl = natsUrl;
        this.settings = settings;
        this.connectionName = connectionName;
    }

    /** Streams, subjects and domains; default {@link StreamTopology#defaults()}. */
    public SpineBuilder topology(StreamTopology v) { this.topology = v; return this; }
    /** Codec (payload limit); default {@link EventCodec#defaults()}. */
    public SpineBuilder codec(EventCodec v) { this.codec = v; return this; }
    /**
     * How {@code subscribe} reads the platform's legacy event shapes (see {@link EnvelopeAdapter}); default
     * {@link EnvelopeAdapter#defaults()}, null to treat them as malformed (dead letters).
     */
    public SpineBuilder envelopeAdapter(EnvelopeAdapter v) { this.adapter = v; return this; }
    /**
     * JSON Schemas the publisher checks {@code data} against before sending; default
     * {@link EventSchemas#fromClasspath()} (the platform's schemas), {@link EventSchemas#none()} to skip.
     */
    public SpineBuilder schemas(EventSchemas v) { this.schemas = v; return this; }
    /** Where counters and timers go; default none (counters only, no timers). */
    public SpineBuilder metricRegistry(MetricRegistry v) { this.metricRegistry = v; return this; }
    /** Tracing; default {@link GlobalOpenTelemetry#get()}, a no-op unless an SDK was registered. */
    public SpineBuilder openTelemetry(OpenTelemetry v) { this.openTelemetry = v; return this; }
    public SpineBuilder publishTimeout(Duration v) { this.publishTimeout = v; return this; }
    public SpineBuilder publishRetries(int v) { this.publishRetries = v; return this; }
    public SpineBuilder maxInFlight(int v) { this.maxInFlight = v; return this; }
    public SpineBuilder whenFull(WhenFull v) { this.whenFull = v; return this; }
    /** The {@code source} of envelopes the spine builds (queries, answers); name your service. Default {@value #DEFAULT_SOURCE}. */
    public SpineBuilder source(String v) { this.source = v; return this; }
    /** Time source for dead-letter timestamps. */
    public SpineBuilder clock(Clock v) { this.clock = v; return this; }

    /** Validates and builds; with a URL this connects (and fails with {@link SpineException} if it cannot). */
    public Spine build() {
        if (connection == null && settings == null && (natsUrl == null || natsUrl.isBlank())) {
            throw new IllegalArgumentException("natsUrl must be set when no connection is given");
        }
        if (settings != null && (connectionName == null || connectionName.isBlank())) {
            throw new IllegalArgumentException("connectionName must be non-blank, got '" + connectionName + "'");
        }
        Objects.requireNonNull(topology, "topology");
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(whenFull, "whenFull");
        Objects.requireNonNull(clock, "clock");
        if (publishTimeout == null || publishTimeout.isZero() || publishTimeout.isNegative()) {
            throw new IllegalArgumentException("publishTimeout must be a positive duration, got " + publishTimeout);
        }
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("source must be non-blank, got '" + source + "'");
        }
        if (publishRetries < 0) {
            throw new IllegalArgumentException("publishRetries must be >= 0, got " + publishRetries);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1, got " + maxInFlight);
        }
        if (openTelemetry == null) {
            openTelemetry = GlobalOpenTelemetry.get();
        }
        if (schemas == null) {
            schemas = EventSchemas.fromClasspath();
        }
        return Spine.create(this);
    }
}
