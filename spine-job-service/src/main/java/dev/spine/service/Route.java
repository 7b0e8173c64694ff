package dev.spine.service;

import dev.spine.jobs.Backoff;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One line of the routing table: events whose type matches one of {@code patterns} each become one job of
 * {@code jobType} on {@code queue}, with the given priority and retry policy. {@code line} is where the
 * route stands in its file, for error messages.
 */
public record Route(List<String> patterns, String jobType, String queue, int priority, int maxAttempts,
        Duration timeout, Backoff backoff, int line) {

    /** Whether {@code eventType} matches; job-domain events only match patterns that name that domain. */
    public boolean matches(String eventType) {
        for (String p : patterns) {
            if (matches(p, eventType)) {
                return true;
            }
        }
        return false;
    }

    static boolean matches(String pattern, String eventType) {
        int dot = eventType.indexOf('.');
        int pdot = pattern.indexOf('.');
        if (dot < 0 || pdot < 0) {
            return false;
        }
        String domain = eventType.substring(0, dot);
        String pdomain = pattern.substring(0, pdot);
        if (domain.equals(RoutingTable.JOB_DOMAIN) && !pdomain.equals(RoutingTable.JOB_DOMAIN)) {
            return false;
        }
        return glob(pdomain, domain) && glob(pattern.substring(pdot + 1), eventType.substring(dot + 1));
    }

    private static boolean glob(String pattern, String token) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.indexOf('*') < 0) {
            return pattern.equals(token);
        }
        return Pattern.matches(Pattern.quote(pattern).replace("*", "\\E[A-Za-z0-9_]*\\Q"), token);
    }
}
