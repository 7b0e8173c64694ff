package dev.spine.contracts.internal;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The envelope's one timestamp format, {@code 2026-01-01T12:00:00.000Z} (what JavaScript's
 * {@code Date.toISOString()} emits). Parsed and printed by hand: {@code DateTimeFormatter} is several
 * times slower and accepts variants (no millis, offsets) that would not round-trip.
 */
public final class UtcMillis {
    private static final int LENGTH = 24;

    private UtcMillis() {}

    /** @return the instant, or {@code null} if {@code s} is not exactly {@code yyyy-MM-ddTHH:mm:ss.SSSZ} */
    public static Instant parse(String s) {
        return s == null ? null : parse(s.toCharArray(), 0, s.length());
    }

    /** The same from ASCII bytes (the decoder's canonical fast path). */
    public static Instant parse(byte[] b, int o, int length) {
        if (length != LENGTH) {
            return null;
        }
        char[] c = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            c[i] = (char) (b[o + i] & 0xff);
        }
        return parse(c, 0, LENGTH);
    }

    /** The same from a parser's character buffer, so decoding creates no String for the timestamp. */
    public static Instant parse(char[] c, int o, int length) {
        if (length != LENGTH || c[o + 4] != '-' || c[o + 7] != '-' || c[o + 10] != 'T'
                || c[o + 13] != ':' || c[o + 16] != ':' || c[o + 19] != '.' || c[o + 23] != 'Z') {
            return null;
        }
        int year = digits(c, o, 0, 4);
        int month = digits(c, o, 5, 7);
        int day = digits(c, o, 8, 10);
        int hour = digits(c, o, 11, 13);
        int minute = digits(c, o, 14, 16);
        int second = digits(c, o, 17, 19);
        int millis = digits(c, o, 20, 23);
        if ((year | month | day | hour | minute | second | millis) < 0) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, millis * 1_000_000)
                    .toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            return null; // e.g. month 13 or February 30: the caller reports INVALID_FIELD with the value
        }
    }

    /** Formats with exactly millisecond precision (sub-millisecond digits are dropped). */
    public static String format(Instant instant) {
        LocalDateTime t = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
        if (t.getYear() < 0 || t.getYear() > 9999) {
            throw new IllegalArgumentException("timestamp year out of range 0000-9999: " + instant);
        }
        char[] c = new char[LENGTH];
        put(c, 0, t.getYear(), 4);
        c[4] = '-';
        put(c, 5, t.getMonthValue(), 2);
        c[7] = '-';
        put(c, 8, t.getDayOfMonth(), 2);
        c[10] = 'T';
        put(c, 11, t.getHour(), 2);
        c[13] = ':';
        put(c, 14, t.getMinute(), 2);
        c[16] = ':';
        put(c, 17, t.getSecond(), 2);
        c[19] = '.';
        put(c, 20, t.getNano() / 1_000_000, 3);
        c[23] = 'Z';
        return new String(c);
    }

    private static int digits(char[] c, int o, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char ch = c[o + i];
            if (ch < '0' || ch > '9') {
                return -1;
            }
            v = v * 10 + (ch - '0');
        }
        return v;
    }

    private static void put(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
