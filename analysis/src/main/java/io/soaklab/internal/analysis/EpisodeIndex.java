package io.soaklab.internal.analysis;

import java.util.Arrays;

/**
 * Numbers the episodes of a run (a user and that user's episode number) 0, 1, 2... in the order
 * first met. An open-addressing table of primitive longs: a run of a million episodes is indexed
 * in about 24 MB, where a {@code HashMap<Long, Integer>} takes about 80 (measured with the
 * 10-million-call {@code LargeRun}: the report's peak heap is in the README).
 */
final class EpisodeIndex {

    private static final long EMPTY = Long.MIN_VALUE;

    private long[] keys = new long[1 << 10];
    private int[] values = new int[1 << 10];
    private int size;

    EpisodeIndex() {
        Arrays.fill(keys, EMPTY);
    }

    /** The number of (user, episode), given it if it is new. */
    int of(long user, long episode) {
        long key = key(user, episode);
        int i = find(key);
        if (keys[i] == key) {
            return values[i];
        }
        if (size + 1 > keys.length * 2 / 3) {
            grow();
            i = find(key);
        }
        keys[i] = key;
        values[i] = size;
        return size++;
    }

    /** The number of (user, episode), or -1 when it was never met. */
    int get(long user, long episode) {
        long key = key(user, episode);
        int i = find(key);
        return keys[i] == key ? values[i] : -1;
    }

    int size() {
        return size;
    }

    private static long key(long user, long episode) {
        long k = user * 1_000_000_007L + episode;
        return k == EMPTY ? EMPTY + 1 : k;
    }

    private int find(long key) {
        int mask = keys.length - 1;
        int i = (int) (mix(key) & mask);
        while (keys[i] != EMPTY && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        return k;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                int j = find(oldKeys[i]);
                keys[j] = oldKeys[i];
                values[j] = oldValues[i];
            }
        }
    }
}
