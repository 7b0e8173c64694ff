package dev.spine.gateway;

import com.codahale.metrics.Counter;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Server-Sent Events response with a bounded buffer. Events are queued here and written by a writer
 * thread, so the feed that produces them never waits on a slow client; when more than {@code maxBufferedBytes}
 * wait unwritten, the client is too slow: the queue is dropped, a last event
 * {@code event: spine-disconnected} with {@code {"reason":"SLOW_CONSUMER",...}} is queued (it names the last
 * sequence written, to resume after with {@code Last-Event-ID}) and the stream ends. Memory per client is so
 * bounded by {@code maxBufferedBytes} whatever it reads.
 *
 * <p>Javalin's own SSE client is not used: when a client has gone, it completes the request on a response the
 * server has already recycled, and Javalin then logs errors in a loop. Here the request is completed once: when
 * the queue is written after the stream ended, or when a write fails (the client went away, or stopped reading
 * until the idle timeout: then only completing it lets the server close the connection).
 */
final class SseStream {
    private static final Logger LOG = LoggerFactory.getLogger(SseStream.class);
    /** Most bytes the writer takes from the queue for one flush. */
    private static final int WRITE_BATCH_BYTES = 64 * 1024;
    private final Context ctx;
    private final int maxBufferedBytes;
    private final Executor writer;
    private final Counter slowClients;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final List<Runnable> onClose = new CopyOnWriteArrayList<>();
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean draining;
    /** No more events are taken; {@link #done} completes once the queue is written (or the client is gone). */
    private boolean ending;
    private volatile boolean open = true;
    /** The sequence of the newest event queued (under the lock). */
    private long newestQueued = -1;
    /**
     * The newest sequence known written: set whenever the queue runs empty, so at or before the last event the
     * client got; the disconnect event names it, and resuming after it repeats nothing it lacks.
     */
    private volatile long lastWritten = -1;

    private SseStream(Context ctx, int maxBufferedBytes, Executor writer, Counter slowClients) {
        this.ctx = ctx;
        this.maxBufferedBytes = maxBufferedBytes;
        this.writer = writer;
        this.slowClients = slowClients;
    }

    /** Turns the request into an event stream; the response stays open after the handler returns. */
    static SseStream start(Context ctx, int maxBufferedBytes, Executor writer, Counter slowClients) {
        ctx.status(200);
        ctx.res().setContentType("text/event-stream");
        ctx.res().setCharacterEncoding("UTF-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        SseStream s = new SseStream(ctx, maxBufferedBytes, writer, slowClients);
        ctx.future(() -> s.done);
        return s;
    }

    boolean isOpen() {
        return open;
    }

    /** Runs once when the stream ends, from either side. */
    void onClose(Runnable r) {
        onClose.add(r);
    }

    void comment(String text) throws IOException {
        enqueue(-1, (": " + text + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    /** One event, as a frame built once for all its clients ({@link LiveEvent#sseFrame}). */
    void event(LiveEvent event) throws IOException {
        enqueue(event.sequence(), event.sseFrame());
    }

    /** Queues one frame; throws when the stream has ended, or ends it when the client is too far behind. */
    private void enqueue(long id, byte[] bytes) throws IOException {
        boolean overflowed;
        synchronized (this) {
            if (!open) {
                throw new IOException("the stream is closed");
            }
            overflowed = queuedBytes + bytes.length > maxBufferedBytes;
            if (overflowed) {
                queue.clear();
                queuedBytes = 0;
                push(disconnected());
                ending = true;
            } else {
                if (id >= 0) {
                    newestQueued = id;
                }
                push(bytes);
            }
        }
        if (overflowed) {
            slowClients.inc();
            ended();
            throw new IOException("slow client: more than " + maxBufferedBytes + " bytes waiting");
        }
    }

    private byte[] disconnected() {
        long resume = lastWritten;
        return ("event: spine-disconnected\ndata: {\"reason\":\"SLOW_CONSUMER\",\"message\":\"the client read too "
                + "slowly: more than " + maxBufferedBytes + " bytes were waiting (SPINE_BUS_LIVE_BUFFER_BYTES); "
                + "reconnect with Last-Event-ID to resume\",\"lastEventId\":" + (resume < 0 ? "null" : resume)
                + "}\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Adds to the queue and starts the writer if it is idle. Holds the lock. */
    private void push(byte[] bytes) {
        queue.add(bytes);
        queuedBytes += bytes.length;
        if (!draining) {
            draining = true;
            writer.execute(this::drain);
        }
    }

    /**
     * The writer: writes what is queued, in order, until the queue is empty; what waits is written together and
     * flushed once (up to {@link #WRITE_BATCH_BYTES}), so a client that fell behind catches up in few writes.
     */
    private void drain() {
        List<byte[]> batch = new ArrayList<>();
        while (true) {
            long id;
            int bytes = 0;
            synchronized (this) {
                if (queue.isEmpty()) {
                    draining = false;
                    if (ending) {
                        done.complete(null);
                    }
                    return;
                }
                while (!queue.isEmpty() && bytes < WRITE_BATCH_BYTES) {
                    byte[] next = queue.poll();
                    batch.add(next);
                    bytes += next.length;
                }
                id = newestQueued;
            }
            try {
                OutputStream out = ctx.res().getOutputStream();
                for (byte[] frame : batch) {
                    out.write(frame);
                }
                out.flush();
            } catch (IOException | RuntimeException e) {
                gone();
                return;
            }
            batch.clear();
            synchronized (this) {
                queuedBytes -= bytes;
                if (queue.isEmpty() && id >= 0) {
                    lastWritten = id;
                }
            }
        }
    }

    /** The client went away: stop writing; the server finishes the request it knows is broken. */
    private void gone() {
        synchronized (this) {
            queue.clear();
            queuedBytes = 0;
            draining = false;
        }
        ended();
        // A write that failed because the client stopped reading (the idle timeout ran out while it was blocked)
        // leaves a connection that is still open: unless the request is completed the server keeps it, and the
        // socket, for ever (spine-bench live found most of 200 stalled streams so); completed, Jetty still kept it
        // until a second idle timeout. So the request is completed and the connection closed now. For a client
        // that really went away both change nothing.
        done.complete(null);
        closeConnection();
    }

    /** Closes the client's TCP connection (Jetty's endpoint): the servlet API has no way to say so. */
    private void closeConnection() {
        try {
            ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
            if (request != null) {
                request.getConnectionMetaData().getConnection().getEndPoint().close();
            }
        } catch (RuntimeException e) {
            LOG.debug("closing a live client's connection: {}", e.toString()); // it ends at the idle timeout then
        }
    }

    private void ended() {
        boolean was;
        synchronized (this) {
            was = open;
            open = false;
        }
        if (was) {
            onClose.forEach(Runnable::run);
        }
    }

    /** Ends the stream from this side (subscription deleted, shutdown): what is queued is written first. */
    void close() {
        boolean completeNow;
        synchronized (this) {
            if (!open) {
                return;
            }
            ending = true;
            completeNow = !draining;
        }
        ended();
        if (completeNow) {
            done.complete(null);
        }
    }
}
