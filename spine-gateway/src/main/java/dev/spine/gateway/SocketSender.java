package dev.spine.gateway;

import com.codahale.metrics.Counter;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Callback;

/**
 * Sends a live subscription's events to one WebSocket without waiting: Jetty queues each frame until the
 * client takes it. What is queued is counted; a client more than {@code maxBufferedBytes} behind is closed
 * with code 4408 and reason {@code SLOW_CONSUMER: ...} (the close frame follows the frames already queued; a
 * client that reads nothing at all is cut by the idle timeout), so memory per client stays bounded.
 */
final class SocketSender {
    /** The close code of a client that read too slowly (4000-4999: the application's own). */
    static final int SLOW_CONSUMER_CLOSE = 4408;

    private final WsContext ctx;
    private final int maxBufferedBytes;
    private final Counter slowConsumers;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    SocketSender(WsContext ctx, int maxBufferedBytes, Counter slowConsumers) {
        this.ctx = ctx;
        this.maxBufferedBytes = maxBufferedBytes;
        this.slowConsumers = slowConsumers;
    }

    /** Queues one text frame; throws when the socket has closed or the client is too far behind (then closes it). */
    void send(long sequence, String text) throws IOException {
        if (closed.get() || !ctx.session.isOpen()) {
            throw new IOException("socket closed");
        }
        long size = text.getBytes(StandardCharsets.UTF_8).length;
        if (queued.addAndGet(size) > maxBufferedBytes) {
            queued.addAndGet(-size);
            slowConsumers.inc();
            closeUnlessDone(SLOW_CONSUMER_CLOSE, "SLOW_CONSUMER: more than " + maxBufferedBytes
                    + " bytes were waiting; reconnect with lastEventId to resume");
            throw new IOException("slow client: more than " + maxBufferedBytes + " bytes waiting at sequence " + sequence);
        }
        ctx.session.sendText(text, Callback.from(() -> queued.addAndGet(-size), failed -> queued.addAndGet(-size)));
    }

    /** Closes the socket once, with a code and a reason (at most 123 bytes, as the protocol allows). */
    void closeUnlessDone(int code, String reason) {
        if (closed.compareAndSet(false, true)) {
            ctx.closeSession(code, reason.length() > 120 ? reason.substring(0, 120) : reason);
        }
    }
}
