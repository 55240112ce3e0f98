package io.callsup.testsupport;

import io.callsup.supervision.port.SupervisorPhone;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** An in-process SupervisorPhone for component tests: records every BYE and CANCEL; rings answer busy. */
public class FakePhone implements SupervisorPhone {

    public final List<String> released = new CopyOnWriteArrayList<>();

    /** Set false to play a SIP edge that cannot be reached. */
    public volatile boolean reachable = true;

    @Override
    public String newLegCallId() {
        return "leg-" + UUID.randomUUID();
    }

    @Override
    public boolean reachable() {
        return reachable;
    }

    @Override
    public Answer ring(String legCallId, String extension, String domain, String displayName, String sdpOffer) {
        return new Answer(486, "Busy Here", null);
    }

    @Override
    public boolean hangUp(Leg leg, String reason) {
        released.add(leg.callId() + " " + reason);
        return true;
    }

    @Override
    public void cancelRinging(String supervisorCallId) {
        released.add("CANCEL " + supervisorCallId);
    }
}
