package dev.spine.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.spine.contracts.InvalidEventException.Code;
import dev.spine.contracts.InvalidEventException.Violation;
import dev.spine.contracts.internal.FieldRules;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * JSON Schemas (draft 2020-12) for the {@code data} of event types, one per type and version. Immutable
 * and thread-safe; build once at start and share.
 *
 * <p>Rules of {@link #validate}: an event whose type has no schema at all passes untouched (the check
 * is one map lookup, so unschematised types cost nothing on the publish path); an event whose type has
 * schemas but none for its version is refused on field {@code eventVersion}; otherwise {@code data} must
 * satisfy the schema, formats included ({@code "format": "email"} is asserted, not just annotated).
 * Every violation is reported with code {@link Code#SCHEMA_VALIDATION_ERROR} and a path under
 * {@code data}, e.g. {@code data.email: must be a valid email address}.
 *
 * <p>Schema files: {@link #fromClasspath()} reads every {@value #INDEX} resource on the class path
 * (each jar may bring one; spine-contracts ships the platform's), a list of lines
 * {@code <eventType> <version> <resource path>}; blank lines and {@code #} comments are ignored. Indexes
 * at the former location {@value #LEGACY_INDEX} are read too, but only on the class path.
 */
public final class EventSchemas {
    /**
     * The index resource {@link #fromClasspath()} reads (every copy on the class path). Under
     * {@code META-INF} because a resource there is never encapsulated: in a jar on the module path, a
     * resource whose directory is a legal package name ({@code spine/schemas}) is hidden from every
     * class loader lookup unless its module opens that package, and a module cannot open a package
     * without classes. The schema files an index lists belong under {@code META-INF} for the same reason.
     */
    public static final String INDEX = "META-INF/spine/schemas/index";

    /** Where indexes lived before {@link #INDEX}; still read, so service jars built earlier keep working on the class path. */
    public static final String LEGACY_INDEX = "spine/schemas/index";

    private static final EventSchemas NONE = new EventSchemas(Map.of());
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** eventType → version → schema. */
    private final Map<String, Map<String, JsonSchema>> schemas;

    private EventSchemas(Map<String, Map<String, JsonSchema>> schemas) {
        this.schemas = schemas;
    }

    /** No schemas: {@link #validate} accepts every event. */
    public static EventSchemas none() {
        return NONE;
    }

    /**
     * The schemas listed by every {@value #INDEX} on this class's class loader, read and compiled once
     * per process (every spine, outbox and bus built with the defaults shares them).
     */
    public static EventSchemas fromClasspath() {
        EventSchemas s = classpathDefault;
        if (s == null) {
            synchronized (EventSchemas.class) {
                s = classpathDefault;
                if (s == null) {
                    // a bad index fails here with its own message, and the next call tries again
                    s = fromClasspath(EventSchemas.class.getClassLoader());
                    classpathDefault = s;
                }
            }
        }
        return s;
    }

    private static volatile EventSchemas classpathDefault;

    /**
     * The schemas listed by every {@value #INDEX} visible to {@code loader}.
     *
     * @throws IllegalArgumentException naming the index line when a listed file is missing or not a schema
     */
    public static EventSchemas fromClasspath(ClassLoader loader) {
        Builder b = builder();
        try {
            List<URL> indexes = new ArrayList<>(Collections.list(loader.getResources(INDEX)));
            indexes.addAll(Collections.list(loader.getResources(LEGACY_INDEX)));
            for (URL index : indexes) {
                try (InputStream in = index.openStream();
                     BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String line;
                    int n = 0;
                    while ((line = r.readLine()) != null) {
                        n++;
                        String t = line.strip();
                        if (t.isEmpty() || t.startsWith("#")) {
                            continue;
                        }
                        String[] parts = t.split("\\s+");
                        String where = index + " line " + n;
                        if (parts.length != 3) {
                            throw new IllegalArgumentException(where + ": expected '<eventType> <version> <resource>', got '" + t + "'");
                        }
                        b.add(parts[0], parts[1], read(loader, parts[2], where));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + INDEX, e);
        }
        return b.build();
    }

    private static String read(ClassLoader loader, String resource, String where) throws IOException {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException(where + ": schema resource " + resource + " not found");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True if no schema is registered (then {@link #validate} is a no-op). */
    public boolean isEmpty() {
        return schemas.isEmpty();
    }

    /** True if {@code eventType} at {@code version} has a schema. */
    public boolean has(String eventType, String version) {
        Map<String, JsonSchema> versions = schemas.get(eventType);
        return versions != null && versions.containsKey(version);
    }

    /** The event types that have schemas, each with its versions. */
    public Map<String, Set<String>> registered() {
        Map<String, Set<String>> out = new TreeMap<>();
        schemas.forEach((type, versions) -> out.put(type, Collections.unmodifiableSet(versions.keySet())));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Checks {@code event.data()} against its type's schema (see the class comment).
     *
     * @throws InvalidEventException {@link Code#SCHEMA_VALIDATION_ERROR} listing every violation
     */
    public void validate(EventEnvelope event) {
        if (schemas.isEmpty()) {
            return;
        }
        Map<String, JsonSchema> versions = schemas.get(event.eventType());
        if (versions == null) {
            return;
        }
        JsonSchema schema = versions.get(event.eventVersion());
        if (schema == null) {
            throw new InvalidEventException(Code.SCHEMA_VALIDATION_ERROR, "eventVersion", "no schema for "
                    + event.eventType() + " version " + event.eventVersion() + " (known: "
                    + String.join(", ", new TreeMap<>(versions).keySet()) + ")");
        }
        Set<ValidationMessage> errors = schema.validate(event.data());
        if (!errors.isEmpty()) {
            List<Violation> violations = new ArrayList<>(errors.size());
            for (ValidationMessage m : errors) {
                violations.add(SchemaMessages.violation(m));
            }
            throw new InvalidEventException(Code.SCHEMA_VALIDATION_ERROR, violations);
        }
    }

    /** Collects schemas; {@link #build()} compiles them. */
    public static final class Builder {
        private final Map<String, Map<String, String>> sources = new HashMap<>();

        private Builder() {}

        /**
         * Adds the schema (JSON text) of {@code eventType} at {@code version}.
         *
         * @throws IllegalArgumentException naming the bad argument (type, version, duplicate, not JSON)
         */
        public Builder add(String eventType, String version, String schemaJson) {
            if (FieldRules.eventTypeDot(eventType) < 0) {
                throw new IllegalArgumentException("eventType must be domain.NounVerb, got " + eventType);
            }
            if (!FieldRules.isEventVersion(version)) {
                throw new IllegalArgumentException("version must be <major>.<minor>, got " + version);
            }
            if (sources.computeIfAbsent(eventType, k -> new HashMap<>()).putIfAbsent(version, schemaJson) != null) {
                throw new IllegalArgumentException("schema for " + eventType + " " + version + " given twice");
            }
            return this;
        }

        public EventSchemas build() {
            if (sources.isEmpty()) {
                return NONE;
            }
            JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
            Map<String, Map<String, JsonSchema>> compiled = new HashMap<>();
            sources.forEach((type, versions) -> versions.forEach((version, text) -> {
                JsonNode node;
                try {
                    node = MAPPER.readTree(text);
                } catch (IOException e) {
                    throw new IllegalArgumentException("schema for " + type + " " + version + " is not JSON: "
                            + e.getMessage(), e);
                }
                if (node == null || !node.isObject()) {
                    throw new IllegalArgumentException("schema for " + type + " " + version + " must be a JSON object");
                }
                JsonSchema schema = factory.getSchema(node, config);
                schema.initializeValidators(); // compile now: a broken schema fails at start, not on first publish
                compiled.computeIfAbsent(type, k -> new HashMap<>()).put(version, schema);
            }));
            compiled.replaceAll((k, v) -> Map.copyOf(v));
            return new EventSchemas(Map.copyOf(compiled));
        }
    }
}
