package dev.spine.gateway;

import dev.spine.events.EventBus;
import dev.spine.events.LiveFeedOptions;
import dev.spine.events.StoredEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bus live feed per subscription, shared by the subscription's new live clients (SSE and WebSocket) on this
 * instance: each event is read from the broker, decoded, matched and formatted once, then queued to every client.
 * With a feed per client, 200 clients at 2,000 events/s were 400,000 messages/s to read and decode on the
 * server, more than two cores do: the writers of fast clients then fell behind and they were cut as slow
 * consumers along with the slow ones (spine-bench {@code live}).
 *
 * <p>Guarantee per client: it is told the sequence it starts after ({@link Member#joined}) before any event,
 * then gets every matching event stored after it, in stream order, each once, until it leaves or its bounded
 * queue overflows (then it is disconnected: {@link SseStream}, {@link SocketSender}). The hub opens at the end of
 * the stream when its first client comes and closes when its last one goes. Joining and delivering take the
 * hub's lock, so a client joins between two events. Queuing never waits on a socket, so one slow client does
 * not hold up the others. A resuming client ({@code Last-Event-ID}) reads on a feed of its own until it has caught
 * up with the hub, which then takes it over ({@link #resume}): a storm of reconnects costs a feed per client only
 * while they catch up.
 */
final class LiveHubs {
    private static final Logger LOG = LoggerFactory.getLogger(LiveHubs.class);

    /** One client of a hub. */
    interface Member {
        /** Called once, before any event: the client starts after stream sequence {@code after}. */
        void joined(long after) throws Exception;

        /** Queues one event; throws when the client is gone or too far behind (it then leaves the hub). */
        void send(LiveEvent event) throws Exception;

        /** The client failed ({@link #joined} or {@link #send} threw): end it. Runs off the feed's thread. */
        void broken();
    }

    private final EventBus bus;
    private final Map<UUID, Hub> hubs = new ConcurrentHashMap<>();

    LiveHubs(EventBus bus) {
        this.bus = bus;
    }

    /**
     * Adds {@code member} to the hub of {@code s}, opening one at the end of the stream if none is open; returns
     * how to leave it.
     *
     * @throws dev.spine.gateway.http.ApiException 503 {@code BROKER_UNAVAILABLE} when a hub must be opened and the
     *     stream position cannot be read
     */
    Runnable join(Subscription s, Member member) {
        while (true) {
            Hub hub = hubs.computeIfAbsent(s.id(), id -> new Hub(s));
            if (hub.add(member)) {
                return () -> hub.remove(member);
            }
            hubs.remove(s.id(), hub); // its last client left while we looked it up: open another
        }
    }

    /**
     * A client that resumes after {@code after}: it reads on a feed of its own from there, and once that feed has
     * caught up with the subscription's hub here (the hub has handed out nothing it has not), the hub takes it
     * over and its own feed ends; with no hub open here it stays on its own feed. Returns how to leave.
     */
    Runnable resume(Subscription s, long after, Member member) {
        Resumed r = new Resumed(s, member);
        r.feed = bus.live(LiveFeedOptions.after(after).eventTypes(s.eventTypes()).build(), r::onEvent);
        return r::leave;
    }

    /** A resumed client on its own feed until a hub takes it over. */
    private final class Resumed {
        private final Subscription subscription;
        private final Member member;
        private volatile dev.spine.events.LiveFeed feed;
        private volatile Hub hub;

        Resumed(Subscription subscription, Member member) {
            this.subscription = subscription;
            this.member = member;
        }

        /** On its feed's thread; throwing ends that feed (the client went away, or a hub took it over). */
        void onEvent(StoredEvent stored) throws Exception {
            if (hub != null) {
                throw new HandedOver();
            }
            LiveEvent event = LiveFeed.liveEvent(subscription, stored);
            if (event != null) {
                try {
                    member.send(event);
                } catch (Exception e) {
                    CompletableFuture.runAsync(member::broken);
                    throw e;
                }
            }
            Hub h = hubs.get(subscription.id());
            if (h != null && h.adopt(member, stored.sequence())) {
                hub = h;
                CompletableFuture.runAsync(this::closeFeed); // not from its own handler
            }
        }

        void leave() {
            Hub h = hub;
            if (h != null) {
                h.remove(member);
            }
            closeFeed();
        }

        private void closeFeed() {
            dev.spine.events.LiveFeed f = feed;
            if (f != null) {
                f.close();
            }
        }
    }

    /** Ends a resumed client's own feed once a hub has taken it over. */
    private static final class HandedOver extends Exception {
        HandedOver() {
            super("handed over to the subscription's shared feed", null, false, false);
        }
    }

    /** Subscriptions with a shared feed open here. */
    int openHubs() {
        return hubs.size();
    }

    /** The shared feed of one subscription and its clients. */
    private final class Hub {
        private final Subscription subscription;
        /** Each client with the sequence up to which it already has the events (a resumed client's own feed). */
        private final Map<Member, Long> members = new LinkedHashMap<>();
        private final dev.spine.events.LiveFeed feed;
        /** The newest sequence handed to the clients (or skipped by the filters); a joining client starts after it. */
        private long position;
        private boolean closed;

        Hub(Subscription subscription) {
            this.subscription = subscription;
            this.position = LiveFeed.lastSequence(bus, "no stream was opened");
            LiveFeedOptions options = LiveFeedOptions.after(position).eventTypes(subscription.eventTypes()).build();
            this.feed = bus.live(options, this::dispatch);
        }

        synchronized boolean add(Member member) {
            if (closed) {
                return false;
            }
            try {
                member.joined(position);
            } catch (Exception e) {
                CompletableFuture.runAsync(member::broken);
                if (members.isEmpty()) {
                    close(); // opened for this client alone
                }
                return true; // never a member: leaving is a no-op
            }
            members.put(member, position);
            return true;
        }

        /**
         * Takes over a resumed client whose own feed has handed it everything up to {@code through}, if this hub has
         * handed out nothing after that (else the client would miss it): the events up to {@code through} that the
         * hub hands out later are skipped for it.
         */
        synchronized boolean adopt(Member member, long through) {
            if (closed || position > through) {
                return false;
            }
            members.put(member, through);
            return true;
        }

        synchronized void remove(Member member) {
            if (members.remove(member) != null && members.isEmpty()) {
                close();
            }
        }

        /** On the feed's own thread, one event at a time, in stream order; never throws (that would end the feed). */
        private void dispatch(StoredEvent stored) {
            LiveEvent event = LiveFeed.liveEvent(subscription, stored); // outside the lock: once, for everybody
            synchronized (this) {
                position = stored.sequence();
                if (event == null || closed) {
                    return;
                }
                // a copy: a client that overflows ends its stream at once, and its ending leaves the hub (remove)
                // from inside this loop
                for (Member m : members.keySet().toArray(new Member[0])) {
                    Long has = members.get(m);
                    if (has == null || event.sequence() <= has) {
                        continue; // left meanwhile, or a resumed client that had it from its own feed
                    }
                    try {
                        m.send(event);
                    } catch (Exception e) {
                        LOG.debug("live client of subscription {} leaves: {}", subscription.id(), e.toString());
                        CompletableFuture.runAsync(m::broken);
                        remove(m);
                    }
                }
            }
        }

        /** Holds the lock. The feed is closed off its own thread: closing it from its handler would deadlock. */
        private void close() {
            if (closed) {
                return;
            }
            closed = true;
            hubs.remove(subscription.id(), this);
            CompletableFuture.runAsync(feed::close);
        }
    }
}
