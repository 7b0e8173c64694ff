/**
 * The job service engine: events from JetStream become jobs on the PostgreSQL queue through a
 * {@code RoutingTable}; handlers are registered in code or as {@link dev.spine.service.JobHandlerProvider}
 * plug-ins found by {@link java.util.ServiceLoader}.
 */
module dev.spine.service {
    requires transitive dev.spine.events;
    requires transitive dev.spine.jobs;
    requires transitive dev.spine.postgres;
    requires com.zaxxer.hikari;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires io.github.resilience4j.circuitbreaker;
    requires io.opentelemetry.sdk;
    // automatic modules declare no dependencies: the SDK's own modules are named here
    requires io.opentelemetry.sdk.common;
    requires io.opentelemetry.sdk.autoconfigure;
    requires org.slf4j;

    exports dev.spine.service;

    // handler plug-ins: JobService.discoveredHandlers()
    uses dev.spine.service.JobHandlerProvider;
}
