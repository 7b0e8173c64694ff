package dev.spine.contracts;

import dev.spine.contracts.internal.FieldRules;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The set of event domains a deployment accepts. Immutable: {@link #with(String...)} returns a new
 * registry, so no global state changes behind a running publisher. Publishing an event whose domain
 * is not registered fails before anything is sent, and the stream topology captures exactly one
 * subject pattern per registered domain.
 */
public final class Domains {
    /** The platform's domains, in the order the topology lists them. */
    public static final List<String> DEFAULT_DOMAINS =
            List.of("connector", "communication", "data", "rule", "job", "ai", "system");

    private static final Domains DEFAULTS = new Domains(new LinkedHashSet<>(DEFAULT_DOMAINS));

    private final Set<String> names;

    private Domains(LinkedHashSet<String> names) {
        this.names = Collections.unmodifiableSet(names);
    }

    /** The platform defaults: connector, communication, data, rule, job, ai, system. */
    public static Domains defaults() {
        return DEFAULTS;
    }

    /** Exactly the given domains (no defaults). */
    public static Domains of(String... domains) {
        return new Domains(new LinkedHashSet<>()).with(domains);
    }

    /**
     * A registry with these domains added.
     *
     * @throws InvalidEventException {@code INVALID_DOMAIN} if a name is not {@code [a-z][a-z0-9]*}
     */
    public Domains with(String... domains) {
        LinkedHashSet<String> copy = new LinkedHashSet<>(names);
        for (String d : domains) {
            if (!FieldRules.isDomain(d)) {
                throw new InvalidEventException(InvalidEventException.Code.INVALID_DOMAIN, "domain",
                        "a domain is lower-case letters and digits starting with a letter, got " + d);
            }
            copy.add(d);
        }
        return new Domains(copy);
    }

    /** The registered domain names, in registration order. */
    public Set<String> names() {
        return names;
    }

    public boolean contains(String domain) {
        return names.contains(domain);
    }

    /**
     * Checks that {@code eventType} is well formed and its domain registered.
     *
     * @throws InvalidEventException {@code INVALID_EVENT_TYPE} or {@code UNKNOWN_DOMAIN}, field {@code eventType}
     */
    public void require(String eventType) {
        int dot = FieldRules.eventTypeDot(eventType);
        if (dot < 0) {
            throw new InvalidEventException(InvalidEventException.Code.INVALID_EVENT_TYPE, "eventType",
                    "event type must be domain.NounVerb, got " + eventType);
        }
        // regionMatches over the set avoids a substring per publish on the hot path
        for (String d : names) {
            if (d.length() == dot && eventType.regionMatches(0, d, 0, dot)) {
                return;
            }
        }
        throw new InvalidEventException(InvalidEventException.Code.UNKNOWN_DOMAIN, "eventType",
                "domain '" + eventType.substring(0, dot) + "' is not registered (known: " + names + ")");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Domains other && other.names.equals(names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }

    @Override
    public String toString() {
        return "Domains" + names;
    }
}
