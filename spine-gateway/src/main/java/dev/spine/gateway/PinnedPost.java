package dev.spine.gateway;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One HTTP/1.1 POST to an address chosen before the connection is made, for webhooks and HTTP push job
 * handlers ({@link SignedPost}).
 *
 * <p>Why not {@code java.net.http.HttpClient}: it resolves the URL's host itself when it connects, so a
 * check of the name's addresses made just before could be answered differently by DNS a moment later (DNS
 * rebinding: a public address for the check, 169.254.169.254 for the connection). The JDK client offers no
 * resolver hook before Java 18, no socket factory, and forbids setting {@code Host} when connecting to an IP.
 * Here the socket connects to the very address {@link WebhookTargets} checked; the request carries the
 * URL's host in {@code Host}, and TLS uses it for SNI and certificate verification ({@code HTTPS} endpoint
 * identification), so nothing is weaker than a connection by name. Only the status line and headers are
 * read ({@code Connection: close}); a redirect is reported, never followed.
 */
final class PinnedPost {
    /**
     * What the receiver answered: the status, for a redirect its {@code Location}, and its {@code Retry-After}
     * as sent (null when absent).
     */
    record Answer(int status, String location, String retryAfter) {}

    /**
     * A handle another thread can use to abort a POST under way by closing its socket: the JDK's blocking socket
     * reads ignore {@link Thread#interrupt()}, so a caller whose wait is interrupted (a job past its timeout)
     * closes the connection through this instead, and the POST ends at once with an {@link IOException}.
     */
    static final class Abort {
        private Socket socket;
        private boolean aborted;

        synchronized void attach(Socket s) throws IOException {
            if (aborted) {
                s.close();
                throw new java.io.InterruptedIOException("aborted before connecting");
            }
            socket = s;
        }

        /** Closes the connection (now, or as soon as one is made). */
        synchronized void abort() {
            aborted = true;
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing to give up: nothing more to do with this connection
                }
            }
        }
    }

    /** The status line and headers a receiver may send before we give up on it. */
    static final int MAX_HEAD_BYTES = 16 * 1024;

    private PinnedPost() {}

    /**
     * POSTs {@code body} to {@code url} over a connection to {@code address}; {@code tls} makes the https
     * connections ({@link SSLContext#getDefault()} outside tests).
     *
     * @throws SocketTimeoutException when connecting takes longer than {@code connectTimeout} or the answer's
     *     head does not arrive within {@code timeout}
     */
    static Answer send(URI url, InetAddress address, Map<String, String> headers, byte[] body, Duration connectTimeout,
            Duration timeout, SSLContext tlsContext) throws IOException {
        return send(url, address, headers, body, connectTimeout, timeout, tlsContext, new Abort());
    }

    /** As above, abortable through {@code abort} from another thread. */
    static Answer send(URI url, InetAddress address, Map<String, String> headers, byte[] body, Duration connectTimeout,
            Duration timeout, SSLContext tlsContext, Abort abort) throws IOException {
        boolean tls = url.getScheme().equals("https");
        int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        long deadline = System.nanoTime() + timeout.toNanos();
        Socket plain = new Socket();
        abort.attach(plain);
        try (Socket socket = tls ? secure(tlsContext, plain, address, port, url, connectTimeout) : plain) {
            if (!tls) {
                plain.connect(new InetSocketAddress(address, port), (int) connectTimeout.toMillis());
            }
            OutputStream out = socket.getOutputStream();
            out.write(head(url, port, tls, headers, body.length));
            out.write(body);
            out.flush();
            return answer(socket, new BufferedInputStream(socket.getInputStream()), deadline);
        } finally {
            plain.close();
        }
    }

    private static Socket secure(SSLContext context, Socket plain, InetAddress address, int port, URI url,
            Duration connectTimeout) throws IOException {
        plain.connect(new InetSocketAddress(address, port), (int) connectTimeout.toMillis());
        String host = WebhookTargets.hostName(url);
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        SSLParameters p = ssl.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the URL's host
        if (!host.contains(":") && !host.matches("[0-9.]+")) {
            p.setServerNames(List.of(new SNIHostName(host))); // SNI carries names, never addresses
        }
        ssl.setSSLParameters(p);
        ssl.setSoTimeout((int) connectTimeout.toMillis());
        ssl.startHandshake();
        return ssl;
    }

    private static byte[] head(URI url, int port, boolean tls, Map<String, String> headers, int length) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        boolean defaultPort = port == (tls ? 443 : 80);
        StringBuilder h = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(url.getHost()).append(defaultPort ? "" : ":" + port).append("\r\n")
                .append("Content-Length: ").append(length).append("\r\n")
                .append("Connection: close\r\n");
        headers.forEach((name, value) -> {
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header " + name + " must not contain a line break");
            }
            h.append(name).append(": ").append(value).append("\r\n");
        });
        return h.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Answer answer(Socket socket, InputStream in, long deadline) throws IOException {
        String status = line(socket, in, deadline);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("\\d{3}")) {
            throw new IOException("not an HTTP/1.x answer: '" + status + "'");
        }
        String location = null;
        String retryAfter = null;
        int read = status.length();
        for (String header = line(socket, in, deadline); !header.isEmpty(); header = line(socket, in, deadline)) {
            read += header.length();
            if (read > MAX_HEAD_BYTES) {
                throw new IOException("answer head longer than " + MAX_HEAD_BYTES + " bytes");
            }
            int colon = header.indexOf(':');
            String name = colon > 0 ? header.substring(0, colon).trim().toLowerCase(Locale.ROOT) : "";
            if (name.equals("location")) {
                location = header.substring(colon + 1).trim();
            } else if (name.equals("retry-after")) {
                retryAfter = header.substring(colon + 1).trim();
            }
        }
        return new Answer(Integer.parseInt(parts[1]), location, retryAfter);
    }

    /** One line of the head, within the overall deadline (a receiver that trickles bytes cannot hold us). */
    private static String line(Socket socket, InputStream in, long deadline) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException("no complete answer in time");
            }
            socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
            int b = in.read();
            if (b < 0) {
                throw new IOException("the receiver closed the connection before answering");
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            if (line.size() >= MAX_HEAD_BYTES) {
                throw new IOException("answer head longer than " + MAX_HEAD_BYTES + " bytes");
            }
            line.write(b);
        }
    }
}
