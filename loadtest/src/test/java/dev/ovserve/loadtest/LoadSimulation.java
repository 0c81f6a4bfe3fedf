package dev.ovserve.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.util.ArrayList;
import java.util.List;

/**
 * One scenario (feed a prompt, make one call) under the closed or open workload the settings
 * name, with the assertions every run must pass: no failed request, and the latency
 * percentiles asked for.
 */
abstract class LoadSimulation extends Simulation {
    protected final LoadSettings settings;

    LoadSimulation(String name, ChainBuilder call, LoadSettings settings, List<String> streamGroups) {
        this(name, call, settings, streamGroups, false);
    }

    /** @param overloadExpected refusals are expected, so failed requests are counted, not asserted */
    LoadSimulation(String name, ChainBuilder call, LoadSettings settings, List<String> streamGroups, boolean overloadExpected) {
        this.settings = settings;
        System.out.println("simulation " + name + ": " + settings.describe());
        ScenarioBuilder scenario = scenario(name).feed(PromptMix.parse(settings.mix()).feeder(settings)).exec(call);
        PopulationBuilder population = switch (settings.workload()) {
            case CLOSED -> scenario.injectClosed(constantConcurrentUsers(settings.users()).during(settings.duration()));
            case OPEN -> scenario.injectOpen(constantUsersPerSec(settings.rate()).during(settings.duration()).randomized());
        };
        setUp(population).protocols(OpenAiCalls.protocol(settings)).assertions(assertions(streamGroups, overloadExpected));
    }

    @Override
    public void after() {
        Timings.write();
    }

    private List<Assertion> assertions(List<String> streamGroups, boolean overloadExpected) {
        List<Assertion> checks = new ArrayList<>();
        if (!overloadExpected) {
            checks.add(global().failedRequests().count().is(0L));
        }
        for (String group : streamGroups) {
            if (settings.firstEventP95Ms() > 0) {
                checks.add(details(group, OpenAiCalls.FIRST_EVENT).responseTime().percentile(95).lt((int) settings.firstEventP95Ms()));
            }
            if (settings.fullStreamP95Ms() > 0) {
                checks.add(details(group).responseTime().percentile(95).lt((int) settings.fullStreamP95Ms()));
            }
        }
        return checks;
    }
}
