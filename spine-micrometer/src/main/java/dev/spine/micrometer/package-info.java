/**
 * {@link dev.spine.micrometer.SpineJobMetrics}: a job queue's meters in a Micrometer registry, tagged by queue and
 * job type, with histograms.
 */
package dev.spine.micrometer;
