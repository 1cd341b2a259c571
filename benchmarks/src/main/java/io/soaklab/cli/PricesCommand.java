package io.soaklab.cli;

import io.soaklab.cost.ModelPrice;
import io.soaklab.cost.PriceCatalog;
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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PriceCatalog catalog = PriceCatalog.load(prices);
        var out = spec.commandLine().getOut();
        out.println(catalog.describe() + " (per million tokens: input / cache read / cache write 5 min / 1 h / output)");
        for (ModelPrice m : catalog.models()) {
            var p = m.prices();
            out.printf("%-24s %-9s %s %9s %9s %9s %9s %9s   since %s%s%n", m.model(), m.provider(), m.currency(), p.input().toPlainString(),
                    p.cachedInput().toPlainString(), p.cacheWrite5m().toPlainString(), p.cacheWrite1h().toPlainString(), p.output().toPlainString(),
                    m.effective(), m.longContext() == null ? "" : "; above " + m.longContext().above() + " input tokens: "
                            + m.longContext().prices().input().toPlainString() + " / " + m.longContext().prices().output().toPlainString());
        }
        out.flush();
        return 0;
    }
}
