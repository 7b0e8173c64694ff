package dev.spine.gateway;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One Server-Sent Events response, written from any thread. Javalin's own SSE client is not used: when a
 * client has gone, it completes the request on a response the server has already recycled, and Javalin
 * then logs errors in a loop. Here a client that went away is only marked gone (the server finishes its
 * request itself), and only a stream this side ends ({@link #close()}) completes the request.
 */
final class SseStream {
    private final Context ctx;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final List<Runnable> onClose = new CopyOnWriteArrayList<>();
    private volatile boolean open = true;

    private SseStream(Context ctx) {
        this.ctx = ctx;
    }

    /** Turns the request into an event stream; the response stays open after the handler returns. */
    static SseStream start(Context ctx) {
        ctx.status(200);
        ctx.res().setContentType("text/event-stream");
        ctx.res().setCharacterEncoding("UTF-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        SseStream s = new SseStream(ctx);
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

    synchronized void comment(String text) throws IOException {
        write(": " + text + "\n\n");
    }

    /** One event; a multi-line payload becomes several {@code data:} lines, as the format requires. */
    synchronized void event(long id, String type, String data) throws IOException {
        StringBuilder b = new StringBuilder(data.length() + 64).append("id: ").append(id).append('\n')
                .append("event: ").append(type).append('\n');
        for (String line : data.split("\r\n|\r|\n", -1)) {
            b.append("data: ").append(line).append('\n');
        }
        write(b.append('\n').toString());
    }

    private void write(String text) throws IOException {
        if (!open) {
            throw new IOException("the stream is closed");
        }
        try {
            OutputStream out = ctx.res().getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException | RuntimeException e) {
            gone();
            throw e instanceof IOException io ? io : new IOException("the client went away", e);
        }
    }

    /** The client went away: stop writing; the server finishes the request it knows is broken. */
    private void gone() {
        if (open) {
            open = false;
            onClose.forEach(Runnable::run);
        }
    }

    /** Ends the stream from this side (subscription deleted, shutdown): the response completes normally. */
    void close() {
        if (open) {
            open = false;
            onClose.forEach(Runnable::run);
            done.complete(null);
        }
    }
}
