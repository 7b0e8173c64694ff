package dev.spine.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A TCP forwarder on 127.0.0.1 to a real server, so a test can cut a service off from PostgreSQL or
 * NATS without touching the shared server: {@link #close()} stops accepting and closes every forwarded
 * connection, which the client sees as the server going away. {@link #delaying} makes a slow link
 * instead: what the client sends reaches the server that much later. {@link #droppingNatsStatus} passes NATS
 * traffic but loses the server's status messages of one code, as an older nats-server sometimes does.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> sockets = new ArrayList<>();
    private final Thread acceptor;
    /** How long what the client sends is held before it goes on to the server (zero: at once). */
    private final long toServerDelayNanos;
    /** A NATS status code (e.g. 408) whose messages never reach the client; 0: everything passes. */
    private final int droppedNatsStatus;
    private volatile boolean closed;

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this(targetHost, targetPort, 0);
    }

    /** A proxy listening on {@code listenPort} (0: any free one), e.g. the port of a closed one: the outage ends. */
    public TcpProxy(String targetHost, int targetPort, int listenPort) throws IOException {
        this(targetHost, targetPort, listenPort, Duration.ZERO, 0);
    }

    private TcpProxy(String targetHost, int targetPort, int listenPort, Duration toServerDelay, int droppedNatsStatus)
            throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.toServerDelayNanos = toServerDelay.toNanos();
        this.droppedNatsStatus = droppedNatsStatus;
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort), 50);
        this.acceptor = new Thread(this::accept, "tcp-proxy-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * A proxy whose client-to-server direction is slow: every byte the client sends reaches the server
     * {@code toServer} later (in order; the way back is not delayed), as over a long or congested link.
     */
    public static TcpProxy delaying(String targetHost, int targetPort, Duration toServer) throws IOException {
        return new TcpProxy(targetHost, targetPort, 0, toServer, 0);
    }

    /**
     * A proxy to a NATS server that drops every status message of {@code status} on its way to the client
     * (everything else passes in order): with 408, pulls end on the server without the client being told, as
     * nats-server before 2.9.15 sometimes does when a partly filled pull expires.
     */
    public static TcpProxy droppingNatsStatus(String targetHost, int targetPort, int status) throws IOException {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status must be a three-digit NATS status code, got " + status);
        }
        return new TcpProxy(targetHost, targetPort, 0, Duration.ZERO, status);
    }

    /**
     * A proxy on a port below the machine's ephemeral range, so that once closed it can listen on the same port
     * again ({@link #TcpProxy(String, int, int)}): a port from the range (what binding port 0 gives) may be taken
     * meanwhile by some outgoing connection of another test, and the second bind fails.
     */
    public static TcpProxy reopenable(String targetHost, int targetPort) throws IOException {
        int below = ephemeralLow();
        java.util.Random random = new java.util.Random();
        IOException last = null;
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = below - 10_000 + random.nextInt(10_000);
            try {
                return new TcpProxy(targetHost, targetPort, port);
            } catch (java.net.BindException e) {
                last = e; // a listener of something else there: another port
            }
        }
        throw last;
    }

    /** The first port of the ephemeral range (Linux: ip_local_port_range), 32768 where it cannot be read. */
    private static int ephemeralLow() {
        try {
            String range = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
            return Math.max(20_000, Integer.parseInt(range.trim().split("\\s+")[0]));
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                throw new IllegalStateException("proxy accept failed", e);
            }
            try {
                Socket server = new Socket();
                server.connect(new InetSocketAddress(targetHost, targetPort), 5000);
                if (!register(client, server)) {
                    return;
                }
                pump(client, server, toServerDelayNanos);
                if (droppedNatsStatus > 0) {
                    passNatsDropping(server, client, droppedNatsStatus);
                } else {
                    pump(server, client, 0);
                }
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private synchronized boolean register(Socket a, Socket b) {
        if (closed) {
            closeQuietly(a);
            closeQuietly(b);
            return false;
        }
        sockets.add(a);
        sockets.add(b);
        return true;
    }

    private void pump(Socket from, Socket to, long delayNanos) {
        // a delayed direction: the reader stamps each chunk, a writer passes it on once its time has come
        LinkedBlockingQueue<Chunk> held = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (delayNanos == 0) {
                        out.write(buf, 0, n);
                        out.flush();
                    } else {
                        held.add(new Chunk(System.nanoTime() + delayNanos, java.util.Arrays.copyOf(buf, n)));
                    }
                }
            } catch (IOException e) {
                // one side went away: the finally below takes the other side down too, like a real cut
            } finally {
                held.add(Chunk.END);
                if (delayNanos == 0) {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }
        }, "tcp-proxy-pump");
        reader.setDaemon(true);
        reader.start();
        if (delayNanos > 0) {
            Thread writer = new Thread(() -> passOnWhenDue(held, from, to), "tcp-proxy-delay");
            writer.setDaemon(true);
            writer.start();
        }
    }

    /** The delayed direction's writer: each chunk at its due time, then the cut once the reader's end is due. */
    private static void passOnWhenDue(LinkedBlockingQueue<Chunk> held, Socket from, Socket to) {
        try {
            OutputStream out = to.getOutputStream();
            while (true) {
                Chunk c = held.take();
                if (c == Chunk.END) {
                    return;
                }
                long wait = c.dueNanos() - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // the simulated link's latency, not synchronisation
                }
                out.write(c.bytes());
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the other side went away, or the test is over
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /**
     * The server-to-client direction of {@link #droppingNatsStatus}: reads the NATS protocol a line at a time
     * ({@code MSG} and {@code HMSG} with their payloads) and leaves out each {@code HMSG} whose headers open with
     * the status line {@code NATS/1.0 <status>}.
     */
    private static void passNatsDropping(Socket from, Socket to, int status) {
        byte[] statusLine = ("NATS/1.0 " + status).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Thread t = new Thread(() -> {
            try {
                InputStream in = new java.io.BufferedInputStream(from.getInputStream());
                OutputStream out = new java.io.BufferedOutputStream(to.getOutputStream());
                for (byte[] line = readLine(in); line != null; line = readLine(in)) {
                    String op = new String(line, java.nio.charset.StandardCharsets.US_ASCII).trim();
                    byte[] payload = new byte[0];
                    if (op.startsWith("MSG ") || op.startsWith("HMSG ")) {
                        String[] fields = op.split(" +");
                        payload = in.readNBytes(Integer.parseInt(fields[fields.length - 1]) + 2); // and its CRLF
                    }
                    boolean dropped = op.startsWith("HMSG ") && payload.length >= statusLine.length
                            && java.util.Arrays.equals(payload, 0, statusLine.length, statusLine, 0, statusLine.length);
                    if (!dropped) {
                        out.write(line);
                        out.write(payload);
                    }
                    if (in.available() == 0) {
                        out.flush();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // one side went away (or spoke no NATS): take both down, like a real cut
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-nats");
        t.setDaemon(true);
        t.start();
    }

    /** One protocol line with its line end, or null at the end of the stream. */
    private static byte[] readLine(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(128);
        for (int b = in.read(); b >= 0; b = in.read()) {
            line.write(b);
            if (b == '\n') {
                return line.toByteArray();
            }
        }
        return line.size() == 0 ? null : line.toByteArray();
    }

    private record Chunk(long dueNanos, byte[] bytes) {
        static final Chunk END = new Chunk(0, new byte[0]);
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeQuietly(listener);
        sockets.forEach(TcpProxy::closeQuietly);
        sockets.clear();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing a socket that is already broken: nothing left to release
        }
    }
}
