package dev.spine.events.middleware;

import dev.spine.events.ReceivedEvent;
import java.time.Duration;

/**
 * An optional log of what each handler did with each delivery ({@link Middleware#history}): for audits
 * and debugging ("did the mailer handle event X, when, and how did it end?"). A failure to record is
 * logged and does not fail the handler. {@code PostgresEventHistory} in spine-events-postgres stores it.
 */
@FunctionalInterface
public interface EventHistory {

    /** How one delivery ended for one handler. */
    enum Outcome { SUCCEEDED, FAILED, REJECTED }

    /** Records one delivery; {@code error} is null unless the outcome is a failure. */
    void record(String handler, ReceivedEvent event, Outcome outcome, Duration took, Throwable error);
}
