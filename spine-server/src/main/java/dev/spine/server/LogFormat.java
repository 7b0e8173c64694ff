package dev.spine.server;

import dev.spine.contracts.ConfigException;
import dev.spine.contracts.SettingsReader;
import dev.spine.contracts.VariableTable;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * How the spine process writes its log ({@code SPINE_LOG_FORMAT}): {@link #TEXT}, one readable line per
 * event, or {@link #JSON}, one JSON object per line (Logback's {@code JsonEncoder}, the MDC keys
 * {@code correlationId}, {@code eventId}/{@code jobId} and {@code traceId} under {@code "mdc"}) for a log
 * collector. The choice is made by {@code logback.xml} from the system property {@value #PROPERTY}, which
 * {@link #apply} sets after checking the variable, so a bad value stops the process naming the variable
 * instead of Logback quietly logging nothing.
 */
public enum LogFormat {
    TEXT, JSON;

    public static final String VARIABLE = "SPINE_LOG_FORMAT";
    /** What logback.xml reads (it falls back to the variable itself, then to text). */
    public static final String PROPERTY = "spine.log.format";
    public static final Map<String, String[]> VARIABLES = new VariableTable()
            .add(VARIABLE, "text", "log format: text, or json (one object per line, with the MDC: correlationId, "
                    + "jobId, traceId)")
            .build();

    /** The format {@code env} asks for; anything but text or json fails naming {@value #VARIABLE}. */
    public static LogFormat from(Function<String, String> env) {
        String v = new SettingsReader(env, VARIABLES).text(VARIABLE);
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new ConfigException(VARIABLE, "must be text or json, was '" + v + "'");
        };
    }

    /**
     * Checks {@code SPINE_LOG_FORMAT} and hands the choice to logback.xml. Call it before anything logs: Logback
     * reads its configuration on the first logger asked for.
     */
    public static LogFormat apply() {
        LogFormat format = from(System.getenv()::get);
        System.setProperty(PROPERTY, format.name().toLowerCase(Locale.ROOT));
        return format;
    }
}
