/**
 * spine-micrometer: the job queue's meters in a Micrometer registry, tagged by queue and job type, with
 * histograms. The queue's own Dropwizard registry is untouched (the job service's {@code /metrics} names stay).
 */
module dev.spine.micrometer {
    requires transitive dev.spine.jobs;
    requires transitive micrometer.core;

    exports dev.spine.micrometer;
}
