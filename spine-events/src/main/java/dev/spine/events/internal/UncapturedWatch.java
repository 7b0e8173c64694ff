package dev.spine.events.internal;

import dev.spine.events.StreamTopology;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices plain NATS publishes that no stream keeps: a core subscription on the event subjects'
 * shape ({@code <prefix>*.*}, two tokens: domain and type) in a queue group, so one instance of a service sees
 * each message once. A subject whose domain is not registered in the topology is uncaptured: JetStream stored
 * it nowhere and it is gone unless someone says so. The cost is one more delivery of each event to one
 * instance (its subject is looked at, the payload never parsed); internal subjects ({@code _INBOX},
 * {@code $JS}, the spine's query and dead-letter subjects, which have more tokens) do not match or are skipped.
 */
public final class UncapturedWatch implements AutoCloseable {
    static final String QUEUE_GROUP = "spine-uncaptured";
    private static final Logger LOG = LoggerFactory.getLogger(UncapturedWatch.class);

    private final Connection connection;
    private final StreamTopology topology;
    private final Consumer<String> onSubject;
    private Dispatcher dispatcher;

    public UncapturedWatch(Connection connection, StreamTopology topology, Consumer<String> onSubject) {
        this.connection = connection;
        this.topology = topology;
        this.onSubject = onSubject;
    }

    public synchronized UncapturedWatch start() {
        dispatcher = connection.createDispatcher(this::seen);
        dispatcher.subscribe(topology.subjectPrefix() + "*.*", QUEUE_GROUP);
        return this;
    }

    private void seen(Message m) {
        String type = topology.eventTypeOf(m.getSubject());
        int dot = type.indexOf('.');
        if (dot <= 0 || type.charAt(0) == '_' || type.charAt(0) == '$') {
            return;
        }
        if (!topology.domains().contains(type.substring(0, dot))) {
            try {
                onSubject.accept(m.getSubject());
            } catch (RuntimeException e) {
                LOG.warn("reporting the uncaptured subject {} failed", m.getSubject(), e);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (dispatcher != null) {
            connection.closeDispatcher(dispatcher);
            dispatcher = null;
        }
    }
}
