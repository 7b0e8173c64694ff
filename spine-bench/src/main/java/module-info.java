/**
 * The spine's benchmarks ({@code ./spine bench}): jobs, events, the whole spine and scale, each printing
 * one JSON line. A program, not a library: nothing is exported.
 */
module dev.spine.bench {
    requires dev.spine.service;
    requires com.zaxxer.hikari;
    requires java.management;
    requires jdk.management;
    requires java.net.http;
}
