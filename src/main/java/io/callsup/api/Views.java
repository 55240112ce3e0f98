package io.callsup.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.callsup.calls.ActiveCall;
import io.callsup.calls.CallRegistry;
import io.callsup.supervision.ModeChange;
import io.callsup.model.SessionState;
import io.callsup.supervision.SupervisionSession;
import io.callsup.tenant.Account;
import io.callsup.tenant.HuntGroup;
import io.callsup.tenant.HuntGroupMember;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** JSON shapes of the call-control API. Build them inside a transaction. */
public final class Views {

    private Views() {
    }

    @RegisterForReflection
    public record AccountRef(long accountId, String extension, String displayName) {
        static AccountRef of(Long id) {
            if (id == null) {
                return null;
            }
            Account a = Account.findById(id);
            return a == null ? new AccountRef(id, null, null) : new AccountRef(a.id, a.extension, a.displayName);
        }
    }

    @RegisterForReflection
    public record HuntGroupRef(long id, String name) {
    }

    @RegisterForReflection
    public record SupervisorEntry(UUID sessionId, AccountRef supervisor, String state, String mode) {
    }

    @RegisterForReflection
    public record CallView(String callId, AccountRef agent, List<HuntGroupRef> huntGroups, Instant startedAt,
                           String clientNumber, List<SupervisorEntry> supervisors) {
        static CallView of(ActiveCall call) {
            Long agentId = CallRegistry.agentOf(call);
            List<HuntGroupRef> groups = agentId == null ? List.of()
                    : HuntGroupMember.listForAccounts(List.of(agentId)).stream()
                    .map(m -> HuntGroup.<HuntGroup>findById(m.huntGroupId))
                    .map(g -> new HuntGroupRef(g.id, g.name)).toList();
            String client = agentId == null ? null : call.otherNumber(agentId);
            List<SupervisorEntry> supervisors = SupervisionSession.liveOnCall(call.callId).stream()
                    .map(s -> new SupervisorEntry(s.id, AccountRef.of(s.supervisorAccountId), Views.state(s),
                            s.mode.name())).toList();
            return new CallView(call.callId, AccountRef.of(agentId), groups, call.startedAt, mask(client), supervisors);
        }
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ModeChangeView(String fromMode, String toMode, String trigger, Instant at, TriggeredBy triggeredBy) {
    }

    /** Who moved the mode: an API credential, or the supervisor's own phone (code or digit). */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TriggeredBy(String kind, Long credentialId, String credentialUsername, Long accountId) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SessionView(UUID id, String callId, String state, String mode, String endReason,
                              AccountRef supervisor, AccountRef agent, String joinedBy, String credentialRealm,
                              Long credentialId, Instant startedAt, Instant endedAt, List<ModeChangeView> history) {
        static SessionView of(SupervisionSession s) {
            List<ModeChangeView> history = ModeChange.history(s.id).stream().map(c -> new ModeChangeView(
                    c.fromMode == null ? null : c.fromMode.name(), c.toMode.name(), c.trigger.name(), c.changedAt,
                    c.credentialId != null ? new TriggeredBy("API_CREDENTIAL", c.credentialId, c.credentialUsername, null)
                            : new TriggeredBy("SUPERVISOR_PHONE", null, null, s.supervisorAccountId))).toList();
            return new SessionView(s.id, s.callId, Views.state(s), s.mode.name(),
                    s.endReason == null ? null : s.endReason.name(), AccountRef.of(s.supervisorAccountId),
                    AccountRef.of(s.agentAccountId), s.joinedBy.name(), s.credentialRealm, s.credentialId, s.startedAt,
                    s.endedAt, history);
        }
    }

    /** JOINING is shown as RINGING: for an application join it is the time the phone rings. */
    static String state(SupervisionSession s) {
        return s.state == SessionState.JOINING ? "RINGING" : s.state.name();
    }

    /** The client's number with all but its last digits hidden: 4 shown from 8 characters, 2 from 5, else none. */
    static String mask(String number) {
        if (number == null) {
            return null;
        }
        int shown = number.length() >= 8 ? 4 : number.length() >= 5 ? 2 : 0;
        return "*".repeat(number.length() - shown) + number.substring(number.length() - shown);
    }
}
