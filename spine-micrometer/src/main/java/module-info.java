/**
 * spine-micrometer: the spine's Dropwizard metrics (a {@code JobQueue}'s or {@code JobService}'s registry) as
 * Micrometer meters with tags.
 */
module dev.spine.micrometer {
    requires transitive micrometer.core;
    requires transitive com.codahale.metrics;

    exports dev.spine.micrometer;
}
