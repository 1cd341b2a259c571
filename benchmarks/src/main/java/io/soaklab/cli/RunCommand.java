package io.soaklab.cli;

import picocli.CommandLine.Command;

/** {@code soaklab run}: a soak against an endpoint, the embedded one when none is given. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false, defaultValueProvider = Defaults.Run.class,
        description = {"Run a soak: concurrent agent sessions for a duration, window by window, then a report.",
            "Example: soaklab run --endpoint https://host/v1 --model NAME --api-key-env OPENAI_API_KEY --concurrency 32 --duration 8h"})
final class RunCommand extends RunOptions {
}
