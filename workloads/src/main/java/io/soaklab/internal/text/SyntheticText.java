package io.soaklab.internal.text;

import java.util.SplittableRandom;

/**
 * Deterministic filler text whose length is known in tokens.
 *
 * <p>Every word, with its leading space, is a single token in OpenAI's {@code o200k_base} and
 * {@code cl100k_base} encodings (checked by {@code SyntheticTextTest}), and for the embedded
 * endpoint's own tokenizer; so {@code words(rng, n)} is {@code n} tokens for all of them. Scenarios
 * use it to grow contexts by exact amounts; the embedded endpoint uses it for its replies.
 *
 * <pre>{@code
 * String toolOutput = SyntheticText.words(new SplittableRandom(7), 400); // 400 tokens
 * }</pre>
 */
public final class SyntheticText {

    private static final String[] WORDS = {
        "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "with", "was",
        "on", "be", "by", "this", "are", "from", "at", "or", "an", "have", "not", "but",
        "which", "they", "one", "all", "their", "has", "were", "there", "more", "can", "if", "will",
        "about", "other", "into", "time", "only", "some", "when", "new", "these", "also", "would", "first",
        "what", "any", "than", "then", "out", "may", "such", "use", "data", "file", "code", "value",
        "test", "error", "line", "name", "type", "function", "return", "class", "method", "string", "list", "result",
        "call", "user", "system", "model", "server", "request", "response", "token", "cache", "query", "index", "table",
        "field", "state", "event", "update", "check", "build", "start", "stop", "read", "write", "open", "close",
        "load", "save", "print", "input", "output", "source", "target", "path", "config", "option", "message", "status",
        "report", "step", "task", "agent", "tool", "plan", "patch", "commit", "branch", "merge", "review", "module",
        "package", "import", "export", "object", "array", "map", "set", "key", "item", "node", "tree", "graph",
        "edge", "cost", "price", "limit", "rate", "window", "retry", "timeout", "stream", "chunk", "batch", "queue",
        "worker", "thread", "process", "memory", "disk", "network", "client", "service", "handler", "logger", "parser", "buffer",
        "length", "count", "total", "number", "size", "offset", "range", "filter", "sort", "order", "group", "match",
        "pattern", "format", "parse", "encode", "decode", "fetch", "send", "receive", "handle", "create", "delete", "remove",
        "insert", "append", "replace", "split", "join", "trim", "copy", "move", "find", "search", "scan", "apply",
        "run", "exec", "debug", "trace", "info", "warn", "fail", "pass", "skip", "assert", "expect", "mock",
        "stub", "fixture", "case", "suite", "spec", "true", "false", "null", "none", "empty", "default", "local",
        "global", "public", "private", "static", "final", "const", "let", "var", "def", "self", "base", "super",
        "parent", "child", "root", "level", "depth", "width", "height", "last", "next", "prev", "current", "previous",
        "old", "right", "left", "top", "bottom", "inner", "outer", "upper", "lower", "before", "after", "during",
        "while", "until", "since", "because", "unless", "although", "however", "therefore", "again", "still", "already", "just",
    };

    private SyntheticText() {
    }

    /** Number of distinct words; {@link #word(int)} takes an index below it. */
    public static int vocabularySize() {
        return WORDS.length;
    }

    /** The word at {@code index} with its leading space: one token. */
    public static String word(int index) {
        return " " + WORDS[index];
    }

    /** Appends {@code tokens} words drawn from {@code rng} to {@code out}. */
    public static StringBuilder appendWords(StringBuilder out, SplittableRandom rng, int tokens) {
        for (int i = 0; i < tokens; i++) {
            out.append(' ').append(WORDS[rng.nextInt(WORDS.length)]);
        }
        return out;
    }

    /** {@code tokens} words drawn from {@code rng}, each with a leading space. */
    public static String words(SplittableRandom rng, int tokens) {
        return appendWords(new StringBuilder(tokens * 7), rng, tokens).toString();
    }
}
