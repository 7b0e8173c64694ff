package dev.spine.events.internal;

import dev.spine.events.SpineException;
import io.nats.client.Connection;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamStatusCheckedException;
import io.nats.client.Message;
import io.nats.client.OrderedConsumerContext;
import io.nats.client.StreamContext;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.OrderedConsumerConfiguration;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Reads a stream from a position with an ordered (ephemeral, flow-controlled) consumer: nothing on the
 * server remembers the read, so durable consumers are undisturbed. Stops at the last message stored
 * when the read began, when no matching message is pending, at the limit, or after an idle timeout.
 */
public final class StreamReader {

    /** Receives each message; return false to stop early. */
    @FunctionalInterface
    public interface Visitor {
        boolean visit(Message m) throws Exception;
    }

    private final Connection connection;

    public StreamReader(Connection connection) {
        this.connection = connection;
    }

    /** @return the number of messages visited */
    public long read(String stream, List<String> filters, long startSequence, Instant startTime, long limit,
            Duration idleTimeout, Visitor visitor) {
        try {
            StreamContext sc = connection.getStreamContext(stream);
            long lastSequence = sc.getStreamInfo().getStreamState().getLastSequence();
            if (lastSequence == 0 || (startTime == null && startSequence > lastSequence)) {
                return 0;
            }
            OrderedConsumerConfiguration occ = new OrderedConsumerConfiguration();
            if (startTime != null) {
                occ.deliverPolicy(DeliverPolicy.ByStartTime).startTime(startTime.atZone(ZoneOffset.UTC));
            } else {
                occ.deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(startSequence);
            }
            if (filters.size() == 1) {
                occ.filterSubject(filters.get(0));
            } else if (filters.size() > 1) {
                occ.filterSubjects(filters);
            }
            OrderedConsumerContext ordered = sc.createOrderedConsumer(occ);
            long count = 0;
            try (IterableConsumer it = ordered.iterate()) {
                while (count < limit) {
                    Message m = it.nextMessage(idleTimeout);
                    if (m == null) {
                        break;
                    }
                    count++;
                    boolean more = visitor.visit(m);
                    if (!more || m.metaData().pendingCount() == 0 || m.metaData().streamSequence() >= lastSequence) {
                        break;
                    }
                }
            }
            return count;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpineException("interrupted while reading " + stream, e);
        } catch (SpineException e) {
            throw e;
        } catch (IOException | JetStreamApiException | JetStreamStatusCheckedException e) {
            throw new SpineException("cannot read stream " + stream + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new SpineException("reading stream " + stream + " stopped: " + e.getMessage(), e);
        }
    }
}
