package dev.spine.events.internal;

import dev.spine.contracts.EventCodec;
import dev.spine.contracts.EventEnvelope;
import dev.spine.events.Delivery;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JetStream message as a {@link Delivery}: the one allocation per message of a batch subscription.
 * Position and headers are read from the message only when asked for (building a header map for every
 * event was a visible share of the job service's ingest cost); the stream name is the subscription's.
 */
final class NatsDelivery implements Delivery {
    private final Message message;
    private final String stream;
    private final EventCodec codec;
    private EventEnvelope envelope;
    private DeliveryPosition position;
    private volatile boolean settled;

    NatsDelivery(Message message, String stream, EventCodec codec) {
        this.message = message;
        this.stream = stream;
        this.codec = codec;
    }

    Message message() {
        return message;
    }

    @Override
    public byte[] data() {
        byte[] d = message.getData();
        return d == null ? new byte[0] : d;
    }

    @Override
    public EventEnvelope envelope() {
        if (envelope == null) {
            envelope = codec.decode(data());
        }
        return envelope;
    }

    @Override
    public String subject() {
        return message.getSubject();
    }

    @Override
    public String stream() {
        return stream;
    }

    private DeliveryPosition position() {
        if (position == null) {
            position = DeliveryPosition.of(message);
        }
        return position;
    }

    @Override
    public long sequence() {
        return position().streamSequence();
    }

    @Override
    public long deliveredCount() {
        return position().deliveredCount();
    }

    @Override
    public String header(String name) {
        return message.hasHeaders() ? message.getHeaders().getFirst(name) : null;
    }

    @Override
    public Map<String, String> headers() {
        Map<String, String> out = new LinkedHashMap<>();
        if (message.hasHeaders()) {
            Headers h = message.getHeaders();
            for (String key : h.keySet()) {
                out.put(key, String.join(",", h.get(key)));
            }
        }
        return out;
    }

    @Override
    public void ack() {
        if (!settled) {
            settled = true;
            message.ack();
        }
    }

    @Override
    public void term(String reason) {
        if (!settled) {
            settled = true;
            message.term();
        }
    }

    @Override
    public void nakWithDelay(Duration delay) {
        if (!settled) {
            settled = true;
            message.nakWithDelay(delay);
        }
    }

    @Override
    public void inProgress() {
        if (!settled) {
            message.inProgress();
        }
    }

    @Override
    public boolean isSettled() {
        return settled;
    }

    /** Marks it settled without telling the server (a dead letter was written and the message termed). */
    void settledElsewhere() {
        settled = true;
    }
}
