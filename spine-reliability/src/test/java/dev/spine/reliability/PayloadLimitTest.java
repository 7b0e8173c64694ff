package dev.spine.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.contracts.InvalidEventException;
import dev.spine.events.Spine;
import dev.spine.server.SpineServer;
import dev.spine.server.ServerConfig;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.PrivateNats;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory-heavy payloads at the size limit ({@link EventCodec#DEFAULT_MAX_PAYLOAD_BYTES}, 1 MiB): just under
 * it an event becomes a job whose handler gets the whole payload; over it the publisher refuses before
 * sending (code and nothing stored); and an oversize envelope sent by a plain NATS client to a server that
 * allows 4 MB messages is recorded as rejected with the code and size, acknowledged once (no redelivery
 * loop), while the service keeps working.
 */
@ExtendWith(SpineServices.class)
class PayloadLimitTest {
    @Test
    void payloadsAtAndOverTheLimitAreEitherRunWholeOrRefusedWithTheCode(TestDatabase db, @TempDir Path tmp)
            throws Exception {
        Path conf = Files.writeString(tmp.resolve("big.conf"), "max_payload: 4MB\n");
        try (PrivateNats nats = PrivateNats.builder(tmp).name("big-payloads").config(conf).build().start()) {
            Map<String, Integer> payloadSizes = new ConcurrentHashMap<>();
            ServerConfig config = Fixture.config(db.url(), db.schema(), nats.url(), "PL", Map.of());
            try (SpineServer service = SpineServer.builder(config).discoverHandlers(false)
                    .handler(Fixture.JOB_TYPE, job -> payloadSizes.put(job.idempotencyKey(), job.payloadJson().length()))
                    .build().start();
                 Connection connection = Fixture.connect(nats.url());
                 Spine publisher = Spine.builder(connection).topology(config.engine().topology()).build()) {
                JetStreamManagement jsm = connection.jetStreamManagement();
                String stream = config.engine().topology().platformStream();
                int limit = EventCodec.DEFAULT_MAX_PAYLOAD_BYTES;

                EventEnvelope nearLimit = withBlob(limit - 4096);
                publisher.publish(nearLimit);
                String key = nearLimit.eventId() + ":" + Fixture.JOB_TYPE;
                Eventually.await("the near-limit event's job ran", Duration.ofSeconds(60), () -> payloadSizes.containsKey(key));
                assertTrue(payloadSizes.get(key) > limit - 8192, "the handler got the whole payload: " + payloadSizes.get(key));

                long storedBefore = jsm.getStreamInfo(stream).getStreamState().getMsgCount();
                InvalidEventException refused = assertThrows(InvalidEventException.class,
                        () -> publisher.publish(withBlob(limit + 1)));
                assertEquals(InvalidEventException.Code.PAYLOAD_TOO_LARGE, refused.code());
                assertTrue(refused.getMessage().contains("exceeds the maximum of " + limit), refused.getMessage());
                assertEquals(storedBefore, jsm.getStreamInfo(stream).getStreamState().getMsgCount(), "nothing was sent");

                byte[] oversize = EventCodec.builder().maxPayloadBytes(4 * limit).build().encode(withBlob(2 * limit));
                connection.jetStream().publish(config.engine().topology().subjectFor(Fixture.EVENT_TYPE), oversize);
                String rejected = "select count(*) from " + db.schema() + ".rejected_event where code = 'PAYLOAD_TOO_LARGE'"
                        + " and reason like '%" + oversize.length + " bytes exceeds the maximum of " + limit + "%'"
                        + " and octet_length(raw) = " + oversize.length;
                Eventually.await("the oversize envelope is recorded as rejected with its bytes", Duration.ofSeconds(60),
                        () -> db.queryLong(rejected) == 1);

                EventEnvelope after = Fixture.event(1);
                publisher.publish(after);
                Eventually.await("the service keeps working", Duration.ofSeconds(60),
                        () -> payloadSizes.containsKey(after.eventId() + ":" + Fixture.JOB_TYPE));
                Eventually.await("the oversize event is acknowledged, not redelivered", Duration.ofSeconds(30), () -> {
                    try {
                        return jsm.getConsumerInfo(stream, config.engine().ingest().consumer()).getNumAckPending() == 0;
                    } catch (Exception e) {
                        return false;
                    }
                });
                assertEquals(1, db.queryLong(rejected), "recorded once");
                System.out.printf("payload limits: an event with %d B of data ran whole; %d B of data refused by the "
                        + "publisher (%s); a %d B envelope from a plain client rejected by the service%n", limit - 4096,
                        limit + 1, refused.code(), oversize.length);
            }
        }
    }

    private static EventEnvelope withBlob(int bytes) {
        return EventEnvelope.builder().eventType(Fixture.EVENT_TYPE).source("reliability")
                .data(JsonNodeFactory.instance.objectNode().put("blob", "x".repeat(bytes))).build();
    }
}
