/**
 * The spine process: {@link dev.spine.server.SpineServer} composes the engine, the gateway and the admin
 * HTTP API; the {@code spine} command line is {@code dev.spine.server.cli.SpineCli}.
 */
module dev.spine.server {
    requires transitive dev.spine.service;
    requires transitive dev.spine.gateway;
    // SPINE_EVENT_BUS: the postgres and in-memory backends
    requires dev.spine.events.postgres;
    requires org.postgresql.jdbc;
    requires java.net.http; // spine breakers asks a running server's admin API
    requires com.zaxxer.hikari;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires com.fasterxml.jackson.datatype.jsr310; // --json output of the listing commands (instants)
    requires info.picocli;
    requires io.prometheus.metrics.model;
    requires io.prometheus.metrics.instrumentation.dropwizard;
    // the dropwizard (4.x) bridge reuses the label mapper of the dropwizard5 one (QueueLabelledExports)
    requires io.prometheus.metrics.instrumentation.dropwizard5;
    requires io.prometheus.writer.text;
    requires org.slf4j;

    exports dev.spine.server;

    // picocli reads the commands' @Command/@Option fields and sets them reflectively
    opens dev.spine.server.cli to info.picocli;
}
