package io.callsup.supervision;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The API credential behind an application trigger, kept in the mode history as "who". */
@RegisterForReflection
public record ApiActor(long credentialId, String username) {
}
