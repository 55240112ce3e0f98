package io.callsup.testsupport;

import io.quarkus.test.common.QuarkusTestResource;

/**
 * Registers the real programs for every {@code @QuarkusTest}, once per run, so that all test
 * classes share one application boot.
 */
@QuarkusTestResource(InfrastructureResource.class)
public final class TestResources {
    private TestResources() {
    }
}
