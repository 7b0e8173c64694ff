package dev.spine.events;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestNats;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class QueryTest {

    @Test
    void aQueryGetsTheResponderAnswerAsAFollowUp(TestNats nats) {
        Spine spine = Spine.builder(nats.connect()).topology(TestSpines.topology(nats)).source("ui").build();
        spine.provision(); // with the streams present: queries must not be captured (JetStream would ack them)
        Spine llm = Spine.builder(nats.connect()).topology(spine.topology()).source("llm").build();
        llm.respond("ai.AnswerRequested", "llm", q -> JsonNodeFactory.instance.objectNode()
                .put("answer", q.envelope().data().get("question").asText().length()));
        EventEnvelope answer = spine.query("ai.AnswerRequested",
                JsonNodeFactory.instance.objectNode().put("question", "why?"), Duration.ofSeconds(5));
        assertEquals(4, answer.data().get("answer").asInt());
        assertEquals("ai.AnswerRequestedReply", answer.eventType());
        assertEquals("llm", answer.source());
        assertNotNull(answer.causationId());

        EventEnvelope withReplyTo = EventEnvelope.builder().eventType("ai.AnswerRequested").source("ui")
                .data(JsonNodeFactory.instance.objectNode().put("question", "x")).replyTo("ai.AnswerGiven").build();
        EventEnvelope typed = spine.query(withReplyTo, Duration.ofSeconds(5));
        assertEquals("ai.AnswerGiven", typed.eventType());
        assertEquals(withReplyTo.correlationId(), typed.correlationId());
        assertEquals(withReplyTo.eventId(), typed.causationId());
        assertEquals(0, TestSpines.messages(nats, spine.topology().platformStream()), "queries are not stored");
    }

    record Question(String text) {}

    record Answer(String text, int length) {}

    @Test
    void typedQueriesNeedNoHandWrittenJson(TestNats nats) {
        dev.spine.contracts.TypedEvent<Question> asked = dev.spine.contracts.TypedEvent.of("ai.QuestionAsked", Question.class);
        dev.spine.contracts.TypedEvent<Answer> answered = dev.spine.contracts.TypedEvent.of("ai.QuestionAnswered", Answer.class);
        Spine spine = Spine.builder(nats.connect()).topology(TestSpines.topology(nats)).build();
        spine.respond(asked, "llm", answered, (q, e) -> new Answer(q.text().toUpperCase(), q.text().length()));
        assertEquals(new Answer("WHY?", 4), spine.query(asked, new Question("why?"), answered, Duration.ofSeconds(5)));
    }

    @Test
    void respondersOfOneGroupShareQueries(TestNats nats) {
        Spine spine = Spine.builder(nats.connect()).topology(TestSpines.topology(nats)).build();
        Map<String, Integer> byInstance = new ConcurrentHashMap<>();
        for (String instance : new String[] {"a", "b"}) {
            Spine s = Spine.builder(nats.connect()).topology(spine.topology()).build();
            s.respond("rule.ScoreRequested", "scorer", q -> {
                byInstance.merge(instance, 1, Integer::sum);
                return JsonNodeFactory.instance.objectNode().put("by", instance);
            });
        }
        for (int i = 0; i < 40; i++) {
            spine.query("rule.ScoreRequested", JsonNodeFactory.instance.objectNode(), Duration.ofSeconds(5));
        }
        assertEquals(40, byInstance.values().stream().mapToInt(Integer::intValue).sum(), "each query answered once");
    }

    @Test
    void noRespondersTimeoutAndResponderErrorsAreClear(TestNats nats) throws Exception {
        Spine spine = Spine.builder(nats.connect()).topology(TestSpines.topology(nats)).build();
        long start = System.nanoTime();
        QueryException none = assertThrows(QueryException.class, () -> spine.query("ai.NobodyListens",
                JsonNodeFactory.instance.objectNode(), Duration.ofSeconds(10)));
        assertEquals(QueryException.Reason.NO_RESPONDERS, none.reason());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "no-responders fails at once");

        CountDownLatch release = new CountDownLatch(1);
        ResponderSubscription slow = spine.respond("ai.SlowAnswer", "slow", q -> {
            release.await(10, TimeUnit.SECONDS);
            return JsonNodeFactory.instance.objectNode();
        });
        QueryException late = assertThrows(QueryException.class, () -> spine.query("ai.SlowAnswer",
                JsonNodeFactory.instance.objectNode(), Duration.ofMillis(200)));
        assertEquals(QueryException.Reason.TIMEOUT, late.reason());
        release.countDown();
        slow.close();

        spine.respond("ai.BrokenAnswer", "broken", q -> {
            throw new IllegalStateException("model unavailable\nsecond line");
        });
        QueryException failed = assertThrows(QueryException.class, () -> spine.query("ai.BrokenAnswer",
                JsonNodeFactory.instance.objectNode(), Duration.ofSeconds(5)));
        assertEquals(QueryException.Reason.RESPONDER_FAILED, failed.reason());
        assertTrue(failed.getMessage().contains("model unavailable"), failed.getMessage());

        assertEquals(InvalidEventException.Code.UNKNOWN_DOMAIN, assertThrows(InvalidEventException.class,
                () -> spine.query("billing.Total", JsonNodeFactory.instance.objectNode(), Duration.ofSeconds(1))).code());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> spine.respond("ai.X", "a.b", q -> null))
                .getMessage().startsWith("group"));
    }

    @Test
    void queryAndAnswerAreOneTrace(TestNats nats) {
        TracingAndMetricsTest.Collected exporter = new TracingAndMetricsTest.Collected();
        SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .build();
        OpenTelemetry otel = new OpenTelemetry() {
            @Override
            public io.opentelemetry.api.trace.TracerProvider getTracerProvider() {
                return provider;
            }

            @Override
            public ContextPropagators getPropagators() {
                return ContextPropagators.create(W3CTraceContextPropagator.getInstance());
            }
        };
        Spine spine = Spine.builder(nats.connect()).topology(TestSpines.topology(nats)).openTelemetry(otel).build();
        spine.respond("ai.AnswerRequested", "llm", q -> JsonNodeFactory.instance.objectNode().put("ok", true));
        EventEnvelope answer = spine.query("ai.AnswerRequested", JsonNodeFactory.instance.objectNode(),
                Duration.ofSeconds(5));
        dev.spine.testkit.Eventually.await("the responder's span ended",
                () -> exporter.spans.stream().anyMatch(s -> s.getKind() == SpanKind.SERVER));
        SpanData client = exporter.spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT)
                .findFirst().orElseThrow();
        SpanData server = exporter.spans.stream().filter(s -> s.getKind() == SpanKind.SERVER)
                .findFirst().orElseThrow();
        assertEquals(client.getTraceId(), server.getTraceId());
        assertEquals(client.getSpanId(), server.getParentSpanId());
        assertEquals(Set.of(client.getTraceId()), Set.of(answer.traceContext().traceparent().substring(3, 35)));
    }
}
