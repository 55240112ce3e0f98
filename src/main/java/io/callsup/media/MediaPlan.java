package io.callsup.media;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import io.callsup.model.SupervisionMode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Supervision modes as rtpengine media flows (the "recommended recipe" of design/rtpengine.md).
 * <p>
 * Flows for supervisor S on the call of agent A and client C: S always receives A and C
 * (inject); A and C are "armed" once per call (connect directional + audio player force) so that
 * injected audio is mixed; A receives S (inject) in every mode, and in spy S's media is blocked
 * (block media, directional) so S's RFC 4733 digits still reach the DTMF detector; barge adds C
 * receiving S. Digits from S are never forwarded (block DTMF).
 * <p>
 * Safety: every operation first {@code query}s the call and only names tags that exist; the
 * per-call "armed" state and the flows are read from the query, never kept in memory; a failure
 * midway tears down what the operation did (inject stop, disarm if no other supervisor, delete S)
 * so agent and client keep hearing each other.
 * <p>
 * All methods are non-blocking and lazy (nothing is sent until the {@link Uni} is subscribed).
 */
@Singleton
public class MediaPlan {
    private static final Logger LOG = Logger.getLogger(MediaPlan.class);
    private static final Pattern TELEPHONE_EVENT = Pattern.compile("(?im)^a=rtpmap:\\d+\\s+telephone-event/");
    private static final Pattern M_AUDIO = Pattern.compile("(?m)^m=audio \\d+ ");
    private static final Pattern O_LINE = Pattern.compile("(?m)^o=.*$");

    private final NgClient ng;
    private final Vertx vertx;
    private final Duration audibleAfterDigitDelay;

    @Inject
    public MediaPlan(NgClient ng, Vertx vertx, MediaConfig config) {
        this(ng, vertx, config.audibleAfterDigitDelay());
    }

    public MediaPlan(NgClient ng, Vertx vertx, Duration audibleAfterDigitDelay) {
        this.ng = ng;
        this.vertx = vertx;
        this.audibleAfterDigitDelay = audibleAfterDigitDelay;
    }

    // ------------------------------------------------------------------ public API

    /**
     * A supervisor's phone dialled in with its own SDP offer: adds it to the agent's call in
     * {@code mode} and returns the SDP answer for that phone (with telephone-event when the offer
     * had it). Uses rtpengine's offer plus a placeholder answerer so the answer keeps
     * telephone-event.
     */
    public Uni<MediaJoin> join(String callId, String agentTag, String clientTag, String supervisorTag,
            String supervisorSdpOffer, SupervisionMode mode) {
        return uni(() -> locate(callId).compose(found -> {
            NgAddress d = found.daemon();
            CallView v = found.view();
            String ph = MediaSession.placeholderTagFor(supervisorTag);
            Future<Void> pre = requireCallTags(v, callId, agentTag, clientTag)
                    .compose(x -> requireFresh(v, callId, supervisorTag, ph));
            String[] answer = new String[1];
            return pre.compose(x -> send(d, cmd("offer", callId).put("from-tag", supervisorTag)
                    .put("sdp", supervisorSdpOffer).put("label", "callsup-supervisor").map)
                    .compose(offerReply -> {
                        String toPlaceholder = (String) offerReply.get("sdp");
                        return send(d, cmd("answer", callId).put("from-tag", supervisorTag).put("to-tag", ph)
                                .put("sdp", placeholderAnswer(toPlaceholder)).map);
                    })
                    .compose(answerReply -> {
                        answer[0] = (String) answerReply.get("sdp");
                        if (hasTelephoneEvent(supervisorSdpOffer) && !hasTelephoneEvent(answer[0])) {
                            return Future.failedFuture(new MediaPlanException(
                                    "rtpengine's answer to the supervisor lost telephone-event"));
                        }
                        // Arm S: its output is then produced by the audio player (mix of A and C).
                        return send(d, cmd("connect", callId).put("from-tag", ph).put("to-tag", supervisorTag)
                                .put("flags", List.of("directional")).put("audio player", "force").map);
                    })
                    .compose(y -> attach(d, v, callId, agentTag, clientTag, supervisorTag, mode))
                    .map(y -> new MediaJoin(new MediaSession(callId, d.toString(), agentTag, clientTag, supervisorTag,
                            true, mode), answer[0]))
                    .recover(err -> rollback(d, callId, agentTag, clientTag, supervisorTag, ph, "join", err)));
        }));
    }

    /**
     * Originate path, step 1: rtpengine creates the supervisor's party and an SDP offer (PCMU,
     * PCMA, telephone-event) for the service to send to the supervisor's phone.
     */
    public Uni<PreparedOffer> prepareOffer(String callId, String agentTag, String clientTag, String supervisorTag) {
        return uni(() -> locate(callId).compose(found -> {
            CallView v = found.view();
            NgAddress d = found.daemon();
            return requireCallTags(v, callId, agentTag, clientTag)
                    .compose(x -> requireFresh(v, callId, supervisorTag, null))
                    .compose(x -> send(d, cmd("create", callId).put("from-tag", supervisorTag)
                            .put("label", "callsup-supervisor")
                            .put("codec", Map.of("offer", List.of("PCMU", "PCMA", "telephone-event")))
                            .put("audio player", "force").map)
                    .map(r -> new PreparedOffer(callId, d.toString(), agentTag, clientTag, supervisorTag,
                            (String) r.get("sdp")))
                    .recover(err -> rollback(d, callId, agentTag, clientTag, supervisorTag, null, "prepare offer",
                            err)));
        }));
    }

    /** Originate path, step 2: the supervisor's phone answered with {@code sdpAnswer}. */
    public Uni<MediaSession> completeJoin(PreparedOffer p, String sdpAnswer, SupervisionMode mode) {
        return uni(() -> {
            NgAddress d = NgAddress.parse(p.daemon());
            return query(d, p.callId()).compose(v -> requireCallTags(v, p.callId(), p.agentTag(), p.clientTag())
                    .compose(x -> v.has(p.supervisorTag()) ? Future.succeededFuture()
                            : Future.failedFuture(new MediaPlanException("supervisor tag " + p.supervisorTag()
                                    + " is not in call " + p.callId() + " (prepareOffer not done or expired)")))
                    .compose(x -> send(d, cmd("create answer", p.callId()).put("from-tag", p.supervisorTag())
                            .put("sdp", sdpAnswer).map)
                    .compose(y -> attach(d, v, p.callId(), p.agentTag(), p.clientTag(), p.supervisorTag(), mode))
                    .map(y -> new MediaSession(p.callId(), p.daemon(), p.agentTag(), p.clientTag(), p.supervisorTag(),
                            false, mode))
                    .recover(err -> rollback(d, p.callId(), p.agentTag(), p.clientTag(), p.supervisorTag(), null,
                            "complete join", err))));
        });
    }

    /** Drops a prepared offer whose phone never answered. */
    public Uni<Void> abandon(PreparedOffer p) {
        return leave(new MediaSession(p.callId(), p.daemon(), p.agentTag(), p.clientTag(), p.supervisorTag(), false,
                SupervisionMode.SPY));
    }

    /** Switches at once (use for API requests and for any switch towards spy). */
    public Uni<MediaSession> switchMode(MediaSession s, SupervisionMode mode) {
        return uni(() -> doSwitch(s, mode, false));
    }

    /**
     * Switch triggered by the supervisor's own RFC 4733 digit: commands that make the supervisor
     * newly audible are sent after {@code callsup.media.audible-after-digit-delay}, so the tail of
     * the digit is not mixed in (rtpengine.md, "Why DTMF switching was slow").
     */
    public Uni<MediaSession> switchModeOnDigit(MediaSession s, SupervisionMode mode) {
        return uni(() -> doSwitch(s, mode, true));
    }

    /**
     * Removes the supervisor: inject stop for each of its flows, disarm the legs when it was the
     * last supervisor, then delete its party. Succeeds when the call or the party is already gone.
     */
    public Uni<Void> leave(MediaSession s) {
        return uni(() -> {
            NgAddress d = NgAddress.parse(s.daemon());
            return queryOrNull(d, s.callId()).compose(v -> {
                if (v == null) {
                    return Future.succeededFuture();
                }
                return teardown(d, v, s.callId(), s.agentTag(), s.clientTag(), s.supervisorTag(),
                        s.placeholderTag());
            });
        });
    }

    /** The agent's call ended: removes the whole call from every daemon that still has it. */
    public Uni<Void> callEnded(String callId) {
        return uni(() -> {
            Future<Void> chain = Future.succeededFuture();
            for (NgAddress d : ng.daemons()) {
                chain = chain.compose(x -> send(d, cmd("delete", callId).map).<Void>mapEmpty()
                        .recover(err -> err instanceof RtpengineErrorException e && e.isUnknownCall()
                                ? Future.succeededFuture() : Future.failedFuture(err)));
            }
            return chain;
        });
    }

    // ------------------------------------------------------------------ recipe steps

    /** Steps 3-7 of the recipe for a supervisor party that exists and has negotiated media. */
    private Future<Void> attach(NgAddress d, CallView before, String callId, String a, String c, String s,
            SupervisionMode mode) {
        List<Supplier<Future<?>>> steps = new ArrayList<>();
        steps.add(() -> inject(d, callId, "inject start", a, s));
        steps.add(() -> inject(d, callId, "inject start", c, s));
        steps.add(() -> query(d, callId).compose(v -> v.armed(a, c) ? Future.succeededFuture() : arm(d, v, callId, a, c,
                "force")));
        steps.add(() -> inject(d, callId, "inject start", s, a));
        steps.add(() -> send(d, cmd("block DTMF", callId).put("from-tag", s).put("flags", List.of("directional")).map));
        if (mode == SupervisionMode.SPY) {
            steps.add(() -> media(d, callId, "block media", s));
        } else if (mode == SupervisionMode.BARGE) {
            steps.add(() -> inject(d, callId, "inject start", s, c));
        }
        return sequence(steps);
    }

    /** connect both ways between the call's two legs with the given audio player setting. */
    private Future<Void> arm(NgAddress d, CallView v, String callId, String a, String c, String audioPlayer) {
        // a=mid guard: connect crashes the daemon across mismatched mids. A and C negotiated with
        // each other through rtpengine (offer/answer), which carries the offer's mids to the answer
        // side, so their mids match; refuse anything else.
        CallView.Tag at = v.tag(a);
        CallView.Tag ct = v.tag(c);
        if (at == null || ct == null || !at.offerAnswerPeers().contains(c) || !ct.offerAnswerPeers().contains(a)) {
            return Future.failedFuture(new MediaPlanException("agent " + a + " and client " + c + " of call " + callId
                    + " are not an offer/answer pair in rtpengine; refusing to connect them"));
        }
        return send(d, cmd("connect", callId).put("from-tag", c).put("to-tag", a).put("flags", List.of("directional"))
                .put("audio player", audioPlayer).map)
                .compose(x -> send(d, cmd("connect", callId).put("from-tag", a).put("to-tag", c)
                        .put("flags", List.of("directional")).put("audio player", audioPlayer).map))
                .mapEmpty();
    }

    /** {@code to} starts/stops receiving {@code from}. */
    private Future<Map<String, Object>> inject(NgAddress d, String callId, String command, String from, String to) {
        return send(d, cmd(command, callId).put("to-tag", to).put("source-tag", from).map);
    }

    private Future<Map<String, Object>> media(NgAddress d, String callId, String command, String tag) {
        return send(d, cmd(command, callId).put("from-tag", tag).put("flags", List.of("directional")).map);
    }

    private Future<MediaSession> doSwitch(MediaSession s, SupervisionMode target, boolean afterDigit) {
        NgAddress d = NgAddress.parse(s.daemon());
        String callId = s.callId();
        String sup = s.supervisorTag();
        String client = s.clientTag();
        return query(d, callId).compose(v -> {
            if (!v.has(s.agentTag()) || !v.has(client) || !v.has(sup)) {
                return Future.failedFuture(new MediaPlanException("call " + callId + " no longer holds agent, client "
                        + "and supervisor " + sup + "; nothing switched"));
            }
            boolean barge = v.flows(sup, client);
            SupervisionMode from = barge ? SupervisionMode.BARGE
                    : (s.mode() == SupervisionMode.BARGE ? SupervisionMode.WHISPER : s.mode());
            if (from == target) {
                return Future.succeededFuture(s.withMode(target));
            }
            List<Supplier<Future<?>>> steps = new ArrayList<>();
            List<Supplier<Future<?>>> undo = new ArrayList<>();
            boolean becomesAudible = from == SupervisionMode.SPY
                    || (target == SupervisionMode.BARGE && from == SupervisionMode.WHISPER);
            if (from == SupervisionMode.SPY) {
                steps.add(() -> media(d, callId, "unblock media", sup));
                undo.add(() -> media(d, callId, "block media", sup));
            }
            if (from == SupervisionMode.BARGE) {
                steps.add(() -> inject(d, callId, "inject stop", sup, client));
                undo.add(() -> inject(d, callId, "inject start", sup, client));
            }
            if (target == SupervisionMode.BARGE) {
                steps.add(() -> inject(d, callId, "inject start", sup, client));
            }
            if (target == SupervisionMode.SPY) {
                steps.add(() -> media(d, callId, "block media", sup));
            }
            Future<Void> delay = afterDigit && becomesAudible && !audibleAfterDigitDelay.isZero()
                    ? timer(audibleAfterDigitDelay) : Future.succeededFuture();
            return delay.compose(x -> sequenceWithUndo(steps, undo))
                    .map(x -> s.withMode(target))
                    .recover(err -> Future.failedFuture(new MediaPlanException("switch of supervisor " + sup + " on call "
                            + callId + " from " + from + " to " + target + " failed: " + err.getMessage(), true, err)));
        });
    }

    /**
     * Stops every flow of S, disarms A/C if no other supervisor remains, deletes S (and its
     * placeholder). Only names tags the query showed.
     */
    private Future<Void> teardown(NgAddress d, CallView v, String callId, String a, String c, String s, String ph) {
        List<Supplier<Future<?>>> steps = new ArrayList<>();
        if (!v.has(s)) {
            return Future.succeededFuture();
        }
        for (String other : new String[] {c, a}) {
            if (v.has(other) && v.flows(s, other)) {
                steps.add(() -> inject(d, callId, "inject stop", s, other));
            }
        }
        for (String other : new String[] {a, c}) {
            if (v.has(other) && v.flows(other, s)) {
                steps.add(() -> inject(d, callId, "inject stop", other, s));
            }
        }
        Set<String> others = new java.util.HashSet<>(v.supervisors(a, c));
        others.remove(s);
        if (others.isEmpty() && v.has(a) && v.has(c) && (v.tag(a).audioPlayer() || v.tag(c).audioPlayer())) {
            steps.add(() -> arm(d, v, callId, a, c, "off"));
        }
        steps.add(() -> {
            Cmd del = cmd("delete", callId).put("from-tag", s);
            if (ph != null && v.has(ph)) {
                del.put("to-tag", ph);
            }
            return send(d, del.map);
        });
        return sequence(steps);
    }

    private <T> Future<T> rollback(NgAddress d, String callId, String a, String c, String s, String ph, String op,
            Throwable cause) {
        LOG.warnf("%s of supervisor %s on call %s failed (%s); rolling back", op, s, callId, cause.getMessage());
        Promise<T> out = Promise.promise();
        query(d, callId).compose(v -> teardown(d, v, callId, a, c, s, ph)).onComplete(ar -> {
            if (ar.failed()) {
                LOG.errorf("rollback of %s for supervisor %s on call %s failed: %s", op, s, callId,
                        ar.cause().getMessage());
            }
            out.fail(new MediaPlanException(op + " of supervisor " + s + " on call " + callId + " failed: "
                    + cause.getMessage() + (ar.succeeded() ? " (rolled back)" : " (rollback failed: "
                            + ar.cause().getMessage() + ")"), ar.succeeded(), cause));
        });
        return out.future();
    }

    // ------------------------------------------------------------------ guards and helpers

    private record Found(NgAddress daemon, CallView view) {
    }

    /** Finds the daemon holding the call (configuration order). */
    private Future<Found> locate(String callId) {
        List<NgAddress> daemons = ng.daemons();
        Promise<Found> out = Promise.promise();
        locate(callId, daemons, 0, null, out);
        return out.future();
    }

    private void locate(String callId, List<NgAddress> daemons, int i, Throwable firstError, Promise<Found> out) {
        if (i >= daemons.size()) {
            out.fail(firstError != null ? firstError
                    : new MediaPlanException("call " + callId + " is not known to any rtpengine"));
            return;
        }
        NgAddress d = daemons.get(i);
        queryOrNull(d, callId).onComplete(ar -> {
            if (ar.succeeded() && ar.result() != null) {
                out.complete(new Found(d, ar.result()));
            } else {
                locate(callId, daemons, i + 1, firstError != null ? firstError : ar.cause(), out);
            }
        });
    }

    private Future<CallView> query(NgAddress d, String callId) {
        return send(d, cmd("query", callId).map).map(CallView::parse);
    }

    /** Query; null when the daemon does not know the call. */
    private Future<CallView> queryOrNull(NgAddress d, String callId) {
        return query(d, callId).recover(err -> err instanceof RtpengineErrorException e && e.isUnknownCall()
                ? Future.succeededFuture(null) : Future.failedFuture(err));
    }

    private static Future<Void> requireCallTags(CallView v, String callId, String a, String c) {
        if (!v.has(a) || !v.has(c)) {
            return Future.failedFuture(new MediaPlanException("call " + callId + " has no " + (v.has(a) ? "client tag "
                    + c : "agent tag " + a) + " in rtpengine; nothing done"));
        }
        return Future.succeededFuture();
    }

    private static Future<Void> requireFresh(CallView v, String callId, String s, String ph) {
        if (v.has(s) || v.has(ph)) {
            return Future.failedFuture(new MediaPlanException("supervisor tag " + s + " already exists in call " + callId
                    + "; use a fresh tag per session"));
        }
        return Future.succeededFuture();
    }

    static boolean hasTelephoneEvent(String sdp) {
        return sdp != null && TELEPHONE_EVENT.matcher(sdp).find();
    }

    /**
     * The placeholder's answer to rtpengine's offer: the same codecs (so telephone-event stays
     * negotiated towards the supervisor) and mids, on the discard port. Nothing is ever sent to it.
     */
    static String placeholderAnswer(String offerToPlaceholder) {
        String sdp = M_AUDIO.matcher(offerToPlaceholder).replaceFirst("m=audio 9 ");
        sdp = O_LINE.matcher(sdp).replaceFirst(Matcher.quoteReplacement("o=- 1 1 IN IP4 127.0.0.1"));
        StringBuilder out = new StringBuilder();
        for (String line : sdp.split("\r\n")) {
            if (line.startsWith("a=rtcp:") || line.startsWith("a=ice-") || line.startsWith("a=candidate")
                    || line.equals("a=sendonly") || line.equals("a=recvonly") || line.equals("a=inactive")) {
                continue;
            }
            out.append(line).append("\r\n");
        }
        return out.toString();
    }

    private Future<Map<String, Object>> send(NgAddress d, Map<String, Object> command) {
        return ng.request(d, command);
    }

    private static Future<Void> sequence(List<Supplier<Future<?>>> steps) {
        Future<?> f = Future.succeededFuture();
        for (Supplier<Future<?>> step : steps) {
            f = f.compose(x -> step.get());
        }
        return f.mapEmpty();
    }

    /** Runs steps in order; if step i fails, runs undo[i-1..0] (best effort) and fails. */
    private static Future<Void> sequenceWithUndo(List<Supplier<Future<?>>> steps, List<Supplier<Future<?>>> undo) {
        Promise<Void> out = Promise.promise();
        runStep(steps, undo, 0, out);
        return out.future();
    }

    private static void runStep(List<Supplier<Future<?>>> steps, List<Supplier<Future<?>>> undo, int i,
            Promise<Void> out) {
        if (i == steps.size()) {
            out.complete();
            return;
        }
        steps.get(i).get().onComplete(ar -> {
            if (ar.succeeded()) {
                runStep(steps, undo, i + 1, out);
                return;
            }
            List<Supplier<Future<?>>> u = new ArrayList<>(undo.subList(0, Math.min(i, undo.size())));
            java.util.Collections.reverse(u);
            sequence(u).onComplete(x -> out.fail(ar.cause()));
        });
    }

    private Future<Void> timer(Duration d) {
        Promise<Void> p = Promise.promise();
        vertx.setTimer(Math.max(1, d.toMillis()), id -> p.complete());
        return p.future();
    }

    private static <T> Uni<T> uni(Supplier<Future<T>> f) {
        return Uni.createFrom().completionStage(() -> f.get().toCompletionStage());
    }

    private static Cmd cmd(String command, String callId) {
        return new Cmd(command, callId);
    }

    /** Small builder for ng dictionaries. */
    private static final class Cmd {
        final Map<String, Object> map = new LinkedHashMap<>();

        Cmd(String command, String callId) {
            map.put("command", command);
            map.put("call-id", callId);
        }

        Cmd put(String k, Object v) {
            map.put(k, v);
            return this;
        }
    }
}
