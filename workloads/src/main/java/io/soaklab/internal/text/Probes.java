package io.soaklab.internal.text;

import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The long-context probe's language, shared by the scenario that plants facts and asks for them
 * and by the embedded endpoint that recognises the question: one place for the phrasing.
 *
 * <pre>{@code
 * String fact = Probes.fact("orchid-4821", "K7Q2-M9XA");   // planted somewhere in a long context
 * String ask = Probes.question("orchid-4821");              // asked at the end
 * double score = Probes.similarity("K7Q2-M9XA", Probes.answerIn(reply));
 * }</pre>
 */
public final class Probes {

    private static final Pattern FACT = Pattern.compile("The secret code for ([a-z]+-\\d{4}) is ([A-Z0-9]{4}-[A-Z0-9]{4})\\.");
    private static final Pattern QUESTION = Pattern.compile("What is the secret code for ([a-z]+-\\d{4})\\?");
    private static final Pattern CODE = Pattern.compile("[A-Z0-9]{4}-[A-Z0-9]{4}");
    private static final String FACT_MARK = "The secret code for ";
    private static final String QUESTION_MARK = "What is the secret code for ";
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private static final String[] NOUNS = {"orchid", "falcon", "harbor", "quartz", "meadow", "lantern", "glacier", "cobalt",
        "willow", "ember", "summit", "delta", "canyon", "pylon", "saffron", "tundra"};

    private Probes() {
    }

    public static String fact(String key, String value) {
        return FACT_MARK + key + " is " + value + ".";
    }

    public static String question(String key) {
        return QUESTION_MARK + key + "? Answer with the code only.";
    }

    /** How a model answers a probe, correctly or not. */
    public static String answer(String value) {
        return "The secret code is " + value + ".";
    }

    public static String randomKey(SplittableRandom random) {
        return NOUNS[random.nextInt(NOUNS.length)] + "-" + (1000 + random.nextInt(9000));
    }

    public static String randomValue(SplittableRandom random) {
        StringBuilder code = new StringBuilder(9);
        for (int i = 0; i < 9; i++) {
            code.append(i == 4 ? '-' : ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return code.toString();
    }

    /** True when {@code text} may hold facts: a cheap test before {@link #facts}. */
    public static boolean mayHoldFacts(String text) {
        return text.contains(FACT_MARK);
    }

    /** The facts in {@code text}, as a matcher to iterate ({@code group(1)} key, {@code group(2)} value). */
    public static Matcher facts(String text) {
        return FACT.matcher(text);
    }

    /** The key a question asks about, or {@code null} when {@code text} asks none. */
    public static String asked(String text) {
        if (!text.contains(QUESTION_MARK)) {
            return null;
        }
        Matcher m = QUESTION.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    /** The code a reply gives, or the whole reply when it gives none. */
    public static String answerIn(String reply) {
        Matcher m = CODE.matcher(reply);
        return m.find() ? m.group() : reply.strip();
    }

    /** 1 − edit distance / longer length: 1 for an exact match, near 0 for nothing alike. */
    public static double similarity(String expected, String actual) {
        int n = expected.length();
        int m = actual.length();
        if (n == 0 && m == 0) {
            return 1;
        }
        int[] prev = new int[m + 1];
        int[] cur = new int[m + 1];
        for (int j = 0; j <= m; j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= n; i++) {
            cur[0] = i;
            for (int j = 1; j <= m; j++) {
                int cost = expected.charAt(i - 1) == actual.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return 1.0 - (double) prev[m] / Math.max(n, m);
    }
}
