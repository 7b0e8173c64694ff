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
            // the delivered count lies between the 4th and 5th dot, the stream sequence before the 6th
            int dots = 0;
            int fourth = -1;
            int fifth = -1;
            int sixth = -1;
            for (int i = 0; i < reply.length(); i++) {
                if (reply.charAt(i) == '.') {
                    dots++;
                    if (dots == DELIVERED_TOKEN) {
                        fourth = i;
                    } else if (dots == DELIVERED_TOKEN + 1) {
                        fifth = i;
                    } else if (dots == DELIVERED_TOKEN + 2) {
                        sixth = i;
                    }
                }
            }
            int tokens = dots + 1;
            if (tokens == SHORT_FORM || tokens == SHORT_FORM + 1) {
                long delivered = number(reply, fourth + 1, fifth);
                long sequence = number(reply, fifth + 1, sixth);
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
