package io.callsup.cluster;

import io.agroal.api.AgroalDataSource;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Leadership held for as long as the replica lives: a PostgreSQL session-level advisory lock on a
 * connection of its own, kept open. {@link #refresh()} (called periodically) takes the lock when it
 * is free and checks that the connection holding it is still alive; a replica that dies closes its
 * connection, PostgreSQL frees the lock, and the next {@code refresh()} of a survivor takes it.
 * <p>
 * Bound: the lock is free as soon as PostgreSQL sees the dead replica's socket closed (a killed
 * process: at once; a vanished host: TCP keepalive), and a survivor takes it at its next refresh.
 * Two replicas may both believe they lead for at most one refresh interval (the old one has not
 * noticed its connection is gone yet).
 */
public final class LeaderLock implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LeaderLock.class);

    private final AgroalDataSource db;
    private final long lock;
    private final String name;
    private Connection held;
    private volatile boolean leading;

    public LeaderLock(AgroalDataSource db, long lock, String name) {
        this.db = db;
        this.lock = lock;
        this.name = name;
    }

    /** True while this replica holds the lock (as of the last refresh). */
    public boolean leading() {
        return leading;
    }

    /** Takes the lock if free, or confirms it is still held; blocking (JDBC). Returns {@link #leading()}. */
    public synchronized boolean refresh() {
        try {
            if (held != null) {
                if (held.isValid(2)) {
                    return true;
                }
                LOG.warnf("%s: the connection holding the leader lock is gone; no longer leading", name);
                release();
            }
            Connection c = db.getConnection();
            c.setAutoCommit(true);
            boolean got;
            try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                s.setLong(1, lock);
                try (ResultSet r = s.executeQuery()) {
                    got = r.next() && r.getBoolean(1);
                }
            }
            if (got) {
                held = c;
                leading = true;
                LOG.infof("%s: this replica leads now", name);
            } else {
                c.close();
            }
            return got;
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("%s: leader lock not checked (%s); not leading", name, e.getMessage());
            release();
            return false;
        }
    }

    private void release() {
        leading = false;
        if (held != null) {
            try {
                held.close();
            } catch (SQLException ignored) {
                // closing a broken connection: the lock went with it
            }
            held = null;
        }
    }

    @Override
    public synchronized void close() {
        release();
    }
}
