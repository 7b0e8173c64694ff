package dev.spine.events;

import dev.spine.contracts.Domains;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.EventSchemas;
import dev.spine.events.internal.MicroBatcher;
import io.opentelemetry.context.Scope;
import java.time.Duration;
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
 * thread, in publish order, except that retries are scheduled after their delay. Batch subscriptions
 * batch on a thread of their own per member; live feeds and reads see the log (sequence = position in it).
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
    private final List<MemoryFeed> feeds = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
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
        // same size and shape checks as the wire; a follow-up published inside a span continues its trace
        EventEnvelope stored = codec.decode(codec.encode(TraceContexts.withCurrentTrace(event)));
        if (!seen.add(event.eventId())) {
            return new PublishResult(STREAM, sequenceOf(event), true);
        }
        log.add(stored);
        groups.values().forEach(g -> executor.execute(() -> pump(g)));
        feeds.forEach(f -> executor.execute(f::pump));
        return new PublishResult(STREAM, log.size(), false);
    }

    /** {@code in-memory}: the spans of its events' processing say so. */
    @Override
    public String messagingSystem() {
        return "in-memory";
    }

    @Override
    public CompletableFuture<PublishResult> publishAsync(EventEnvelope event) {
        return CompletableFuture.completedFuture(publish(event));
    }

    @Override
    public synchronized EventSubscription subscribe(SubscriptionOptions options, EventHandler handler) {
        Group g = groups.computeIfAbsent(options.durableName(),
                name -> new Group(options, startOf(options)));
        Member m = new Member(g, handler);
        g.members.add(m);
        executor.execute(() -> pump(g));
        return m;
    }

    @Override
    public synchronized EventSubscription subscribeBatch(SubscriptionOptions options, BatchHandler handler) {
        if (options.orderedByPartitionKey()) {
            throw new IllegalArgumentException("orderedByPartitionKey: not supported by subscribeBatch (use subscribe)");
        }
        Group g = groups.computeIfAbsent(options.durableName(),
                name -> new Group(options, startOf(options)));
        BatchMember m = new BatchMember(g, handler);
        g.members.add(m);
        // the backlog is queued before the batcher runs, so it arrives in batches as from a broker (handed over
        // one by one to a running batcher, a fast handler would take it one event at a time)
        pump(g);
        m.batcher.start("spine-in-memory-batch-" + options.durableName());
        return m;
    }

    private long startOf(SubscriptionOptions options) {
        if (options.startSequence() > 0) {
            return Math.min(options.startSequence() - 1, log.size());
        }
        return options.newEventsOnly() ? log.size() : 0;
    }

    @Override
    public synchronized boolean removeDurable(String durableName) {
        Group g = groups.remove(durableName);
        if (g != null) {
            g.members.forEach(Member::close);
        }
        return g != null;
    }

    /**
     * Pending: the matching events after the durable's cursor. Unacknowledged is always 0 here: this bus
     * keeps no count of the deliveries its handlers have not settled yet.
     */
    @Override
    public synchronized java.util.Optional<ConsumerStats> consumer(String durableName) {
        Group g = groups.get(durableName);
        if (g == null) {
            return java.util.Optional.empty();
        }
        long pending = 0;
        for (long seq = g.cursor + 1; seq <= log.size(); seq++) {
            if (g.matches(log.get((int) seq - 1).eventType())) {
                pending++;
            }
        }
        return java.util.Optional.of(new ConsumerStats(STREAM, durableName, pending, 0));
    }

    @Override
    public synchronized long lastSequence() {
        return log.size();
    }

    @Override
    public synchronized List<StoredEvent> read(long fromSequence, int limit) {
        EventReader.checkRead(fromSequence, limit);
        List<StoredEvent> out = new ArrayList<>();
        for (long seq = fromSequence; seq <= log.size() && out.size() < limit; seq++) {
            out.add(stored(seq));
        }
        return out;
    }

    @Override
    public synchronized List<StoredEvent> newest(int limit) {
        EventReader.checkRead(1, limit);
        return log.isEmpty() ? List.of() : read(Math.max(1, log.size() - limit + 1), limit);
    }

    private StoredEvent stored(long seq) {
        EventEnvelope e = log.get((int) seq - 1);
        return new StoredEvent(STREAM, seq, e.eventType(), codec.encode(e), codec);
    }

    /** A feed on the bus thread: the log from its cursor on, after each publish. */
    @Override
    public synchronized LiveFeed live(LiveFeedOptions options, LiveFeedHandler handler) {
        MemoryFeed f = new MemoryFeed(options, handler, options.isNewEventsOnly() ? log.size() : options.afterSequence());
        feeds.add(f);
        executor.execute(f::pump);
        return f;
    }

    @Override
    public BusStatus status() {
        return new BusStatus(!closed, closed ? "in-memory bus closed" : "in-memory bus (development only)");
    }

    @Override
    public synchronized List<StreamStats> streams() {
        return List.of(new StreamStats(STREAM, true, log.size(), 0, log.isEmpty() ? 0 : 1, log.size(), "every event"));
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
        if (m instanceof BatchMember b) {
            b.batcher.offer(new MemoryDelivery(b, e, seq, attempt));
            return;
        }
        ReceivedEvent received = new ReceivedEvent(e, e.eventType(), STREAM, seq, attempt);
        EventLogContext.enter(e);
        try (Scope ignored = TraceContexts.handlerContext(e).makeCurrent()) {
            m.handler.handle(received);
            m.handled.incrementAndGet();
        } catch (Exception ex) {
            if (g.options.isLastDelivery(attempt) || ex instanceof EventRejectedException) {
                deadLetter(g, received, ex);
            } else {
                executor.schedule(() -> deliver(g, e, seq, attempt + 1),
                        g.options.backoffAfter(attempt).toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            EventLogContext.exit();
        }
    }

    private void deadLetter(Group g, ReceivedEvent received, Exception ex) {
        LOG.warn("in-memory bus: {} failed {} times in {}; dead-lettered", received.envelope(), received.deliveredCount(),
                g.options.durableName(), ex);
        deadLetters.add(received);
        deadLettersByGroup.computeIfAbsent(g.options.durableName(), k -> new CopyOnWriteArrayList<>()).add(received);
    }

    private void redeliver(Group g, EventEnvelope e, long seq, long attempt, Duration delay) {
        if (!closed) {
            executor.schedule(() -> deliver(g, e, seq, attempt), delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        closed = true;
        List<Member> all = new ArrayList<>();
        synchronized (this) {
            groups.values().forEach(g -> all.addAll(g.members));
        }
        all.forEach(Member::close);
        feeds.forEach(MemoryFeed::close);
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
            return dev.spine.contracts.EventType.matchesAny(options.eventPatterns(), eventType);
        }
    }

    /** One subscriber of a group. */
    private static class Member implements EventSubscription {
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

    /** A batch subscriber of a group: its own batcher thread, settlement as on the real backends. */
    private final class BatchMember extends Member {
        final BatchHandler batchHandler;
        final MicroBatcher<MemoryDelivery> batcher;
        final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);

        BatchMember(Group group, BatchHandler handler) {
            super(group, null);
            this.batchHandler = handler;
            this.batcher = new MicroBatcher<>(group.options.batchSize(), group.options.linger(), this::process);
        }

        private void process(List<MemoryDelivery> batch) throws InterruptedException {
            try {
                batchHandler.handle(List.copyOf(batch));
            } catch (Exception ex) {
                if (ex instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                Duration pause = Duration.ZERO;
                for (MemoryDelivery d : batch) {
                    if (d.isSettled()) {
                        continue;
                    }
                    if (group.options.isLastDelivery(d.attempt)) {
                        d.settled = true;
                        deadLetter(group, new ReceivedEvent(d.event, d.event.eventType(), STREAM, d.seq, d.attempt), ex);
                    } else {
                        Duration delay = group.options.backoffAfter(d.attempt);
                        d.nakWithDelay(delay);
                        pause = delay.compareTo(pause) > 0 ? delay : pause;
                    }
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException("closing");
                }
                stopped.await(pause.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            for (MemoryDelivery d : batch) {
                d.ack();
            }
        }

        @Override
        public void close() {
            super.close();
            stopped.countDown();
            try {
                for (MemoryDelivery d : batcher.stop(group.options.stopTimeout())) {
                    d.nakWithDelay(Duration.ZERO);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** An event handed to a batch member. */
    private final class MemoryDelivery implements Delivery {
        final BatchMember member;
        final EventEnvelope event;
        final long seq;
        final long attempt;
        volatile boolean settled;

        MemoryDelivery(BatchMember member, EventEnvelope event, long seq, long attempt) {
            this.member = member;
            this.event = event;
            this.seq = seq;
            this.attempt = attempt;
        }

        @Override public byte[] data() { return codec.encode(event); }
        @Override public EventEnvelope envelope() { return event; }
        @Override public String subject() { return event.eventType(); }
        @Override public String stream() { return STREAM; }
        @Override public long sequence() { return seq; }
        @Override public long deliveredCount() { return attempt; }
        @Override public String header(String name) { return null; }
        @Override public Map<String, String> headers() { return Map.of(); }
        @Override public boolean isSettled() { return settled; }
        @Override public void inProgress() { }

        @Override
        public void ack() {
            if (!settled) {
                settled = true;
                member.handled.incrementAndGet();
            }
        }

        @Override
        public void term(String reason) {
            settled = true;
        }

        @Override
        public void nakWithDelay(Duration delay) {
            if (!settled) {
                settled = true;
                redeliver(member.group, event, seq, attempt + 1, delay);
            }
        }
    }

    /** A live feed: a cursor into the log, advanced on the bus thread. */
    private final class MemoryFeed implements LiveFeed {
        final LiveFeedOptions options;
        final LiveFeedHandler handler;
        long cursor;
        volatile boolean open = true;

        MemoryFeed(LiveFeedOptions options, LiveFeedHandler handler, long cursor) {
            this.options = options;
            this.handler = handler;
            this.cursor = cursor;
        }

        void pump() {
            while (open) {
                StoredEvent next;
                synchronized (InMemoryEventBus.this) {
                    if (cursor >= log.size()) {
                        return;
                    }
                    next = stored(++cursor);
                }
                if (!options.matches(next.subject())) {
                    continue;
                }
                try {
                    handler.onEvent(next);
                } catch (Exception e) {
                    close();
                }
            }
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
            feeds.remove(this);
        }
    }
}
