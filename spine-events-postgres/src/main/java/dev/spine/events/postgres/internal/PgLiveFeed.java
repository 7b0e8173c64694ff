package dev.spine.events.postgres.internal;

import dev.spine.events.LiveFeed;
import dev.spine.events.LiveFeedHandler;
import dev.spine.events.LiveFeedOptions;
import dev.spine.events.StoredEvent;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live feed on PostgreSQL: a thread that reads {@code domain_events} after its cursor every poll interval
 * (at once when a publish of this process wakes it). Nothing is stored for it.
 *
 * <p>Ids come from a sequence and are taken before commit: an event whose transaction commits after a
 * later-numbered one is still seen as long as it commits within {@link #SETTLE} of the later event being
 * read, because the feed keeps re-reading that window (holes are retried, never skipped at once).
 */
public final class PgLiveFeed implements LiveFeed {
    private static final Logger LOG = LoggerFactory.getLogger(PgLiveFeed.class);
    private static final int PAGE = 500;
    /** How long a hole in the ids is waited for before the feed moves past it. */
    static final Duration SETTLE = Duration.ofSeconds(1);
    private static final Duration ERROR_PAUSE = Duration.ofSeconds(1);

    private final PgReads reads;
    private final LiveFeedOptions options;
    private final LiveFeedHandler handler;
    private final Duration pollInterval;
    private final WorkerLoop loop = new WorkerLoop();
    private long cursor;
    /** First id not yet known to be settled, and when a hole there was first seen (0: none). */
    private long holeSince;

    public PgLiveFeed(PgReads reads, LiveFeedOptions options, LiveFeedHandler handler, Duration pollInterval,
            long after) {
        this.reads = reads;
        this.options = options;
        this.handler = handler;
        this.pollInterval = pollInterval;
        this.cursor = after;
    }

    public void start(String name) {
        loop.start(name, this::run);
    }

    public void wakeUp() {
        loop.wakeUp();
    }

    private void run() {
        while (loop.running()) {
            long pause = pollInterval.toMillis();
            try {
                if (pass()) {
                    continue;
                }
            } catch (SQLException | RuntimeException e) {
                LOG.warn("live feed on {}: {}; retrying in {}", reads.stream(), e.toString(), ERROR_PAUSE);
                pause = ERROR_PAUSE.toMillis();
            }
            if (!loop.pause(pause)) {
                break;
            }
        }
    }

    /** Hands over the next events in id order, stopping at a hole until it fills or settles; true if a full page came. */
    private boolean pass() throws SQLException {
        List<StoredEvent> page = reads.read(cursor + 1, PAGE);
        for (StoredEvent e : page) {
            if (!loop.running()) {
                return false;
            }
            if (e.sequence() != cursor + 1) {
                long now = System.nanoTime();
                if (holeSince == 0) {
                    holeSince = now;
                    return false; // an earlier id may still commit: look again next poll
                }
                if (now - holeSince < SETTLE.toNanos()) {
                    return false;
                }
            }
            holeSince = 0;
            cursor = e.sequence();
            if (!options.matches(e.subject())) {
                continue;
            }
            try {
                handler.onEvent(e);
            } catch (Exception ex) {
                LOG.debug("live feed on {} ends: its handler threw {}", reads.stream(), ex.toString());
                loop.stop();
                return false;
            }
        }
        return page.size() == PAGE;
    }

    @Override
    public boolean isOpen() {
        return loop.running();
    }

    @Override
    public void close() {
        loop.stop();
    }
}
