package io.callsup.cluster;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two replicas' elections over the real PostgreSQL (each instance takes its own connection, as
 * two processes would): while one runs a pass the other's is skipped; after it, or after a pass
 * that failed, the other runs.
 */
@QuarkusTest
class SingleReplicaTest {

    private static final long LOCK = 0x7465737431L;

    @Inject
    AgroalDataSource db;

    @Test
    void oneReplicaAtATimeAndTheLockIsFreedAfterAPassEvenAFailedOne() throws Exception {
        SingleReplica first = new SingleReplica(db);
        SingleReplica second = new SingleReplica(db);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Optional<String>> running = CompletableFuture.supplyAsync(() -> first.runAlone(LOCK, () -> {
            inside.countDown();
            await(release);
            return "first";
        }));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(second.runAlone(LOCK, () -> "second")).as("while the first runs").isEmpty();
        assertThat(second.runAlone(LOCK + 1, () -> "other pass")).as("another lock is free").contains("other pass");
        release.countDown();
        assertThat(running.get(10, TimeUnit.SECONDS)).contains("first");
        assertThat(second.runAlone(LOCK, () -> "second")).as("after the first").contains("second");

        assertThatThrownBy(() -> first.runAlone(LOCK, () -> {
            throw new IllegalStateException("pass failed");
        })).hasMessage("pass failed");
        assertThat(second.runAlone(LOCK, () -> "second")).as("after a failed pass").contains("second");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
