package dev.spine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The signed POST that webhooks and HTTP push handlers share: signature, Retry-After, abort on interrupt. */
class SignedPostTest {
    private static final String SECRET = "a-secret-of-some-length";

    @Test
    void retryAfterReadsSecondsAndHttpDates() {
        Instant now = Instant.parse("2026-12-04T12:00:00Z");
        assertEquals(Duration.ofSeconds(120), SignedPost.retryAfter("120", now));
        String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(60).atOffset(ZoneOffset.UTC));
        assertEquals(Duration.ofSeconds(60), SignedPost.retryAfter(inAMinute, now));
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(now.minusSeconds(60).atOffset(ZoneOffset.UTC));
        assertEquals(Duration.ZERO, SignedPost.retryAfter(past, now));
        assertNull(SignedPost.retryAfter("soon", now));
        assertNull(SignedPost.retryAfter("-5", now));
        assertNull(SignedPost.retryAfter(null, now));
    }

    @Test
    void theBodyIsSignedAndARetryAfterAnswerIsReported() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                SignedPost post = new SignedPost(WebhookAllowList.parse("127.0.0.1"), Clock.systemUTC())) {
            AtomicReference<String> signature = new AtomicReference<>();
            AtomicReference<String> body = new AtomicReference<>();
            CompletableFuture<Void> receiver = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    BufferedReader in = new BufferedReader(
                            new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                    int length = 0;
                    for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
                        if (line.startsWith(WebhookSignature.HEADER + ": ")) {
                            signature.set(line.substring(WebhookSignature.HEADER.length() + 2));
                        } else if (line.toLowerCase().startsWith("content-length: ")) {
                            length = Integer.parseInt(line.substring(16));
                        }
                    }
                    char[] b = new char[length];
                    in.read(b, 0, length);
                    body.set(new String(b));
                    s.getOutputStream().write("HTTP/1.1 503 Busy\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] sent = "{\"id\":1}".getBytes(StandardCharsets.UTF_8);
            SignedPost.Delivery d = post.send(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/jobs"), SECRET,
                    Map.of("Spine-Job-Id", "1"), sent, Duration.ofSeconds(10));
            receiver.get(10, TimeUnit.SECONDS);

            assertFalse(d.delivered());
            assertEquals(503, d.status());
            assertEquals(Duration.ofSeconds(7), d.retryAfter());
            assertEquals("{\"id\":1}", body.get());
            assertTrue(WebhookSignature.verify(SECRET, signature.get(), sent, Instant.now(),
                    WebhookSignature.DEFAULT_TOLERANCE), signature.get());
        }
    }

    @Test
    void anInterruptClosesTheConnectionAtOnce() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                SignedPost post = new SignedPost(WebhookAllowList.parse("127.0.0.1"), Clock.systemUTC())) {
            CountDownLatch requested = new CountDownLatch(1);
            CompletableFuture<Integer> afterRequest = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    in.read(new byte[8192]); // the request arrived; never answer it
                    requested.countDown();
                    int b;
                    do {
                        b = in.read(); // -1 once the client closes the connection
                    } while (b >= 0);
                    return b;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    post.sendInterruptibly(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/"), SECRET,
                            Map.of(), new byte[0], Duration.ofMinutes(10));
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            caller.start();
            assertTrue(requested.await(10, TimeUnit.SECONDS), "the request reached the receiver");
            long interrupted = System.nanoTime();
            caller.interrupt();
            caller.join(5_000);

            assertFalse(caller.isAlive(), "the interrupted caller returned");
            assertTrue(thrown.get() instanceof InterruptedException, String.valueOf(thrown.get()));
            assertEquals(-1, afterRequest.get(5, TimeUnit.SECONDS), "the connection was closed");
            assertTrue(System.nanoTime() - interrupted < TimeUnit.SECONDS.toNanos(5));
        }
    }
}
