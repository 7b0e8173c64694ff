package dev.spine.jobs.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Bulk insert with COPY (text format): for large keyless batches it is several times faster than any
 * INSERT, since PostgreSQL parses no statement per row. Runs on the caller's connection and transaction.
 */
final class JobCopy {
    private static final int FLUSH_BYTES = 1 << 16;

    private JobCopy() {}

    static void copy(Connection c, String copySql, List<NewJob> jobs, Instant now) throws SQLException {
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(FLUSH_BYTES + 4096);
            StringBuilder line = new StringBuilder(256);
            String created = now.toString();
            for (NewJob j : jobs) {
                line.setLength(0);
                line.append(j.id()).append('\t');
                field(line, j.queue());
                field(line, j.type());
                line.append(j.priority()).append('\t');
                line.append(j.runAt()).append('\t');
                line.append(j.maxAttempts()).append('\t');
                line.append(j.backoffMillis()).append('\t');
                line.append(j.backoffMaxMillis()).append('\t');
                line.append(j.timeoutMillis()).append('\t');
                field(line, j.payloadJson());
                field(line, j.idempotencyKey());
                field(line, j.correlationId());
                field(line, j.traceparent());
                field(line, j.tracestate());
                line.append(created).append('\n');
                byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
                buf.write(bytes, 0, bytes.length);
                if (buf.size() >= FLUSH_BYTES) {
                    in.writeToCopy(buf.toByteArray(), 0, buf.size());
                    buf.reset();
                }
            }
            if (buf.size() > 0) {
                in.writeToCopy(buf.toByteArray(), 0, buf.size());
            }
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    /** Appends a text value escaped for COPY's text format, then a tab. */
    private static void field(StringBuilder line, String value) {
        if (value == null) {
            line.append("\\N\t");
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '\\' -> line.append("\\\\");
                case '\t' -> line.append("\\t");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                default -> line.append(ch);
            }
        }
        line.append('\t');
    }
}
