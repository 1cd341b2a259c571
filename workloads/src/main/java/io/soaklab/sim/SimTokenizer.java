package io.soaklab.sim;

/**
 * The embedded endpoint's tokenizer: a fast rule that approximates BPE counts for English and code
 * and is exact for {@link io.soaklab.internal.text.SyntheticText}. A run of letters (with one leading
 * space) is a token per 10 letters; a run of digits a token per 3 digits (as {@code o200k_base}
 * splits them); a run of other whitespace one token; any other character one token.
 */
final class SimTokenizer {

    private SimTokenizer() {
    }

    static long count(CharSequence s) {
        long tokens = 0;
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == ' ' && i + 1 < n && isWordChar(s.charAt(i + 1))) {
                c = s.charAt(++i); // one space joins the word after it, as in BPE vocabularies
            }
            if (isLetter(c)) {
                int j = i;
                while (j < n && isLetter(s.charAt(j))) {
                    j++;
                }
                tokens += (j - i + 9) / 10;
                i = j;
            } else if (isDigit(c)) {
                int j = i;
                while (j < n && isDigit(s.charAt(j))) {
                    j++;
                }
                tokens += (j - i + 2) / 3;
                i = j;
            } else if (Character.isWhitespace(c)) {
                int j = i;
                while (j < n && Character.isWhitespace(s.charAt(j))) {
                    j++;
                }
                tokens++;
                i = j;
            } else {
                tokens++;
                i++;
            }
        }
        return tokens;
    }

    private static boolean isWordChar(char c) {
        return isLetter(c) || isDigit(c);
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
