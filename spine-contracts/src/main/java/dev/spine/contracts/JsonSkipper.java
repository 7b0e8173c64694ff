package dev.spine.contracts;

/**
 * Finds the end of a JSON value while checking it, for the decoder's fast path. It accepts a strict
 * subset of what Jackson accepts (RFC 8259 JSON, ASCII only, bounded depth and number length) and
 * declines everything else with -1, so the general reader, not this class, decides about any input
 * outside that subset. Soundness over reach: a decline only costs the slower path.
 */
final class JsonSkipper {
    /** Deeper documents are declined (Jackson's own limit is higher, so nothing it accepts is lost). */
    static final int MAX_DEPTH = 200;
    private static final int MAX_NUMBER_LENGTH = 100;

    private JsonSkipper() {}

    /** The index just after the value starting at {@code p} (no leading whitespace), or -1. */
    static int skipValue(byte[] b, int p, int end) {
        return value(b, p, end, 0);
    }

    private static int value(byte[] b, int p, int end, int depth) {
        if (p < 0 || p >= end || depth > MAX_DEPTH) {
            return -1;
        }
        return switch (b[p]) {
            case '{' -> object(b, p + 1, end, depth + 1);
            case '[' -> array(b, p + 1, end, depth + 1);
            case '"' -> string(b, p, end);
            case 't' -> literal(b, p, end, "true");
            case 'f' -> literal(b, p, end, "false");
            case 'n' -> literal(b, p, end, "null");
            default -> number(b, p, end);
        };
    }

    private static int object(byte[] b, int p, int end, int depth) {
        p = ws(b, p, end);
        if (p < end && b[p] == '}') {
            return p + 1;
        }
        while (true) {
            if (p >= end || b[p] != '"') {
                return -1;
            }
            p = ws(b, string(b, p, end), end);
            if (p < 0 || p >= end || b[p] != ':') {
                return -1;
            }
            p = ws(b, value(b, ws(b, p + 1, end), end, depth), end);
            if (p < 0 || p >= end) {
                return -1;
            }
            if (b[p] == '}') {
                return p + 1;
            }
            if (b[p] != ',') {
                return -1;
            }
            p = ws(b, p + 1, end);
        }
    }

    private static int array(byte[] b, int p, int end, int depth) {
        p = ws(b, p, end);
        if (p < end && b[p] == ']') {
            return p + 1;
        }
        while (true) {
            p = ws(b, value(b, p, end, depth), end);
            if (p < 0 || p >= end) {
                return -1;
            }
            if (b[p] == ']') {
                return p + 1;
            }
            if (b[p] != ',') {
                return -1;
            }
            p = ws(b, p + 1, end);
        }
    }

    /** A string of printable ASCII with valid escapes; {@code p} is at the opening quote. */
    private static int string(byte[] b, int p, int end) {
        if (p < 0) {
            return -1;
        }
        for (int i = p + 1; i < end; i++) {
            byte c = b[i];
            if (c == '"') {
                return i + 1;
            }
            if (c < 0x20 || c > 0x7e) {
                return -1; // control characters are invalid; non-ASCII is left to the general reader
            }
            if (c == '\\') {
                if (++i >= end) {
                    return -1;
                }
                byte e = b[i];
                if (e == 'u') {
                    if (i + 4 >= end || !hex(b[i + 1]) || !hex(b[i + 2]) || !hex(b[i + 3]) || !hex(b[i + 4])) {
                        return -1;
                    }
                    i += 4;
                } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r'
                        && e != 't') {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?} */
    private static int number(byte[] b, int p, int end) {
        int i = p;
        if (i < end && b[i] == '-') {
            i++;
        }
        if (i >= end || !digit(b[i])) {
            return -1;
        }
        if (b[i] == '0') {
            i++;
        } else {
            while (i < end && digit(b[i])) {
                i++;
            }
        }
        if (i < end && b[i] == '.') {
            int first = ++i;
            while (i < end && digit(b[i])) {
                i++;
            }
            if (i == first) {
                return -1;
            }
        }
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < end && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            int first = i;
            while (i < end && digit(b[i])) {
                i++;
            }
            if (i == first) {
                return -1;
            }
        }
        return i - p > MAX_NUMBER_LENGTH ? -1 : i;
    }

    private static int literal(byte[] b, int p, int end, String word) {
        if (p + word.length() > end) {
            return -1;
        }
        for (int i = 0; i < word.length(); i++) {
            if (b[p + i] != word.charAt(i)) {
                return -1;
            }
        }
        return p + word.length();
    }

    private static int ws(byte[] b, int p, int end) {
        if (p < 0) {
            return -1;
        }
        while (p < end && (b[p] == ' ' || b[p] == '\n' || b[p] == '\r' || b[p] == '\t')) {
            p++;
        }
        return p;
    }

    private static boolean digit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static boolean hex(byte c) {
        return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
