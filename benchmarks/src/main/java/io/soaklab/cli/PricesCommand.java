package io.soaklab.cli;

import io.soaklab.internal.cost.ModelPrice;
import io.soaklab.internal.cost.PriceCatalog;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code soaklab prices}: the price catalog, one line a model. */
@Command(name = "prices", mixinStandardHelpOptions = true, description = {"List the price catalog: each model's prices per million tokens, since when, from where.",
    "--prices FILE shows your own file on top of the list prices (format: docs/costs.md)."})
final class PricesCommand implements Callable<Integer> {

    @Option(names = "--prices", paramLabel = "FILE", description = "A price file of your own, on top of the list prices.")
    Path prices;

    @Option(names = "--sources", description = "Show where each model's prices were read, and when, instead of the prices.")
    boolean sources;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PriceCatalog catalog = PriceCatalog.load(prices);
        var out = spec.commandLine().getOut();
        if (sources) {
            out.println(catalog.describe() + ": where each model's prices come from");
            int width = catalog.models().stream().mapToInt(m -> m.model().length()).max().orElse(0);
            for (ModelPrice m : catalog.models()) {
                out.printf("%-" + width + "s  since %s  %s%n", m.model(), m.effective(), m.source());
            }
            out.flush();
            return 0;
        }
        out.println(catalog.describe() + ": USD per million tokens");
        out.printf("%-24s %-9s %s %9s %9s %9s %9s %9s   %s%n", "model", "provider", "cur", "input", "cache rd", "cache 5m", "cache 1h", "output",
                "since; long context");
        for (ModelPrice m : catalog.models()) {
            var p = m.prices();
            out.printf("%-24s %-9s %s %9s %9s %9s %9s %9s   since %s%s%n", m.model(), m.provider(), m.currency(), p.input().toPlainString(),
                    p.cachedInput().toPlainString(), p.cacheWrite5m().toPlainString(), p.cacheWrite1h().toPlainString(), p.output().toPlainString(),
                    m.effective(), m.longContext() == null ? "" : "; above " + m.longContext().above() + " input tokens: "
                            + m.longContext().prices().input().toPlainString() + " / " + m.longContext().prices().output().toPlainString());
        }
        out.println();
        out.println("Where each price was read, and when: soaklab prices --sources.");
        out.println("Prices change: check them against the provider's own page before you bill anyone. A missing cache price is");
        out.println("billed as input and a missing 1-hour write as a 5-minute write (docs/costs.md); negotiated prices go in --prices FILE.");
        out.flush();
        return 0;
    }
}
