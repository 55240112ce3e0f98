package io.callsup.events;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the shared live event log and hands each new row to this replica's {@link LiveEventHub},
 * once: LISTEN on one dedicated connection, read after every notification and at least every
 * poll interval (so a lost notification only delays). Ids are taken in insert order but commit in
 * commit order: an id skipped over is awaited for {@link LiveEventConfig#gapWait()} and delivered
 * late if it commits, given up as rolled back otherwise. Pruning runs here too (any replica may).
 */
@ApplicationScoped
public class LiveEventFeed {

    private static final Logger LOG = Logger.getLogger(LiveEventFeed.class);
    private static final String CHANNEL = "callsup_live_event";
    private static final int BATCH = 500;
    private static final int MAX_GAPS = 10_000;
    private static final long PRUNE_EVERY_MS = 60_000;

    private final AgroalDataSource dataSource;
    private final LiveEventLog log;
    private final LiveEventHub hub;
    private final LiveEventConfig config;

    /** Highest id delivered; ids below it not seen yet, with when they were first missed. */
    private long high;
    private final Map<Long, Long> gaps = new TreeMap<>();
    private volatile boolean running;
    private Thread thread;
    private long lastPrune;

    public LiveEventFeed(AgroalDataSource dataSource, LiveEventLog log, LiveEventHub hub, LiveEventConfig config) {
        this.dataSource = dataSource;
        this.log = log;
        this.hub = hub;
        this.config = config;
    }

    void onStart(@Observes StartupEvent ev) {
        running = true;
        thread = new Thread(this::run, "callsup-live-event-feed");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent ev) {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void run() {
        boolean warned = false;
        while (running) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                if (high == 0) {
                    // Start at the end: a stream shows what happens from now on (replay is per stream).
                    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                            "SELECT coalesce(max(id), 0) FROM live_event")) {
                        r.next();
                        high = r.getLong(1);
                        hub.advanceTo(high);
                    }
                }
                if (warned) {
                    LOG.info("live event feed reading the log again");
                    warned = false;
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    read(c);
                    pruneIfDue(c);
                    pg.getNotifications((int) config.pollInterval().toMillis());
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                if (!warned) {
                    LOG.warnf("live event feed cannot read the log (%s); retrying every second", e.getMessage());
                    warned = true;
                }
                sleep(1000);
            }
        }
    }

    private void read(Connection c) throws SQLException {
        expireGaps();
        boolean more = true;
        while (more) {
            List<Long> waiting = new ArrayList<>(gaps.keySet());
            try (PreparedStatement q = c.prepareStatement("SELECT id, customer_id, payload FROM live_event "
                    + "WHERE id > ? OR id = ANY (?) ORDER BY id LIMIT " + BATCH)) {
                q.setLong(1, high);
                q.setArray(2, c.createArrayOf("bigint", waiting.toArray()));
                int rows = 0;
                try (ResultSet r = q.executeQuery()) {
                    while (r.next()) {
                        rows++;
                        accept(r.getLong(1), r.getLong(2), r.getString(3));
                    }
                }
                more = rows == BATCH;
            }
        }
    }

    private void accept(long id, long customerId, String payload) {
        if (id <= high) {
            if (gaps.remove(id) == null) {
                return; // delivered already
            }
        } else {
            long now = System.nanoTime();
            for (long missing = high + 1; missing < id && gaps.size() < MAX_GAPS; missing++) {
                gaps.put(missing, now);
            }
            high = id;
        }
        LiveEvent event;
        try {
            event = log.read(customerId, payload);
        } catch (RuntimeException e) {
            LOG.errorf("live event %d unreadable, skipped: %s", id, e.getMessage());
            return;
        }
        hub.deliver(id, event);
    }

    private void expireGaps() {
        long limit = System.nanoTime() - config.gapWait().toNanos();
        for (Iterator<Long> it = gaps.values().iterator(); it.hasNext(); ) {
            if (it.next() < limit) {
                it.remove();
            }
        }
    }

    private void pruneIfDue(Connection c) throws SQLException {
        long now = System.currentTimeMillis();
        if (now - lastPrune < PRUNE_EVERY_MS) {
            return;
        }
        lastPrune = now;
        try (PreparedStatement p = c.prepareStatement("WITH gone AS (DELETE FROM live_event WHERE created_at < "
                + "now() - make_interval(secs => ?) RETURNING id) UPDATE live_event_horizon SET pruned_upto = "
                + "greatest(pruned_upto, (SELECT coalesce(max(id), 0) FROM gone))")) {
            p.setDouble(1, config.retention().toMillis() / 1000.0);
            p.executeUpdate();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
