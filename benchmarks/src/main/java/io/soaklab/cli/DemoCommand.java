package io.soaklab.cli;

import picocli.CommandLine.Command;

/** {@code soaklab demo}: {@code run} with demo defaults, against the embedded endpoint. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = Defaults.Demo.class,
        description = "A first soak in a minute and a half: 16 coding-agent sessions against the embedded endpoint, ten 7 s windows, then a report.")
final class DemoCommand extends RunOptions {
}
