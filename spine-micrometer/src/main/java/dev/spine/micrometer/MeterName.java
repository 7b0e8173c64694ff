package dev.spine.micrometer;

import io.micrometer.core.instrument.Tags;
import java.util.List;

/**
 * A spine Dropwizard metric name as a Micrometer name and tags: the label that the Dropwizard name carries after
 * its family becomes a tag, as the job service's {@code /metrics} turns it into a Prometheus label. Names of no
 * family keep their name and have no tags. The consumer lag gauges ({@code spine.events.consumer.*}) hold a record,
 * not a number, and are left out.
 */
record MeterName(String name, Tags tags) {
    /** A family: the Dropwizard prefix, the Micrometer name, the tag(s) of what follows the prefix. */
    private record Family(String prefix, String name, String tag, String secondTag, String suffix) {}

    private static final List<Family> FAMILIES = List.of(
            // a job type may contain dots, a queue never does: the queue is up to the first dot
            new Family("spine.jobs.unserved.", "spine.jobs.unserved", "queue", "type", ""),
            new Family("spine.jobs.queue_depth.", "spine.jobs.queue_depth", "queue", null, ""),
            new Family("spine.jobs.scheduled.", "spine.jobs.scheduled", "queue", null, ""),
            new Family("spine.jobs.running.", "spine.jobs.running", "queue", null, ""),
            new Family("spine.jobs.dead_letters.", "spine.jobs.dead", "queue", null, ""),
            new Family("spine.jobs.slo_met.", "spine.jobs.slo_met", "queue", null, ""),
            new Family("spine.jobs.slo_p99_seconds.", "spine.jobs.slo_p99_seconds", "queue", null, ""),
            new Family("spine.jobs.wait.", "spine.jobs.wait", "queue", null, ""),
            new Family("spine.jobs.run.", "spine.jobs.run", "queue", null, ""),
            new Family("spine.events.adapted.", "spine.events.adapted", "shape", null, ""),
            new Family("spine.events.uncaptured.", "spine.events.uncaptured", "subject_prefix", null, "."),
            new Family("spine.http.auth_failures.", "spine.http.auth_failures", "realm", null, ""));
    private static final String CONSUMER_LAG = "spine.events.consumer.";

    /** The Micrometer name and tags of {@code dropwizard}; null for a metric that has no number to export. */
    static MeterName of(String dropwizard) {
        if (dropwizard.startsWith(CONSUMER_LAG)) {
            return null;
        }
        for (Family f : FAMILIES) {
            if (!dropwizard.startsWith(f.prefix()) || dropwizard.length() == f.prefix().length()) {
                continue;
            }
            String rest = dropwizard.substring(f.prefix().length());
            if (f.secondTag() != null) {
                int dot = rest.indexOf('.');
                if (dot <= 0 || dot == rest.length() - 1) {
                    continue;
                }
                return new MeterName(f.name(), Tags.of(f.tag(), rest.substring(0, dot), f.secondTag(), rest.substring(dot + 1)));
            }
            if (f.tag().equals("queue") && rest.contains(".")) {
                continue; // not a queue name: keep the whole name
            }
            return new MeterName(f.name(), Tags.of(f.tag(), rest + f.suffix()));
        }
        return new MeterName(dropwizard, Tags.empty());
    }
}
