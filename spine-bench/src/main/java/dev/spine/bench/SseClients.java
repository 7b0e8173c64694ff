package dev.spine.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live bench's two kinds of Server-Sent Events client. A {@link Slow} one is a raw socket with a small receive
 * buffer that, once subscribed, reads nothing (stalled) or a few bytes a second (trickle), like a phone on a bad
 * network; at the end it reads what is left quickly to see how the server ended it. A {@link Fast} one reads
 * everything at once and checks the bench's counter in each event: every event, each once, in order.
 */
final class SseClients {
    /** The field of the bench's events that numbers them 0, 1, 2... in publish order. */
    static final String SEQ_FIELD = "liveBenchSeq";
    static final String DISCONNECTED = "event: spine-disconnected";
    static final String SLOW_REASON = "\"reason\":\"SLOW_CONSUMER\"";

    private SseClients() {}

    /** How a slow client's stream ended, as seen from the client. */
    enum Ending {
        /** the server's last event {@code spine-disconnected} with reason SLOW_CONSUMER, then the end */
        REASON,
        /** the connection ended without that event (the server gave up writing to it: idle timeout) */
        CLOSED,
        /** still open: the server never ended it */
        OPEN
    }

    /** A client that reads (almost) nothing; its socket's receive buffer is kept small, so the server fills it. */
    static final class Slow implements AutoCloseable {
        private static final int RECEIVE_BUFFER = 4096;
        private final Socket socket;
        private final InputStream in;
        private final byte[] buffer = new byte[8192];
        private long bytesRead;
        private boolean ended;

        Slow(URI base, String path, String secret) throws IOException {
            socket = new Socket();
            socket.setReceiveBufferSize(RECEIVE_BUFFER);
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
            socket.setSoTimeout(30_000);
            OutputStream request = socket.getOutputStream();
            request.write(("GET " + path + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\nAccept: text/event-stream\r\n"
                    + "Authorization: Bearer " + secret + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            request.flush();
            in = socket.getInputStream();
            StringBuilder seen = new StringBuilder();
            while (seen.indexOf(": subscribed") < 0) { // the server promises every later event from here
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the stream ended before it was subscribed: " + seen);
                }
                seen.append((char) b);
            }
            if (!seen.toString().startsWith("HTTP/1.1 200")) {
                throw new IOException("not a stream: " + seen);
            }
        }

        /** Reads at most {@code n} bytes without waiting long (the trickle); false once the stream has ended. */
        boolean trickle(int n) throws IOException {
            if (ended) {
                return false;
            }
            socket.setSoTimeout(10);
            try {
                int r = in.read(buffer, 0, Math.min(n, buffer.length));
                if (r < 0) {
                    ended = true;
                    return false;
                }
                bytesRead += r;
            } catch (SocketTimeoutException nothingYet) {
                // nothing to read now
            } catch (IOException reset) {
                ended = true;
                return false;
            }
            return true;
        }

        /**
         * Reads everything left, quickly, for up to {@code patience}, and says how the stream ended: with the
         * server's reason, without it, or not at all.
         */
        Ending drain(Duration patience) throws IOException {
            long deadline = System.nanoTime() + patience.toNanos();
            long before = bytesRead;
            socket.setSoTimeout(1000);
            String carry = "";
            boolean reason = false;
            while (System.nanoTime() < deadline) {
                int r;
                try {
                    r = ended ? -1 : in.read(buffer);
                } catch (SocketTimeoutException quiet) {
                    continue;
                } catch (IOException reset) {
                    r = -1;
                }
                if (r < 0) {
                    return reason ? Ending.REASON : Ending.CLOSED;
                }
                bytesRead += r;
                // the marker may straddle two reads: keep the tail of the previous one
                String text = carry + new String(buffer, 0, r, StandardCharsets.ISO_8859_1);
                int at = text.indexOf(DISCONNECTED);
                if (at >= 0 && text.indexOf(SLOW_REASON, at) > 0) {
                    reason = true;
                }
                carry = text.substring(Math.max(0, text.length() - 400));
            }
            System.err.println("[bench] live: a slow client's stream is still open after " + patience.toSeconds()
                    + " s of reading: " + (bytesRead - before) + " bytes read meanwhile, the reason "
                    + (reason ? "seen" : "not seen"));
            return Ending.OPEN;
        }

        long bytesRead() {
            return bytesRead;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A client that reads as fast as the server writes, checking the bench's numbering of every event. */
    static final class Fast implements AutoCloseable {
        private static final Pattern SEQ = Pattern.compile("\"" + SEQ_FIELD + "\":(\\d+)");
        private final InputStream body;
        private final Thread reader;
        private volatile long received;
        private volatile long expected;
        private volatile long duplicates;
        private volatile long skipped;
        private volatile boolean disconnected;
        private volatile String failure;

        Fast(HttpClient http, URI base, String path, String secret, int index) throws Exception {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(base.resolve(path)).GET()
                    .header("Accept", "text/event-stream").header("Authorization", "Bearer " + secret).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                throw new IOException("fast client " + index + ": HTTP " + r.statusCode());
            }
            body = r.body();
            BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            String first = lines.readLine();
            if (first == null || !first.startsWith(": subscribed")) {
                throw new IOException("fast client " + index + ": not subscribed: " + first);
            }
            reader = new Thread(() -> read(lines), "bench-fast-client-" + index);
            reader.setDaemon(true);
            reader.start();
        }

        private void read(BufferedReader lines) {
            try {
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.startsWith("event: spine-disconnected")) {
                        disconnected = true;
                    } else if (line.startsWith("data:")) {
                        Matcher m = SEQ.matcher(line);
                        if (m.find()) {
                            count(Long.parseLong(m.group(1)));
                        }
                    }
                }
            } catch (IOException e) {
                failure = e.toString(); // the bench closed it, or the server dropped it: reported either way
            }
        }

        /** In order means each number is the one after the last: less is a duplicate, more skipped some. */
        private void count(long seq) {
            received++;
            if (seq < expected) {
                duplicates++;
            } else {
                skipped += seq - expected;
                expected = seq + 1;
            }
        }

        long received() {
            return received;
        }

        /** Events the stream skipped over (missing or late); 0 when every event came in order. */
        long skipped() {
            return skipped;
        }

        long duplicates() {
            return duplicates;
        }

        boolean disconnected() {
            return disconnected;
        }

        String failure() {
            return failure;
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }
}
