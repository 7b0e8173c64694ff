package dev.spine.server;

import com.codahale.metrics.MetricRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server does with a publish no stream captured ({@code EventBus.watchUncaptured}): counts it per
 * domain ({@code spine.events.uncaptured.<domain>}, exported as {@code spine_events_uncaptured_total}) and logs
 * a WARN naming the subject, at most once a minute per subject so a busy publisher cannot flood the log.
 */
final class UncapturedSubjects {
    static final String PREFIX = "spine.events.uncaptured.";
    static final Duration WARN_EVERY = Duration.ofMinutes(1);
    /** Subjects remembered for the once-a-minute rule; beyond it the memory starts over (a WARN more, no leak). */
    private static final int MAX_REMEMBERED = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(UncapturedSubjects.class);

    private final MetricRegistry metrics;
    private final String subjectPrefix;
    private final Clock clock;
    private final Map<String, Long> lastWarned = new ConcurrentHashMap<>();

    UncapturedSubjects(MetricRegistry metrics, String subjectPrefix, Clock clock) {
        this.metrics = metrics;
        this.subjectPrefix = subjectPrefix;
        this.clock = clock;
    }

    void seen(String subject) {
        String type = subject.startsWith(subjectPrefix) ? subject.substring(subjectPrefix.length()) : subject;
        int dot = type.indexOf('.');
        metrics.counter(PREFIX + (dot > 0 ? type.substring(0, dot) : type)).inc();
        long now = clock.millis();
        Long before = lastWarned.get(subject);
        if (before == null || now - before >= WARN_EVERY.toMillis()) {
            if (lastWarned.size() >= MAX_REMEMBERED) {
                lastWarned.clear();
            }
            lastWarned.put(subject, now);
            LOG.warn("an event was published on {} but no stream captures it: it is lost. Register its domain "
                    + "(the streams capture {}), or publish through the spine client, which refuses it", subject,
                    subjectPrefix + "<registered domain>.*");
        }
    }
}
