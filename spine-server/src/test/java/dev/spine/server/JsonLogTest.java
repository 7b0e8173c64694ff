package dev.spine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spine.contracts.ConfigException;
import dev.spine.jobs.JobQueue;
import dev.spine.jobs.JobRequest;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The process's logback.xml with {@code SPINE_LOG_FORMAT=json}: Logback's JsonEncoder, and a line logged by a
 * job's handler carries the job's correlationId, jobId and traceId from the MDC. The configuration is loaded
 * into a context of this test's own (the process-wide one serves the other tests running beside it).
 */
@ExtendWith(SpineServices.class)
class JsonLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

    @Test
    void aJobsLogLineInJsonCarriesItsCorrelationIdJobIdAndTraceId(TestDatabase db) throws Exception {
        LoggerContext logs = configured("json");
        Encoder<ILoggingEvent> encoder = console(logs).getEncoder();
        assertInstanceOf(JsonEncoder.class, encoder, "SPINE_LOG_FORMAT=json picks Logback's JsonEncoder");
        ByteArrayOutputStream captured = capture(logs, encoder);
        Logger handlerLog = logs.getLogger("test.handler");

        try (JobQueue queue = JobQueue.builder(db.dataSource()).schema(db.schema())
                .handler("Greet", job -> handlerLog.info("greeting {}", job.payload(Map.class).get("name")))
                .build()) {
            queue.migrate();
            UUID id = queue.enqueue(JobRequest.of("Greet", Map.of("name", "ada")).queue("background")
                    .correlationId("order-42").traceContext("00-" + TRACE_ID + "-b7ad6b7169203331-01", null));
            assertEquals(1, queue.runOnce("background", 1));

            String line = captured.toString(StandardCharsets.UTF_8).lines()
                    .filter(l -> l.contains("greeting ada")).findFirst()
                    .orElseThrow(() -> new AssertionError("no JSON line of the handler in: " + captured));
            JsonNode event = JSON.readTree(line);
            assertEquals("greeting ada", event.path("formattedMessage").asText(), line);
            assertEquals("INFO", event.path("level").asText(), line);
            assertEquals("order-42", event.path("mdc").path("correlationId").asText(), line);
            assertEquals(TRACE_ID, event.path("mdc").path("traceId").asText(), line);
            assertEquals(id.toString(), event.path("mdc").path("jobId").asText(), line);
            assertEquals("Greet", event.path("mdc").path("jobType").asText(), line);
        }
    }

    @Test
    void plainTextIsTheDefaultAndStillShowsTheMdc() throws Exception {
        LoggerContext logs = configured("text");
        Encoder<ILoggingEvent> encoder = console(logs).getEncoder();
        assertInstanceOf(PatternLayoutEncoder.class, encoder);
        ByteArrayOutputStream captured = capture(logs, encoder);
        org.slf4j.MDC.put("correlationId", "order-7");
        try {
            logs.getLogger("test.text").info("hello");
        } finally {
            org.slf4j.MDC.remove("correlationId");
        }
        logs.getLogger("test.text").info("no context");
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.get(0).matches("\\d{4}-\\d\\d-\\d\\dT.*Z INFO  \\[.*\\] test\\.text \\{correlationId=order-7\\} hello"),
                lines.get(0));
        assertTrue(lines.get(1).endsWith("] test.text no context"), "no empty braces: " + lines.get(1));
    }

    @Test
    void aFormatOtherThanTextOrJsonFailsNamingTheVariable() {
        assertEquals(LogFormat.TEXT, LogFormat.from(name -> null));
        assertEquals(LogFormat.JSON, LogFormat.from(Map.of("SPINE_LOG_FORMAT", "JSON")::get));
        ConfigException e = assertThrows(ConfigException.class,
                () -> LogFormat.from(Map.of("SPINE_LOG_FORMAT", "xml")::get));
        assertEquals("SPINE_LOG_FORMAT", e.variable());
        assertTrue(e.getMessage().contains("must be text or json, was 'xml'"), e.getMessage());
    }

    /** A context of this test's own, configured by the process's logback.xml for {@code format}. */
    private static LoggerContext configured(String format) throws Exception {
        LoggerContext logs = new LoggerContext();
        // the MDC the spine writes is the process-wide one (slf4j's MDC goes through the bound context). While
        // another test class's thread is still initializing slf4j, the factory is a stand-in: wait for logback's.
        Eventually.await("slf4j bound to logback", () -> LoggerFactory.getILoggerFactory() instanceof LoggerContext);
        logs.setMDCAdapter(((LoggerContext) LoggerFactory.getILoggerFactory()).getMDCAdapter());
        logs.putProperty(LogFormat.PROPERTY, format);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(logs);
        configurator.doConfigure(LogFormat.class.getResource("/logback.xml"));
        return logs;
    }

    @SuppressWarnings("unchecked")
    private static ConsoleAppender<ILoggingEvent> console(LoggerContext logs) {
        return (ConsoleAppender<ILoggingEvent>) logs.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("console");
    }

    /** The configured encoder writing into memory instead of stderr. */
    private static ByteArrayOutputStream capture(LoggerContext logs, Encoder<ILoggingEvent> encoder) {
        Logger root = logs.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAppender("console");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> memory = new OutputStreamAppender<>();
        memory.setContext(logs);
        memory.setEncoder(encoder);
        memory.setImmediateFlush(true);
        memory.setOutputStream(bytes);
        memory.start();
        root.addAppender(memory);
        return bytes;
    }
}
