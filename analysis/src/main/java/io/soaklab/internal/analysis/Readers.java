package io.soaklab.internal.analysis;

import io.soaklab.internal.record.CallLine;
import io.soaklab.internal.record.EpisodeLine;
import java.util.Arrays;
import java.util.Objects;

/** One pass, many aggregates: each line read is handed to every reader that needs it, in order. */
final class Readers {

    private Readers() {
    }

    /** The readers given (nulls left out) as one. */
    static CallLine.Reader calls(CallLine.Reader... readers) {
        CallLine.Reader[] all = Arrays.stream(readers).filter(Objects::nonNull).toArray(CallLine.Reader[]::new);
        boolean ids = Arrays.stream(all).anyMatch(CallLine.Reader::wantsRequestIds);
        return new CallLine.Reader() {
            @Override
            public void line(CallLine line) {
                for (CallLine.Reader r : all) {
                    r.line(line);
                }
            }

            @Override
            public void bad(long number, boolean last, String why) {
                for (CallLine.Reader r : all) {
                    r.bad(number, last, why);
                }
            }

            @Override
            public boolean wantsRequestIds() {
                return ids;
            }
        };
    }

    /** The readers given (nulls left out) as one. */
    static EpisodeLine.Reader episodes(EpisodeLine.Reader... readers) {
        EpisodeLine.Reader[] all = Arrays.stream(readers).filter(Objects::nonNull).toArray(EpisodeLine.Reader[]::new);
        return new EpisodeLine.Reader() {
            @Override
            public void episode(EpisodeLine line) {
                for (EpisodeLine.Reader r : all) {
                    r.episode(line);
                }
            }

            @Override
            public void bad(long number, boolean last, String why) {
                for (EpisodeLine.Reader r : all) {
                    r.bad(number, last, why);
                }
            }
        };
    }
}
