package dev.spine.events.internal;

import dev.spine.events.SpineException;
import dev.spine.events.StreamTopology;
import dev.spine.events.SubscriptionOptions;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.StreamContext;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates or updates the durable pull consumer behind a subscription. Idempotent, so every instance of
 * a service can call it at start. Several event patterns become one multi-filter consumer, which
 * exists only on nats-server 2.10+; on older servers that request fails here, by name, instead of
 * being silently widened.
 */
public final class DurableConsumers {
    private static final String MULTI_FILTER_VERSION = "2.10.0";

    private final Connection connection;
    private final StreamTopology topology;

    public DurableConsumers(Connection connection, StreamTopology topology) {
        this.connection = connection;
        this.topology = topology;
    }

    /** Creates the durable of {@code o}, or updates it to {@code o}; its subscription then binds to it by name. */
    public void ensure(SubscriptionOptions o) {
        String stream = o.stream() == null ? topology.platformStream() : o.stream();
        List<String> filters = new ArrayList<>();
        for (String p : o.eventPatterns()) {
            filters.add(topology.subjectFor(p));
        }
        ConsumerConfiguration.Builder cc = ConsumerConfiguration.builder().durable(o.durableName())
                .ackPolicy(AckPolicy.Explicit).ackWait(o.ackWait()).maxDeliver(o.maxDeliver())
                .maxAckPending(o.maxAckPending());
        if (o.startSequence() > 0) {
            cc.deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(o.startSequence());
        } else {
            cc.deliverPolicy(o.newEventsOnly() ? DeliverPolicy.New : DeliverPolicy.All);
        }
        if (filters.size() == 1) {
            cc.filterSubject(filters.get(0));
        } else if (filters.size() > 1) {
            if (!supportsMultipleFilters()) {
                throw new SpineException("subscribing " + o.durableName() + " to several event patterns " + filters
                        + " needs nats-server " + MULTI_FILTER_VERSION + "+ (connected to "
                        + connection.getServerInfo().getVersion() + "); use one pattern per durable or a domain.*");
            }
            cc.filterSubjects(filters);
        }
        try {
            StreamContext sc = connection.getStreamContext(stream);
            sc.createOrUpdateConsumer(cc.build());
        } catch (IOException | JetStreamApiException e) {
            throw new SpineException("cannot create or update consumer " + stream + "/" + o.durableName()
                    + ": " + e.getMessage(), e);
        }
    }

    boolean supportsMultipleFilters() {
        return connection.getServerInfo().isSameOrNewerThanVersion(MULTI_FILTER_VERSION);
    }
}
