package dev.spine.contracts.internal;

import java.util.UUID;

/**
 * Hand-written checks for envelope fields. They run on every decode and publish, so they avoid
 * regular expressions and allocation.
 */
public final class FieldRules {
    private static final int UUID_LENGTH = 36;
    private static final int TRACEPARENT_LENGTH = 55;

    private FieldRules() {}

    /** {@code [a-z][a-z0-9]*} */
    public static boolean isDomain(String s) {
        return s != null && isDomain(s, 0, s.length());
    }

    private static boolean isDomain(String s, int from, int to) {
        if (to <= from || !isLower(s.charAt(from))) {
            return false;
        }
        for (int i = from + 1; i < to; i++) {
            char c = s.charAt(i);
            if (!isLower(c) && !isDigit(c)) {
                return false;
            }
        }
        return true;
    }

    /** {@code [A-Z][A-Za-z0-9]*} */
    public static boolean isPascalName(String s) {
        return s != null && isPascalName(s, 0, s.length());
    }

    private static boolean isPascalName(String s, int from, int to) {
        if (to <= from || !isUpper(s.charAt(from))) {
            return false;
        }
        for (int i = from + 1; i < to; i++) {
            char c = s.charAt(i);
            if (!isLower(c) && !isUpper(c) && !isDigit(c)) {
                return false;
            }
        }
        return true;
    }

    /** The index of the dot in a valid {@code domain.NounVerb}, or -1 if the type is malformed. */
    public static int eventTypeDot(String s) {
        if (s == null) {
            return -1;
        }
        int dot = s.indexOf('.');
        if (dot < 0 || !isDomain(s, 0, dot) || !isPascalName(s, dot + 1, s.length())) {
            return -1;
        }
        return dot;
    }

    /** {@code <major>.<minor>}, digits only, e.g. {@code 1.0}. */
    public static boolean isEventVersion(String s) {
        if (s == null) {
            return false;
        }
        int dot = s.indexOf('.');
        return dot > 0 && dot < s.length() - 1 && allDigits(s, 0, dot) && allDigits(s, dot + 1, s.length());
    }

    /** W3C traceparent: {@code 2hex-32hex-16hex-2hex}, version {@code ff} forbidden. */
    public static boolean isTraceparent(String s) {
        if (s == null || s.length() != TRACEPARENT_LENGTH || s.charAt(2) != '-' || s.charAt(35) != '-'
                || s.charAt(52) != '-' || s.startsWith("ff")) {
            return false;
        }
        return allLowerHex(s, 0, 2) && allLowerHex(s, 3, 35) && allLowerHex(s, 36, 52) && allLowerHex(s, 53, 55);
    }

    /**
     * Parses the canonical 8-4-4-4-12 hex form only ({@link UUID#fromString} alone also accepts
     * shortened groups such as {@code 1-1-1-1-1}).
     *
     * @return the UUID, or {@code null} if {@code s} is not canonical
     */
    public static UUID parseUuid(String s) {
        if (s == null || s.length() != UUID_LENGTH) {
            return null;
        }
        for (int i = 0; i < UUID_LENGTH; i++) {
            char c = s.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !isHex(c)) {
                return null;
            }
        }
        return UUID.fromString(s);
    }

    /**
     * Like {@link #parseUuid(String)} but straight from a parser's character buffer, without creating
     * a String or parsing twice (ids are parsed on every decode).
     */
    public static UUID parseUuid(char[] c, int offset, int length) {
        if (length != UUID_LENGTH) {
            return null;
        }
        long msb = 0;
        long lsb = 0;
        int digits = 0;
        for (int i = 0; i < UUID_LENGTH; i++) {
            char ch = c[offset + i];
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (ch != '-') {
                    return null;
                }
                continue;
            }
            int v = hexValue(ch);
            if (v < 0) {
                return null;
            }
            if (digits < 16) {
                msb = (msb << 4) | v;
            } else {
                lsb = (lsb << 4) | v;
            }
            digits++;
        }
        return new UUID(msb, lsb);
    }

    /** The same from ASCII bytes (the decoder's canonical fast path). */
    public static UUID parseUuid(byte[] b, int offset, int length) {
        if (length != UUID_LENGTH) {
            return null;
        }
        long msb = 0;
        long lsb = 0;
        int digits = 0;
        for (int i = 0; i < UUID_LENGTH; i++) {
            char ch = (char) (b[offset + i] & 0xff);
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                if (ch != '-') {
                    return null;
                }
                continue;
            }
            int v = hexValue(ch);
            if (v < 0) {
                return null;
            }
            if (digits < 16) {
                msb = (msb << 4) | v;
            } else {
                lsb = (lsb << 4) | v;
            }
            digits++;
        }
        return new UUID(msb, lsb);
    }

    /** The value of a hex digit, -1 for anything else; a table because ids are parsed on every decode. */
    private static int hexValue(char c) {
        return c < HEX_VALUE.length ? HEX_VALUE[c] : -1;
    }

    private static final byte[] HEX_VALUE = new byte[128];

    static {
        java.util.Arrays.fill(HEX_VALUE, (byte) -1);
        for (int c = '0'; c <= '9'; c++) {
            HEX_VALUE[c] = (byte) (c - '0');
        }
        for (int c = 'a'; c <= 'f'; c++) {
            HEX_VALUE[c] = (byte) (c - 'a' + 10);
            HEX_VALUE[c - 'a' + 'A'] = (byte) (c - 'a' + 10);
        }
    }

    private static boolean allDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean allLowerHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!isDigit(c) && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHex(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isLower(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
