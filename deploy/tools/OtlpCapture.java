import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A stand-in for Jaeger's OTLP/HTTP receiver where no Jaeger runs (no container engine, no Go toolchain):
 * it takes what an OpenTelemetry exporter sends to {@code /v1/traces} (http/protobuf), decodes the spans
 * with a small protobuf reader (JDK only) and prints one line per span; {@code tree} prints one trace from
 * such a file as the parent/child tree Jaeger's trace view shows; {@code check} looks for the spine's chain.
 *
 * <pre>
 *   java deploy/tools/OtlpCapture.java receive 127.0.0.1:4318 > spans.tsv     # until stopped
 *   java deploy/tools/OtlpCapture.java tree spans.tsv [TRACE_ID]               # default: the deepest trace
 *   java deploy/tools/OtlpCapture.java check spans.tsv                         # exit 0 when the chain is there
 * </pre>
 *
 * A span line: trace id, span id, parent span id ({@code -} for a root), service.name, kind, name, status
 * (with the status message, if any), start (ns since the epoch), and the messaging attributes as
 * space-separated {@code key=value}, tab-separated. It is a capture, not a tracing backend: nothing is kept
 * but what it prints.
 */
public final class OtlpCapture {
    private static final String[] KINDS = {"UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"};
    private static final String[] STATUS = {"UNSET", "OK", "ERROR"};
    private static final List<String> SHOWN = List.of("messaging.system", "messaging.operation.type",
            "messaging.destination.name", "messaging.consumer.group.name", "messaging.nats.delivered_count",
            "messaging.message.conversation_id", "spine.job.type", "spine.job.attempt", "spine.job.id");

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("receive")) {
            receive(args[1]);
        } else if (args.length >= 2 && args[0].equals("tree")) {
            System.exit(tree(load(Path.of(args[1])), args.length > 2 ? args[2] : null, System.out) ? 0 : 1);
        } else if (args.length == 2 && args[0].equals("check")) {
            System.exit(check(load(Path.of(args[1])), System.out) ? 0 : 1);
        } else {
            System.err.println("usage: OtlpCapture receive HOST:PORT | tree SPANS.tsv [TRACE_ID] | check SPANS.tsv");
            System.exit(2);
        }
    }

    private static void receive(String address) throws IOException {
        int colon = address.lastIndexOf(':');
        HttpServer server = HttpServer.create(
                new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))), 0);
        server.createContext("/v1/traces", OtlpCapture::export);
        server.start();
        System.err.println("OtlpCapture: OTLP/HTTP traces on http://" + address + "/v1/traces");
    }

    private static void export(HttpExchange exchange) throws IOException {
        try (exchange) {
            InputStream body = exchange.getRequestBody();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                body = new GZIPInputStream(body);
            }
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (!"POST".equals(exchange.getRequestMethod()) || type == null || !type.startsWith("application/x-protobuf")) {
                exchange.sendResponseHeaders(415, -1); // http/json is not decoded here
                return;
            }
            List<String> lines = spans(body.readAllBytes());
            synchronized (System.out) {
                lines.forEach(System.out::println);
                System.out.flush();
            }
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse: all accepted
        } catch (RuntimeException e) {
            System.err.println("OtlpCapture: undecodable request: " + e);
            exchange.sendResponseHeaders(400, -1);
        }
    }

    /** ExportTraceServiceRequest -> one line per span. */
    static List<String> spans(byte[] request) {
        List<String> out = new ArrayList<>();
        for (Reader resourceSpans : new Reader(request).messages(1)) {
            String service = "?";
            List<Reader> resource = resourceSpans.messages(1);
            if (!resource.isEmpty()) {
                service = attributes(resource.get(0), 1).getOrDefault("service.name", "?");
            }
            for (Reader scopeSpans : resourceSpans.messages(2)) {
                for (Reader span : scopeSpans.messages(2)) {
                    out.add(line(service, span));
                }
            }
        }
        return out;
    }

    private static String line(String service, Reader span) {
        HexFormat hex = HexFormat.of();
        byte[] parent = span.bytes(4);
        Map<String, String> attrs = attributes(span, 9);
        List<Reader> status = span.messages(15);
        int code = status.isEmpty() ? 0 : (int) status.get(0).varint(3);
        String message = status.isEmpty() ? "" : status.get(0).string(2).replaceAll("\\s+", " ").strip();
        StringBuilder shown = new StringBuilder();
        for (String key : SHOWN) {
            if (attrs.containsKey(key)) {
                shown.append(shown.length() == 0 ? "" : " ").append(key).append('=')
                        .append(attrs.get(key).replaceAll("\\s+", "_"));
            }
        }
        return String.join("\t", hex.formatHex(span.bytes(1)), hex.formatHex(span.bytes(2)),
                parent == null || parent.length == 0 ? "-" : hex.formatHex(parent), service,
                KINDS[(int) span.varint(6)], span.string(5), STATUS[code] + (message.isEmpty() ? "" : " " + message),
                Long.toString(span.fixed64(7)),
                shown.toString());
    }

    /** KeyValue attributes under {@code field}; values other than string, bool, int and double are left out. */
    private static Map<String, String> attributes(Reader message, int field) {
        Map<String, String> attrs = new LinkedHashMap<>();
        for (Reader kv : message.messages(field)) {
            List<Reader> value = kv.messages(2);
            if (value.isEmpty()) {
                continue;
            }
            Reader v = value.get(0);
            String s = v.has(1) ? v.string(1) : v.has(2) ? Boolean.toString(v.varint(2) != 0)
                    : v.has(3) ? Long.toString(v.varint(3)) : v.has(4) ? Double.toString(Double.longBitsToDouble(v.fixed64(4)))
                    : null;
            if (s != null) {
                attrs.put(kv.string(1), s);
            }
        }
        return attrs;
    }

    /** The spans of a capture file by trace id, each trace's spans by start time. */
    static Map<String, List<String[]>> load(Path file) throws IOException {
        Map<String, List<String[]>> traces = new LinkedHashMap<>();
        for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] f = l.split("\t", -1);
            if (f.length == 9) {
                traces.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f);
            }
        }
        traces.values().forEach(spans -> spans.sort(Comparator.comparingLong(s -> Long.parseLong(s[7]))));
        return traces;
    }

    /** Prints the trace {@code traceId} (or the one with the longest parent chain) as an indented tree. */
    static boolean tree(Map<String, List<String[]>> traces, String traceId, PrintStream out) {
        String chosen = traceId;
        if (chosen == null) {
            chosen = traces.keySet().stream().max(Comparator.comparingInt((String t) -> depth(traces.get(t)))
                    .thenComparingInt(t -> traces.get(t).size())).orElse(null);
        }
        if (chosen == null || !traces.containsKey(chosen)) {
            out.println("no trace " + (chosen == null ? "captured" : chosen));
            return false;
        }
        List<String[]> spans = traces.get(chosen);
        Map<String, List<String[]>> children = new HashMap<>();
        Map<String, String[]> byId = new HashMap<>();
        spans.forEach(s -> byId.put(s[1], s));
        List<String[]> roots = new ArrayList<>();
        for (String[] s : spans) {
            if (byId.containsKey(s[2])) {
                children.computeIfAbsent(s[2], k -> new ArrayList<>()).add(s);
            } else {
                roots.add(s); // a root, or a child of a span that was not captured
            }
        }
        out.println("trace " + chosen + ": " + spans.size() + " spans");
        long t0 = Long.parseLong(spans.get(0)[7]);
        for (String[] root : roots) {
            print(root, children, 0, t0, out);
        }
        return true;
    }

    /**
     * The chain the spine promises in one trace, each span the child of the one before. On NATS: a publish
     * (PRODUCER, nats), the job service receiving it (CONSUMER, nats), the enqueue (PRODUCER, spine-jobs), the
     * job's run (CONSUMER, spine-jobs), the run's own publish (PRODUCER, nats), and the job service receiving
     * that (CONSUMER, nats). On the PostgreSQL bus (SPINE_EVENT_BUS=postgres), which makes no publish spans: the
     * job service receiving an event (CONSUMER, postgresql), the enqueue, the run, the job service receiving the
     * run's event, its enqueue and its run. Prints the first trace that has either; false when none does.
     */
    static boolean check(Map<String, List<String[]>> traces, PrintStream out) {
        String[][][] chains = {
            {{"PRODUCER", "nats", "publish"}, {"CONSUMER", "nats", "job service receives it"},
                {"PRODUCER", "spine-jobs", "enqueue"}, {"CONSUMER", "spine-jobs", "job run"},
                {"PRODUCER", "nats", "the run publishes"}, {"CONSUMER", "nats", "job service receives that"}},
            {{"CONSUMER", "postgresql", "job service receives it"}, {"PRODUCER", "spine-jobs", "enqueue"},
                {"CONSUMER", "spine-jobs", "job run"}, {"CONSUMER", "postgresql", "job service receives its event"},
                {"PRODUCER", "spine-jobs", "enqueue"}, {"CONSUMER", "spine-jobs", "that job's run"}}};
        for (String[][] steps : chains) {
            for (Map.Entry<String, List<String[]>> trace : traces.entrySet()) {
                for (String[] first : trace.getValue()) {
                    List<String[]> chain = chain(trace.getValue(), first, steps, 0);
                    if (chain != null) {
                        out.println("OK: trace " + trace.getKey() + " has the chain");
                        for (int i = 0; i < steps.length; i++) {
                            String[] s = chain.get(i);
                            out.printf("  %-32s %-9s %-38s span %s parent %s%n", steps[i][2], s[4], s[5], s[1], s[2]);
                        }
                        return true;
                    }
                }
            }
        }
        out.println("FAILED: no trace of " + traces.size() + " has publish -> job service -> enqueue -> run -> "
                + "publish -> job service (NATS) or job service -> enqueue -> run -> job service -> enqueue -> run "
                + "(PostgreSQL bus), each the child of the one before");
        return false;
    }

    /** {@code span} and a line of its descendants matching {@code steps} from {@code step} on, or null. */
    private static List<String[]> chain(List<String[]> spans, String[] span, String[][] steps, int step) {
        if (!is(span, steps[step])) {
            return null;
        }
        if (step == steps.length - 1) {
            return new ArrayList<>(List.<String[]>of(span));
        }
        for (String[] child : spans) {
            if (child[2].equals(span[1])) {
                List<String[]> rest = chain(spans, child, steps, step + 1);
                if (rest != null) {
                    rest.add(0, span);
                    return rest;
                }
            }
        }
        return null;
    }

    private static boolean is(String[] span, String[] step) {
        return span[4].equals(step[0]) && (" " + span[8] + " ").contains(" messaging.system=" + step[1] + " ");
    }

    private static void print(String[] s, Map<String, List<String[]>> children, int level, long t0, PrintStream out) {
        out.printf("%s%s [%s] %s%s  +%.1f ms  span %s%s%n", "  ".repeat(level), s[5], s[4], s[3],
                s[6].equals("UNSET") ? "" : " status=" + s[6], (Long.parseLong(s[7]) - t0) / 1e6, s[1],
                s[2].equals("-") ? "" : " parent " + s[2]);
        if (!s[8].isEmpty()) {
            out.println("  ".repeat(level) + "    " + s[8]);
        }
        for (String[] c : children.getOrDefault(s[1], List.of())) {
            print(c, children, level + 1, t0, out);
        }
    }

    private static int depth(List<String[]> spans) {
        Map<String, String> parentOf = new HashMap<>();
        spans.forEach(s -> parentOf.put(s[1], s[2]));
        int max = 0;
        for (String[] s : spans) {
            int d = 0;
            for (String p = s[2]; parentOf.containsKey(p) && d < spans.size(); p = parentOf.get(p)) {
                d++;
            }
            max = Math.max(max, d);
        }
        return max;
    }

    /** Just enough of the protobuf wire format: fields of one message, by number. */
    private static final class Reader {
        private final Map<Integer, List<Object>> fields = new HashMap<>();

        Reader(byte[] b) {
            int[] pos = {0};
            while (pos[0] < b.length) {
                long tag = readVarint(b, pos);
                int number = (int) (tag >>> 3);
                Object value = switch ((int) (tag & 7)) {
                    case 0 -> readVarint(b, pos);
                    case 1 -> readFixed(b, pos, 8);
                    case 5 -> readFixed(b, pos, 4);
                    case 2 -> {
                        int len = (int) readVarint(b, pos);
                        if (len < 0 || pos[0] + len > b.length) {
                            throw new IllegalArgumentException("length " + len + " past the end at " + pos[0]);
                        }
                        byte[] v = java.util.Arrays.copyOfRange(b, pos[0], pos[0] + len);
                        pos[0] += len;
                        yield v;
                    }
                    default -> throw new IllegalArgumentException("wire type " + (tag & 7) + " at " + pos[0]);
                };
                fields.computeIfAbsent(number, k -> new ArrayList<>()).add(value);
            }
        }

        boolean has(int field) {
            return fields.containsKey(field);
        }

        List<Reader> messages(int field) {
            List<Reader> out = new ArrayList<>();
            fields.getOrDefault(field, List.of()).forEach(v -> out.add(new Reader((byte[]) v)));
            return out;
        }

        byte[] bytes(int field) {
            List<Object> v = fields.get(field);
            return v == null ? null : (byte[]) v.get(v.size() - 1);
        }

        String string(int field) {
            byte[] v = bytes(field);
            return v == null ? "" : new String(v, StandardCharsets.UTF_8);
        }

        long varint(int field) {
            List<Object> v = fields.get(field);
            return v == null ? 0 : (Long) v.get(v.size() - 1);
        }

        long fixed64(int field) {
            return varint(field);
        }

        private static long readVarint(byte[] b, int[] pos) {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos[0] >= b.length) {
                    throw new IllegalArgumentException("truncated varint");
                }
                byte x = b[pos[0]++];
                result |= (long) (x & 0x7f) << shift;
                if ((x & 0x80) == 0) {
                    return result;
                }
            }
            throw new IllegalArgumentException("varint longer than 10 bytes");
        }

        private static long readFixed(byte[] b, int[] pos, int n) {
            if (pos[0] + n > b.length) {
                throw new IllegalArgumentException("truncated fixed" + n * 8);
            }
            long result = 0;
            for (int i = 0; i < n; i++) {
                result |= (long) (b[pos[0]++] & 0xff) << (8 * i);
            }
            return result;
        }
    }

    private OtlpCapture() {
    }
}
