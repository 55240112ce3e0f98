package io.callsup.testsupport;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * For tests that kill or starve the shared test rtpengine: it is started again before each test if
 * an earlier one left it dead, and a test during which it died says so plainly (with the daemon's
 * last words) instead of failing later as "John hears nothing".
 */
public class RtpengineGuard implements BeforeEachCallback, AfterEachCallback {

    @Override
    public void beforeEach(ExtensionContext context) {
        RtpengineResource.ensureRunning();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        assertThat(RtpengineResource.deathNote()).as("rtpengine died during the test").isNull();
    }
}
