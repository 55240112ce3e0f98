package io.callsup.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Duration;

/**
 * Counts authentication attempts that miss the credential cache, per source address and per
 * presented username, in fixed windows. An attempt is counted before it is verified, so a burst of
 * concurrent guesses cannot overshoot the limit; a success gives the attempt back. With lockout on,
 * a username that failed {@code threshold} times in a row is refused for {@code duration}, even with
 * the right password.
 */
public final class AttemptThrottle {

    /** Refused: retry after this many seconds (at least 1). */
    public record Refusal(long retryAfterSeconds, String reason) {
    }

    private static final class Window {
        long start;
        int count;
    }

    private static final class Failures {
        int consecutive;
        long lockedUntil;
    }

    private final Ticker ticker;
    private final long windowNanos;
    private final int perSource;
    private final int perUsername;
    private final boolean lockout;
    private final int lockoutThreshold;
    private final long lockoutNanos;
    private final Cache<String, Window> windows;
    private final Cache<String, Failures> failures;

    public AttemptThrottle(Ticker ticker, Duration window, int perSource, int perUsername, int maxTracked,
                           boolean lockout, int lockoutThreshold, Duration lockoutDuration) {
        this.ticker = ticker;
        this.windowNanos = window.toNanos();
        this.perSource = perSource;
        this.perUsername = perUsername;
        this.lockout = lockout;
        this.lockoutThreshold = lockoutThreshold;
        this.lockoutNanos = lockoutDuration.toNanos();
        this.windows = Caffeine.newBuilder().ticker(ticker).maximumSize(maxTracked)
                .expireAfterWrite(window.multipliedBy(2)).build();
        this.failures = Caffeine.newBuilder().ticker(ticker).maximumSize(maxTracked)
                .expireAfterWrite(lockoutDuration.multipliedBy(2)).build();
    }

    /** Counts an attempt; null when it may go ahead, else why not and for how long. */
    public Refusal acquire(String source, String username) {
        Refusal locked = locked(username);
        if (locked != null) {
            return locked;
        }
        Refusal bySource = take("s:" + source, perSource, "source");
        if (bySource != null) {
            return bySource;
        }
        if (username == null) {
            return null;
        }
        Refusal byName = take("u:" + username, perUsername, "username");
        if (byName != null) {
            give("s:" + source);
        }
        return byName;
    }

    /** Null unless lockout is on and this username is locked. */
    public Refusal locked(String username) {
        if (!lockout || username == null) {
            return null;
        }
        Failures f = failures.getIfPresent(username);
        long now = ticker.read();
        synchronized (this) {
            if (f != null && f.lockedUntil - now > 0) {
                return new Refusal(seconds(f.lockedUntil - now), "locked");
            }
        }
        return null;
    }

    public void failed(String username) {
        if (!lockout || username == null) {
            return;
        }
        Failures f = failures.get(username, k -> new Failures());
        synchronized (this) {
            f.consecutive++;
            if (f.consecutive >= lockoutThreshold) {
                f.lockedUntil = ticker.read() + lockoutNanos;
                f.consecutive = 0;
            }
        }
        failures.put(username, f);
    }

    /** The attempt was genuine: it no longer counts against the source or the username. */
    public void succeeded(String source, String username) {
        give("s:" + source);
        if (username != null) {
            windows.invalidate("u:" + username);
            failures.invalidate(username);
        }
    }

    private Refusal take(String key, int limit, String reason) {
        long now = ticker.read();
        Window w = windows.get(key, k -> new Window());
        synchronized (w) {
            if (w.count == 0 || now - w.start >= windowNanos) {
                w.start = now;
                w.count = 0;
            }
            if (w.count >= limit) {
                return new Refusal(seconds(w.start + windowNanos - now), reason);
            }
            w.count++;
        }
        return null;
    }

    private void give(String key) {
        Window w = windows.getIfPresent(key);
        if (w != null) {
            synchronized (w) {
                if (w.count > 0) {
                    w.count--;
                }
            }
        }
    }

    private static long seconds(long nanos) {
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }
}
