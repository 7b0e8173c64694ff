package dev.spine.events.internal;

import io.nats.client.Message;
import io.nats.client.impl.NatsJetStreamMetaData;

/**
 * Where a JetStream delivery stands: its delivery count and stream sequence, read straight from the ack
 * subject ({@code $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>[.<pending>]}).
 * jnats' own metadata parse splits the whole subject into strings for every message, a fifth of the
 * subscriber's cost per event; any other form of ack subject falls back to it.
 */
record DeliveryPosition(long deliveredCount, long streamSequence) {
    private static final String PREFIX = "$JS.ACK.";
    /** Tokens of the ack subject without a domain and account hash: 8, or 9 with the pending count. */
    private static final int SHORT_FORM = 8;
    private static final int DELIVERED_TOKEN = 4;

    static DeliveryPosition of(Message m) {
        String reply = m.getReplyTo();
        if (reply != null && reply.startsWith(PREFIX)) {
            int[] dots = new int[10];
            int count = 0;
            for (int i = 0; i < reply.length() && count < dots.length; i++) {
                if (reply.charAt(i) == '.') {
                    dots[count++] = i;
                }
            }
            int tokens = count + 1;
            if (count < dots.length && (tokens == SHORT_FORM || tokens == SHORT_FORM + 1)) {
                long delivered = number(reply, dots[DELIVERED_TOKEN - 1] + 1, dots[DELIVERED_TOKEN]);
                long sequence = number(reply, dots[DELIVERED_TOKEN] + 1, dots[DELIVERED_TOKEN + 1]);
                if (delivered > 0 && sequence > 0) {
                    return new DeliveryPosition(delivered, sequence);
                }
            }
        }
        NatsJetStreamMetaData meta = m.metaData();
        return new DeliveryPosition(meta.deliveredCount(), meta.streamSequence());
    }

    /** The decimal number in {@code s[from, to)}, or -1 if it is not one. */
    private static long number(String s, int from, int to) {
        if (from >= to || to - from > 18) {
            return -1;
        }
        long n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
