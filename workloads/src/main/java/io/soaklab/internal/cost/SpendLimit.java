package io.soaklab.internal.cost;

import io.soaklab.protocol.ChatRequest;
import io.soaklab.protocol.Message;
import io.soaklab.protocol.ToolCall;
import io.soaklab.protocol.ToolSpec;
import io.soaklab.protocol.Usage;
import java.math.BigDecimal;

/**
 * A ceiling on a run's spend that holds before the money is spent: before an attempt is sent it
 * reserves the most that attempt could cost, and it is refused when what was spent, what calls in
 * flight have reserved and its own reservation would pass the limit. When the attempt ends its
 * reservation gives way to what it really cost.
 *
 * <p>The most an attempt could cost is priced by its tariff (long-context tier included) for an
 * upper estimate of its input, one token per two characters of its messages (English runs about
 * four characters a token, code three; tool schemas and calls included), all of it billed as written to a one-hour cache when the
 * request asks for prompt caching, and its {@code max_tokens} of output. A language of one
 * character a token (Chinese, Japanese) can beat the estimate.
 *
 * <pre>{@code
 * SpendLimit limit = new SpendLimit(new BigDecimal("50"), tariff);
 * BigDecimal held = limit.reserve(request);       // null: nothing may be sent
 * ... send, record ...
 * limit.settle(held, cost.total());
 * }</pre>
 */
public final class SpendLimit {

    private final BigDecimal limit;
    private final Tariff tariff;
    private BigDecimal spent = BigDecimal.ZERO;
    private BigDecimal reserved = BigDecimal.ZERO;
    private BigDecimal refused;
    private BigDecimal heldWhenRefused;
    private volatile boolean reached;

    public SpendLimit(BigDecimal limit, Tariff tariff) {
        if (limit.signum() <= 0) {
            throw new IllegalArgumentException("a spend limit must be above zero");
        }
        this.limit = limit;
        this.tariff = tariff;
    }

    /**
     * Reserves the most {@code request} could cost.
     *
     * @return the amount held, to give back to {@link #settle}; null when the attempt could pass
     *         the limit, and from then on {@link #reached()} is true
     */
    public BigDecimal reserve(ChatRequest request) {
        BigDecimal most = most(request);
        synchronized (this) {
            if (spent.add(reserved).add(most).compareTo(limit) > 0) {
                if (!reached) {
                    refused = most;
                    heldWhenRefused = reserved;
                }
                reached = true;
                return null;
            }
            reserved = reserved.add(most);
            return most;
        }
    }

    /** An attempt that held {@code held} ended having cost {@code cost}. */
    public synchronized void settle(BigDecimal held, BigDecimal cost) {
        reserved = reserved.subtract(held);
        spent = spent.add(cost);
    }

    /** True once an attempt was refused: the run should end when the calls in flight have. */
    public boolean reached() {
        return reached;
    }

    /** Spent by settled attempts. */
    public synchronized BigDecimal spent() {
        return spent;
    }

    /** The limit. */
    public BigDecimal limit() {
        return limit;
    }

    /** What calls in flight held when the first attempt was refused, or null. */
    public synchronized BigDecimal heldWhenRefused() {
        return heldWhenRefused;
    }

    /** The first refused attempt's reservation, or null. */
    public synchronized BigDecimal refused() {
        return refused;
    }

    private BigDecimal most(ChatRequest request) {
        long chars = 0;
        for (Message m : request.messages()) {
            chars += m.content().length();
            for (ToolCall c : m.toolCalls()) {
                chars += c.name().length() + (c.arguments() == null ? 0 : c.arguments().length());
            }
        }
        for (ToolSpec t : request.tools()) {
            chars += t.name().length() + (t.description() == null ? 0 : t.description().length()) + (t.schema() == null ? 0 : t.schema().length());
        }
        long input = (chars + 1) / 2 + 8L * request.messages().size();
        long output = request.maxTokens(); // always set: soaklab's requests bound their output
        long written = request.promptCaching() ? input : 0;
        return tariff.cost(new Usage(input, output, 0, 0, written, written, Usage.Source.ESTIMATED)).total();
    }
}
