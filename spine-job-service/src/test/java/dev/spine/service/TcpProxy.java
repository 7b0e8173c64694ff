package dev.spine.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP forwarder on 127.0.0.1 to a real server, so a test can cut a service off from PostgreSQL or
 * NATS without touching the shared server: {@link #close()} stops accepting and closes every forwarded
 * connection, which the client sees as the server going away.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> sockets = new ArrayList<>();
    private final Thread acceptor;
    private volatile boolean closed;

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this(targetHost, targetPort, 0);
    }

    /** A proxy listening on {@code listenPort} (0: any free one), e.g. the port of a closed one: the outage ends. */
    public TcpProxy(String targetHost, int targetPort, int listenPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort), 50);
        this.acceptor = new Thread(this::accept, "tcp-proxy-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
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
                pump(client, server);
                pump(server, client);
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

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side went away: the finally below takes the other side down too, like a real cut
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
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
