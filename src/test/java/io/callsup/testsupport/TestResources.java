package io.callsup.testsupport;

import io.quarkus.test.common.QuarkusTestResource;

/**
 * Registers the real PostgreSQL and Artemis servers for every {@code @QuarkusTest}, once per run,
 * so that all test classes share one application boot.
 */
@QuarkusTestResource(PostgresResource.class)
@QuarkusTestResource(ArtemisResource.class)
public final class TestResources {
    private TestResources() {
    }
}
