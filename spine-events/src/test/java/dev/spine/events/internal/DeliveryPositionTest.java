package dev.spine.events.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestNats;
import io.nats.client.Connection;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpineServices.class)
class DeliveryPositionTest {
    /** The fast read of the ack subject agrees with jnats' own parse, on first and later deliveries. */
    @Test
    void readsTheSameDeliveryCountAndSequenceAsJnats(TestNats nats) throws Exception {
        Connection c = nats.connect();
        String stream = nats.prefix() + "_POSITION";
        String subject = nats.prefix() + ".position";
        c.jetStreamManagement().addStream(StreamConfiguration.builder().name(stream).subjects(subject).build());
        try {
            for (int i = 0; i < 5; i++) {
                c.jetStream().publish(subject, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            JetStreamSubscription sub = c.jetStream().subscribe(subject, PullSubscribeOptions.builder()
                    .durable("position").build());
            int checked = 0;
            for (int round = 1; round <= 2; round++) {
                for (Message m : sub.fetch(5, Duration.ofSeconds(5))) {
                    DeliveryPosition p = DeliveryPosition.of(m);
                    assertEquals(m.metaData().deliveredCount(), p.deliveredCount(), m.getReplyTo());
                    assertEquals(m.metaData().streamSequence(), p.streamSequence(), m.getReplyTo());
                    assertEquals(round, p.deliveredCount());
                    checked++;
                    if (round == 1) {
                        m.nak(); // delivered again: count 2
                    } else {
                        m.ack();
                    }
                }
            }
            assertEquals(10, checked);
        } finally {
            c.jetStreamManagement().deleteStream(stream);
        }
    }
}
