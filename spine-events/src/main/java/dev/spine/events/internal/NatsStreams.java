package dev.spine.events.internal;

import dev.spine.contracts.EventCodec;
import dev.spine.events.BusStatus;
import dev.spine.events.ConsumerStats;
import dev.spine.events.StoredEvent;
import dev.spine.events.StreamStats;
import dev.spine.events.SpineException;
import dev.spine.events.StreamTopology;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The reads of the NATS bus: stream positions, windows of stored events (an ordered consumer, so no
 * durable moves), stream statistics and the connection's status.
 */
public final class NatsStreams {
    /** JetStream's error code for "stream not found". */
    private static final int STREAM_NOT_FOUND = 10059;
    /** The window ends at the last stored event, so this only bounds a read that stalls. */
    private static final Duration READ_IDLE_TIMEOUT = Duration.ofSeconds(2);

    private final Connection connection;
    private final StreamTopology topology;
    private final StreamReader reader;
    private final EventCodec codec;

    public NatsStreams(Connection connection, StreamTopology topology, StreamReader reader, EventCodec codec) {
        this.connection = connection;
        this.topology = topology;
        this.reader = reader;
        this.codec = codec;
    }

    public long lastSequence(String stream) {
        return state(stream).getLastSequence();
    }

    private StreamState state(String stream) {
        try {
            return connection.getStreamContext(stream).getStreamInfo().getStreamState();
        } catch (IOException | JetStreamApiException e) {
            throw new SpineException("cannot read the position of " + stream + ": " + e.getMessage(), e);
        }
    }

    public List<StoredEvent> read(String stream, long fromSequence, int limit) {
        List<StoredEvent> out = new ArrayList<>(Math.min(limit, 1024));
        reader.read(stream, List.of(), fromSequence, null, limit, READ_IDLE_TIMEOUT, m -> {
            out.add(new StoredEvent(stream, m.metaData().streamSequence(), m.getSubject(), m.getData(), codec));
            return true;
        });
        return out;
    }

    public List<StoredEvent> newest(String stream, int limit) {
        StreamState state = state(stream);
        long last = state.getLastSequence();
        if (last == 0) {
            return List.of();
        }
        return read(stream, Math.max(Math.max(1, state.getFirstSequence()), last - limit + 1), limit);
    }

    public BusStatus status() {
        Connection.Status s = connection.getStatus();
        return new BusStatus(s == Connection.Status.CONNECTED, "NATS connection " + s);
    }

    public List<StreamStats> streams() {
        JetStreamManagement jsm;
        try {
            jsm = connection.jetStreamManagement();
        } catch (IOException e) {
            throw new SpineException("JetStream management is not available", e);
        }
        List<StreamStats> out = new ArrayList<>();
        for (String name : List.of(topology.platformStream(), topology.connectorStream(), topology.auditStream(),
                topology.deadLetterStream())) {
            try {
                StreamInfo info = jsm.getStreamInfo(name);
                StreamState st = info.getStreamState();
                out.add(new StreamStats(name, true, st.getMsgCount(), st.getByteCount(), st.getFirstSequence(),
                        st.getLastSequence(), captures(info.getConfiguration())));
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
                    throw new SpineException("cannot read stream " + name + ": " + e.getMessage(), e);
                }
                out.add(StreamStats.missing(name));
            } catch (IOException e) {
                throw new SpineException("cannot read stream " + name + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static String captures(StreamConfiguration c) {
        List<String> parts = new ArrayList<>();
        if (!c.getSubjects().isEmpty()) {
            parts.add("subjects " + String.join(",", c.getSubjects()));
        }
        if (c.getSources() != null && !c.getSources().isEmpty()) {
            List<String> sources = new ArrayList<>();
            c.getSources().forEach(s -> sources.add(s.getSourceName()
                    + (s.getFilterSubject() == null ? "" : "(" + s.getFilterSubject() + ")")));
            parts.add("sources " + String.join(",", sources));
        }
        return String.join("; ", parts);
    }

    /** Deletes a durable consumer of {@code stream}; false if there was none. */
    public boolean deleteConsumer(String stream, String durable) {
        try {
            return connection.jetStreamManagement().deleteConsumer(stream, durable);
        } catch (JetStreamApiException e) {
            return false; // consumer (or stream) not found
        } catch (IOException e) {
            throw new SpineException("cannot delete consumer " + stream + "/" + durable + ": " + e.getMessage(), e);
        }
    }

    /** The consumer's pending and unacknowledged counts; empty when it (or its stream) does not exist. */
    public Optional<ConsumerStats> consumer(String stream, String durable) {
        try {
            ConsumerInfo info = connection.jetStreamManagement().getConsumerInfo(stream, durable);
            return Optional.of(new ConsumerStats(stream, durable, info.getNumPending(), info.getNumAckPending()));
        } catch (JetStreamApiException e) {
            return Optional.empty(); // consumer (or stream) not found
        } catch (IOException e) {
            throw new SpineException("cannot read consumer " + stream + "/" + durable + ": " + e.getMessage(), e);
        }
    }
}
