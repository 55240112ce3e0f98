package io.callsup.testsupport;

import io.callsup.model.SupervisionMode;
import io.callsup.supervision.port.MediaMixer;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** An in-process MediaMixer for component tests: records every command, fails the ones it is told to. */
public class FakeMixer implements MediaMixer {

    public final List<String> calls = new CopyOnWriteArrayList<>();
    public volatile boolean failActivate;
    public volatile boolean failSwitch;
    public volatile boolean failRemove;

    @Override
    public Prepared prepareDialIn(MediaRef ref, String sdp) {
        calls.add("prepare " + ref.supervisorTag());
        return new Prepared(new MediaRef(ref.callId(), null, ref.agentTag(), ref.clientTag(), ref.supervisorTag()),
                "v=0\r\n");
    }

    @Override
    public Prepared prepareOrigination(MediaRef ref) {
        return prepareDialIn(ref, null);
    }

    @Override
    public void completeOrigination(MediaRef ref, String sdpAnswer) {
        calls.add("complete " + ref.supervisorTag());
    }

    @Override
    public void activate(MediaRef ref, SupervisionMode mode) {
        calls.add("activate " + mode);
        if (failActivate) {
            throw new MediaFailure("activate refused by the fake", false, null);
        }
    }

    @Override
    public void switchMode(MediaRef ref, SupervisionMode from, SupervisionMode to, boolean afterOwnDigit) {
        calls.add("switch " + from + ">" + to);
        if (failSwitch) {
            throw new MediaFailure("switch refused by the fake", false, null);
        }
    }

    @Override
    public void remove(MediaRef ref) {
        calls.add("remove " + ref.supervisorTag());
        if (failRemove) {
            throw new MediaFailure("no reply from the fake", false, null);
        }
    }

    @Override
    public void callEnded(String callId) {
        calls.add("callEnded " + callId);
    }

    @Override
    public Optional<CallMedia> inspect(String daemon, String callId) {
        return Optional.empty();
    }

    @Override
    public List<String> supervisedCalls(String daemon) {
        return List.of();
    }

    @Override
    public List<String> daemons() {
        return List.of("fake:1");
    }

    @Override
    public boolean alive(String daemon) {
        return true;
    }
}
