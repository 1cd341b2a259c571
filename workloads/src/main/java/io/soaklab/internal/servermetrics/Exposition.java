package io.soaklab.internal.servermetrics;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a {@code /metrics} page, Prometheus text format 0.0.4 or OpenMetrics 1.0 text, into a
 * {@link Scrape}. One pass, by hand, no regular expressions: a page of 100 KB takes well under a
 * millisecond. A bad line never throws: it is skipped and counted, and the first one's number and
 * reason are kept.
 *
 * <p>A sample belongs to the family declared with its exact name if there is one (a Prometheus 0.0.4
 * counter is declared as {@code x_total}; Python's client declares {@code x_created} as a gauge of its
 * own); else to the family its name less one suffix names, if that family's type owns the suffix
 * ({@code _total}, {@code _created}, {@code _bucket}, {@code _sum}, {@code _count}, {@code _gsum},
 * {@code _gcount}, {@code _info}); else to an untyped family of its own name. Timestamps are integer
 * milliseconds in the Prometheus format and seconds (a float) in OpenMetrics; both come out in
 * milliseconds. Exemplars are checked and dropped.
 */
final class Exposition {

    private static final String[] SUFFIXES = {"_total", "_created", "_bucket", "_sum", "_count", "_gsum", "_gcount", "_info"};

    private Exposition() {
    }

    /** Parses {@code text}, as OpenMetrics if it ends in a {@code # EOF} line, else as Prometheus text. */
    static Scrape parse(String text) {
        return parse(text, endsInEof(text));
    }

    /** Parses a UTF-8 page. */
    static Scrape parse(byte[] utf8) {
        return parse(new String(utf8, StandardCharsets.UTF_8));
    }

    /** Parses {@code text}, reading timestamps as OpenMetrics seconds if {@code openMetrics}, else as milliseconds. */
    static Scrape parse(String text, boolean openMetrics) {
        return new Parser(text, openMetrics).run();
    }

    /** Whether the last line that is not blank is {@code # EOF}. */
    static boolean endsInEof(String text) {
        int end = text.length();
        while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        return end >= 5 && text.startsWith("# EOF", end - 5) && (end == 5 || text.charAt(end - 6) == '\n');
    }

    /** A family as it is being read. */
    private static final class Builder {
        final String name;
        MetricType type = MetricType.UNKNOWN;
        boolean typed;
        String help = "";
        String unit = "";
        final List<Sample> samples = new ArrayList<>();

        Builder(String name) {
            this.name = name;
        }

        /** Whether a sample named {@code sample} is this family's by a suffix its type owns. */
        boolean ownsBySuffix(String sample) {
            if (sample.length() <= name.length() || !sample.startsWith(name)) {
                return false;
            }
            return type.owns(sample.substring(name.length()));
        }
    }

    /** One page's parse; single use. Scanning methods return a position, or -1 with {@link #err} set. */
    private static final class Parser {
        private final String t;
        private final boolean om;
        private final Map<String, Builder> byName = new HashMap<>();
        private final List<Builder> order = new ArrayList<>();
        private Builder current;
        private int bad;
        private int firstBadLine;
        private String firstProblem = "";
        private boolean eof;
        private String err;
        private String quoted;
        private double number;

        Parser(String text, boolean openMetrics) {
            this.t = text;
            this.om = openMetrics;
        }

        Scrape run() {
            int n = t.length();
            int start = 0;
            int lineNo = 0;
            while (start < n) {
                int nl = t.indexOf('\n', start);
                int lineEnd = nl < 0 ? n : nl;
                int end = lineEnd > start && t.charAt(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
                lineNo++;
                err = null;
                line(start, end);
                if (err != null) {
                    if (bad++ == 0) {
                        firstBadLine = lineNo;
                        firstProblem = err;
                    }
                }
                start = lineEnd + 1;
            }
            List<Family> families = new ArrayList<>(order.size());
            for (Builder b : order) {
                families.add(new Family(b.name, b.type, b.help, b.unit, Collections.unmodifiableList(b.samples)));
            }
            return new Scrape(Collections.unmodifiableList(families), bad, firstBadLine, firstProblem, om);
        }

        private void line(int p, int e) {
            p = blanks(p, e);
            if (p == e) {
                return;
            }
            if (eof) {
                err = "a line after # EOF";
            } else if (t.charAt(p) == '#') {
                comment(p + 1, e);
            } else {
                sample(p, e);
            }
        }

        /** {@code # HELP}, {@code # TYPE}, {@code # UNIT}, {@code # EOF}; any other comment is ignored. */
        private void comment(int p, int e) {
            int k = blanks(p, e);
            if (k == p) {
                return; // "#text": a comment
            }
            int kEnd = token(k, e);
            String keyword = t.substring(k, kEnd);
            if (keyword.equals("EOF") && blanks(kEnd, e) == e) {
                eof = true;
                return;
            }
            if (!keyword.equals("HELP") && !keyword.equals("TYPE") && !keyword.equals("UNIT")) {
                return;
            }
            int nStart = blanks(kEnd, e);
            int nEnd = name(nStart, e);
            if (nEnd == nStart || (nEnd < e && !blank(t.charAt(nEnd)))) {
                err = "# " + keyword + " without a metric name";
                return;
            }
            Builder b = declare(t.substring(nStart, nEnd));
            int rest = nEnd < e ? nEnd + 1 : e; // the text starts after exactly one blank
            switch (keyword) {
                case "HELP" -> b.help = unescape(rest, e);
                case "UNIT" -> b.unit = t.substring(blanks(rest, e), e).strip();
                default -> {
                    int w = blanks(rest, e);
                    MetricType type = MetricType.parse(t.substring(w, token(w, e)));
                    if (type == null) {
                        err = "unknown type \"" + t.substring(w, token(w, e)) + "\" for " + b.name;
                    } else if (b.typed) {
                        err = "a second # TYPE for " + b.name;
                    } else {
                        b.type = type;
                        b.typed = true;
                    }
                }
            }
        }

        private void sample(int p, int e) {
            int nEnd = name(p, e);
            if (nEnd == p) {
                err = "no metric name";
                return;
            }
            if (nEnd < e && t.charAt(nEnd) != '{' && !blank(t.charAt(nEnd))) {
                err = "a bad character in the metric name";
                return;
            }
            String name = t.substring(p, nEnd);
            Map<String, String> labels = Map.of();
            p = nEnd;
            if (p < e && t.charAt(p) == '{') {
                LinkedHashMap<String, String> m = new LinkedHashMap<>(8);
                p = labels(p + 1, e, m);
                if (p < 0) {
                    return;
                }
                if (!m.isEmpty()) {
                    labels = Collections.unmodifiableMap(m);
                }
            }
            int v = blanks(p, e);
            if (v == e) {
                err = "no value";
                return;
            }
            int vEnd = token(v, e);
            if (!number(v, vEnd)) {
                err = "a bad value \"" + t.substring(v, vEnd) + "\"";
                return;
            }
            double value = number;
            long ts = Sample.NO_TIMESTAMP;
            int q = blanks(vEnd, e);
            if (q < e && t.charAt(q) != '#') {
                int qEnd = token(q, e);
                ts = timestamp(q, qEnd);
                if (err != null) {
                    return;
                }
                q = blanks(qEnd, e);
            }
            if (q < e) {
                if (t.charAt(q) != '#') {
                    err = "text after the timestamp";
                    return;
                }
                if (!exemplar(q + 1, e)) {
                    return;
                }
            }
            Builder b = familyOf(name);
            b.samples.add(new Sample(name, b.name, labels, value, ts));
        }

        /** An OpenMetrics exemplar after the {@code #}: a label set, a value, perhaps a timestamp. */
        private boolean exemplar(int p, int e) {
            p = blanks(p, e);
            if (p == e || t.charAt(p) != '{') {
                err = "a bad exemplar";
                return false;
            }
            p = labels(p + 1, e, new LinkedHashMap<>(4));
            if (p < 0) {
                err = "a bad exemplar: " + err;
                return false;
            }
            int v = blanks(p, e);
            int vEnd = token(v, e);
            if (v == e || !number(v, vEnd)) {
                err = "an exemplar without a value";
                return false;
            }
            int q = blanks(vEnd, e);
            if (q < e) {
                int qEnd = token(q, e);
                if (!number(q, qEnd) || blanks(qEnd, e) != e) {
                    err = "a bad exemplar timestamp";
                    return false;
                }
            }
            return true;
        }

        /** A label set after its {@code {}; the position after its {@code }}. */
        private int labels(int p, int e, Map<String, String> into) {
            while (true) {
                p = blanks(p, e);
                if (p == e) {
                    err = "an unterminated label set";
                    return -1;
                }
                if (t.charAt(p) == '}') {
                    return p + 1;
                }
                int nEnd = labelName(p, e);
                if (nEnd == p) {
                    err = "a bad label name";
                    return -1;
                }
                String label = t.substring(p, nEnd);
                p = blanks(nEnd, e);
                if (p == e || t.charAt(p) != '=') {
                    err = "no = after label " + label;
                    return -1;
                }
                p = blanks(p + 1, e);
                if (p == e || t.charAt(p) != '"') {
                    err = "label " + label + "'s value is not quoted";
                    return -1;
                }
                p = quoted(p + 1, e);
                if (p < 0) {
                    return -1;
                }
                if (into.put(label, quoted) != null) {
                    err = "label " + label + " twice";
                    return -1;
                }
                p = blanks(p, e);
                if (p < e && t.charAt(p) == ',') {
                    p++;
                } else if (p == e || t.charAt(p) != '}') {
                    err = "no , or } after label " + label;
                    return -1;
                }
            }
        }

        /** A quoted label value after its opening quote, into {@link #quoted}; the position after its closing quote. */
        private int quoted(int p, int e) {
            int i = p;
            while (i < e) {
                char c = t.charAt(i);
                if (c == '"') {
                    quoted = t.substring(p, i);
                    return i + 1;
                }
                if (c == '\\') {
                    break;
                }
                i++;
            }
            StringBuilder sb = new StringBuilder(i - p + 16).append(t, p, i);
            while (i < e) {
                char c = t.charAt(i++);
                if (c == '"') {
                    quoted = sb.toString();
                    return i;
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char x = i < e ? t.charAt(i++) : ' ';
                switch (x) {
                    case '\\' -> sb.append('\\');
                    case '"' -> sb.append('"');
                    case 'n' -> sb.append('\n');
                    default -> {
                        err = "a bad escape in a label value";
                        return -1;
                    }
                }
            }
            err = "an unterminated label value";
            return -1;
        }

        /** A HELP text: {@code \\}, {@code \n} and {@code \"} unescaped, anything else kept as written. */
        private String unescape(int p, int e) {
            int b = t.indexOf('\\', p);
            if (b < 0 || b >= e) {
                return t.substring(p, e);
            }
            StringBuilder sb = new StringBuilder(e - p);
            for (int i = p; i < e; i++) {
                char c = t.charAt(i);
                if (c == '\\' && i + 1 < e) {
                    char x = t.charAt(i + 1);
                    if (x == '\\' || x == '"' || x == 'n') {
                        sb.append(x == 'n' ? '\n' : x);
                        i++;
                        continue;
                    }
                }
                sb.append(c);
            }
            return sb.toString();
        }

        /** A value into {@link #number}: a float, or {@code +Inf}, {@code -Inf}, {@code Inf}, {@code NaN}. */
        private boolean number(int p, int e) {
            if (p == e) {
                return false;
            }
            for (int i = p; i < e; i++) {
                char c = t.charAt(i);
                if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
                    return special(p, e);
                }
            }
            try {
                number = Double.parseDouble(t.substring(p, e));
                return true;
            } catch (NumberFormatException notANumber) {
                return false;
            }
        }

        private boolean special(int p, int e) {
            int s = p;
            char sign = t.charAt(p);
            if (sign == '+' || sign == '-') {
                s++;
            }
            if (t.regionMatches(true, s, "Inf", 0, 3) && (e - s == 3 || (e - s == 8 && t.regionMatches(true, s, "Infinity", 0, 8)))) {
                number = sign == '-' ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                return true;
            }
            if (s == p && e - p == 3 && t.regionMatches(true, p, "NaN", 0, 3)) {
                number = Double.NaN;
                return true;
            }
            return false;
        }

        /** A timestamp in milliseconds: integer milliseconds (Prometheus) or float seconds (OpenMetrics). */
        private long timestamp(int p, int e) {
            if (!number(p, e) || !Double.isFinite(number)) {
                err = "a bad timestamp \"" + t.substring(p, e) + "\"";
                return Sample.NO_TIMESTAMP;
            }
            if (om) {
                return Math.round(number * 1000.0);
            }
            try {
                return Long.parseLong(t, p, e, 10);
            } catch (NumberFormatException notAnInteger) {
                err = "a timestamp that is not integer milliseconds \"" + t.substring(p, e) + "\"";
                return Sample.NO_TIMESTAMP;
            }
        }

        /** The family a sample named {@code name} belongs to: by exact name, by a suffix its type owns, or a new untyped one. */
        private Builder familyOf(String name) {
            Builder b = byName.get(name);
            if (b != null) {
                return current = b;
            }
            if (current != null && current.ownsBySuffix(name)) {
                return current;
            }
            for (String suffix : SUFFIXES) {
                if (name.endsWith(suffix)) {
                    Builder base = byName.get(name.substring(0, name.length() - suffix.length()));
                    if (base != null && base.type.owns(suffix)) {
                        return current = base;
                    }
                }
            }
            return current = declare(name);
        }

        private Builder declare(String name) {
            Builder b = byName.get(name);
            if (b == null) {
                b = new Builder(name);
                byName.put(name, b);
                order.add(b);
            }
            return current = b;
        }

        private int name(int p, int e) {
            int i = p;
            while (i < e) {
                char c = t.charAt(i);
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (i > p && c >= '0' && c <= '9')) {
                    i++;
                } else {
                    break;
                }
            }
            return i;
        }

        private int labelName(int p, int e) {
            int i = p;
            while (i < e) {
                char c = t.charAt(i);
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > p && c >= '0' && c <= '9')) {
                    i++;
                } else {
                    break;
                }
            }
            return i;
        }

        private int token(int p, int e) {
            while (p < e && !blank(t.charAt(p))) {
                p++;
            }
            return p;
        }

        private int blanks(int p, int e) {
            while (p < e && blank(t.charAt(p))) {
                p++;
            }
            return p;
        }

        private static boolean blank(char c) {
            return c == ' ' || c == '\t';
        }
    }
}
