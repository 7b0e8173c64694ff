/**
 * {@link dev.spine.micrometer.SpineMeterBinder}: binds a spine Dropwizard registry to a Micrometer
 * {@code MeterRegistry}, with the queue, job type or other label that the Dropwizard name carries as a tag.
 */
package dev.spine.micrometer;
