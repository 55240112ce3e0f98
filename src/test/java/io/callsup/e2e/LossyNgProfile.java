package io.callsup.e2e;

import io.callsup.testsupport.rtp.NgRelay;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** The service reaches rtpengine through {@link NgRelay}, a relay that can lose ng commands. */
public class LossyNgProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("callsup.media.rtpengine", "127.0.0.1:" + NgRelay.port());
    }
}
