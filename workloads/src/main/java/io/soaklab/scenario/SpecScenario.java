package io.soaklab.scenario;

/** What every scenario read from a file has: its specification and its fixed texts. */
abstract class SpecScenario implements Scenario {

    final ScenarioSpec spec;
    final Prompts prompts = new Prompts();

    SpecScenario(ScenarioSpec spec) {
        this.spec = spec;
    }

    @Override
    public final String name() {
        return spec.name();
    }

    @Override
    public final String description() {
        return spec.description();
    }
}
