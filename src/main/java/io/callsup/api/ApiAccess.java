package io.callsup.api;

import io.callsup.policy.Permission;
import io.callsup.policy.Trigger;
import io.callsup.security.Caller;
import io.callsup.supervision.ApiActor;
import io.callsup.web.ProblemException;

/** Permission checks of the call-control API, from the request's {@link Caller}. */
final class ApiAccess {

    private ApiAccess() {
    }

    /** Listing and reading: CALL_CONTROL_READ, or CALL_CONTROL_MODIFY (which includes it). */
    static void requireRead(Caller caller) {
        if (!caller.permissions().contains(Permission.CALL_CONTROL_READ)
                && !caller.permissions().contains(Permission.CALL_CONTROL_MODIFY)) {
            throw missing("CALL_CONTROL_READ");
        }
    }

    static void requireModify(Caller caller) {
        if (!caller.permissions().contains(Permission.CALL_CONTROL_MODIFY)) {
            throw missing("CALL_CONTROL_MODIFY");
        }
    }

    static ProblemException missing(String permission) {
        return new ProblemException(403, "missing-permission", "Missing permission",
                "this credential's role lacks " + permission, null);
    }

    static Trigger.Application trigger(Caller caller) {
        return new Trigger.Application(caller.realm(), caller.permissions(), caller.accountId());
    }

    static ApiActor actor(Caller caller) {
        return new ApiActor(caller.credentialId(), caller.username());
    }
}
