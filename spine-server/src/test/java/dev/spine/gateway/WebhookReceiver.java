package dev.spine.gateway;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/** A webhook receiver for tests: records every request and answers with a status the test sets. */
final class WebhookReceiver implements AutoCloseable {
    /** One request as received: headers (lower-case names), the raw body and when it came (nanoTime). */
    record Delivery(Map<String, String> headers, byte[] body, long receivedNanos) {
        String header(String name) {
            return headers.get(name.toLowerCase());
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final HttpServer server;
    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    volatile int status = 204;
    /** Sent as {@code Location} when set: with a 3xx {@link #status}, a redirect. */
    volatile String location;
    /** How long the receiver takes before answering: a slow receiver, to meet the sender's timeout. */
    volatile long answerAfterMillis;

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/hook", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, String> headers = new java.util.HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
            deliveries.add(new Delivery(headers, body, System.nanoTime()));
            if (answerAfterMillis > 0) {
                try {
                    Thread.sleep(answerAfterMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (location != null) {
                exchange.getResponseHeaders().add("Location", location);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    List<Delivery> of(String eventId) {
        return deliveries.stream().filter(d -> eventId.equals(d.header("Spine-Event-Id"))).toList();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
