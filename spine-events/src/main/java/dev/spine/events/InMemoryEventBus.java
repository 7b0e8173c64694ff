package dev.spine.events;

import dev.spine.contracts.Domains;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.EventSchemas;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FOR LOCAL DEVELOPMENT ONLY: the publisher and subscriber interfaces in memory, so a service can run
 * without NATS on a laptop or in a quick unit test of its own handler wiring. Nothing is durable, there
 * is no stream topology, and timing differs from JetStream; behaviour that matters (redelivery,
 * dead letters, competing consumers across processes) must be tested against real NATS.
 *
 * <p>What it does model: validation as the real publisher (envelope, registered domain, schema, size via a
 * codec round trip), dedupe by eventId, durable names as groups (each group sees every event from
 * the start, or only new ones; members of a group take turns), pattern filters, retries after the
 * subscription's backoff up to maxDeliver, then a dead-letter list. Handlers of one group run on one
 * thread, in publish order, except that retries are scheduled after their delay.
 */
public final class InMemoryEventBus implements EventBus {
    private static final Logger LOG = LoggerFactory.getLogger(InMemoryEventBus.class);
    private static final String STREAM = "in-memory";

    private final Domains domains;
    private final EventCodec codec;
    private final EventSchemas schemas;
    private final List<EventEnvelope> log = new ArrayList<>();
    private final Set<java.util.UUID> seen = new HashSet<>();
    private final Map<String, Group> groups = new HashMap<>();
    private final List<ReceivedEvent> deadLetters = new CopyOnWriteArrayList<>();
    private final Map<String, List<ReceivedEvent>> deadLettersByGroup = new java.util.concurrent.ConcurrentHashMap<>();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "spine-in-memory-bus");
        t.setDaemon(true);
        return t;
    });

    /** A bus accepting {@code domains}, validating sizes with {@code codec} and data with {@code schemas}. */
    public InMemoryEventBus(Domains domains, EventCodec codec, EventSchemas schemas) {
        this.domains = domains;
        this.codec = codec;
        this.schemas = schemas;
    }

    /** A bus accepting {@code domains}, validating sizes with {@code codec} and data with the classpath schemas. */
    public InMemoryEventBus(Domains domains, EventCodec codec) {
        this(domains, codec, EventSchemas.fromClasspath());
    }

    /** A bus with the default domains, codec and classpath schemas. */
    public InMemoryEventBus() {
        this(Domains.defaults(), EventCodec.defaults());
    }

    @Override
    public synchronized PublishResult publish(EventEnvelope event) {
        domains.require(event.eventType());
        schemas.validate(event);
        EventEnvelope stored = codec.decode(codec.encode(event)); // same size and shape checks as the wire
        if (!seen.add(event.eventId())) {
            return new PublishResult(STREAM, sequenceOf(event), true);
        }
        log.add(stored);
        groups.values().forEach(g -> executor.execute(() -> pump(g)));
        return new PublishResult(STREAM, log.size(), false);
    }

    @Override
    public CompletableFuture<PublishResult> publishAsync(EventEnvelope event) {
        return CompletableFuture.completedFuture(publish(event));
    }

    @Override
    public synchronized EventSubscription subscribe(SubscriptionOptions options, EventHandler handler) {
        Group g = groups.computeIfAbsent(options.durableName(),
                name -> new Group(options, options.newEventsOnly() ? log.size() : 0));
        Member m = new Member(g, handler);
        g.members.add(m);
        executor.execute(() -> pump(g));
        return m;
    }

    /** Events that failed on every allowed delivery, oldest first. */
    public List<ReceivedEvent> deadLetters() {
        return List.copyOf(deadLetters);
    }

    /** Events that {@code durableName}'s handlers gave up on, oldest first. */
    public List<ReceivedEvent> deadLetters(String durableName) {
        return List.copyOf(deadLettersByGroup.getOrDefault(durableName, List.of()));
    }

    private synchronized long sequenceOf(EventEnvelope e) {
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).eventId().equals(e.eventId())) {
                return i + 1;
            }
        }
        return 0;
    }

    /** Runs on the bus thread: hands every event after the group's cursor to its members in turn. */
    private void pump(Group g) {
        while (true) {
            EventEnvelope e;
            long seq;
            synchronized (this) {
                if (g.members.isEmpty() || g.cursor >= log.size()) {
                    return;
                }
                seq = ++g.cursor;
                e = log.get((int) seq - 1);
            }
            if (g.matches(e.eventType())) {
                deliver(g, e, seq, 1);
            }
        }
    }

    private void deliver(Group g, EventEnvelope e, long seq, long attempt) {
        List<Member> members = g.members;
        if (members.isEmpty()) {
            executor.schedule(() -> deliver(g, e, seq, attempt), g.options.ackWait().toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        Member m = members.get((int) (g.turn.getAndIncrement() % members.size()));
        ReceivedEvent received = new ReceivedEvent(e, e.eventType(), STREAM, seq, attempt);
        try {
            m.handler.handle(received);
            m.handled.incrementAndGet();
        } catch (Exception ex) {
            if (attempt >= g.options.maxDeliver() || ex instanceof EventRejectedException) {
                LOG.warn("in-memory bus: {} failed {} times in {}; dead-lettered", e, attempt, g.options.durableName(), ex);
                deadLetters.add(received);
                deadLettersByGroup.computeIfAbsent(g.options.durableName(), k -> new CopyOnWriteArrayList<>()).add(received);
            } else {
                executor.schedule(() -> deliver(g, e, seq, attempt + 1),
                        g.options.backoffAfter(attempt).toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** One durable name: a cursor into the log shared by its members. */
    private static final class Group {
        final SubscriptionOptions options;
        final List<Member> members = new CopyOnWriteArrayList<>();
        final AtomicLong turn = new AtomicLong();
        long cursor;

        Group(SubscriptionOptions options, long cursor) {
            this.options = options;
            this.cursor = cursor;
        }

        boolean matches(String eventType) {
            if (options.eventPatterns().isEmpty()) {
                return true;
            }
            for (String p : options.eventPatterns()) {
                if (p.equals(eventType) || (p.endsWith(".*") && eventType.startsWith(p.substring(0, p.length() - 1)))) {
                    return true;
                }
            }
            return false;
        }
    }

    /** One subscriber of a group. */
    private static final class Member implements EventSubscription {
        final Group group;
        final EventHandler handler;
        final AtomicLong handled = new AtomicLong();

        Member(Group group, EventHandler handler) {
            this.group = group;
            this.handler = handler;
        }

        @Override
        public String durableName() {
            return group.options.durableName();
        }

        @Override
        public long handledCount() {
            return handled.get();
        }

        @Override
        public void close() {
            group.members.remove(this);
        }
    }
}
