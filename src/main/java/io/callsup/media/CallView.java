package io.callsup.media;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an rtpengine {@code query} says about a call: the tags it holds, who receives whom, and
 * which tags have the audio player (mixing) on. All supervision state that matters for safety is
 * derived from here rather than kept in memory, so it survives a service restart.
 */
final class CallView {

    /** One participant (monologue). {@code pubSubFrom}: tags whose media this one receives through inject/publish. */
    record Tag(String tag, Set<String> pubSubFrom, Set<String> offerAnswerPeers, boolean audioPlayer, String label,
            String codec) {
    }

    private final Map<String, Tag> tags;

    private CallView(Map<String, Tag> tags) {
        this.tags = tags;
    }

    @SuppressWarnings("unchecked")
    static CallView parse(Map<String, Object> query) {
        Map<String, Tag> out = new HashMap<>();
        if (query.get("tags") instanceof Map<?, ?> tags) {
            for (Map.Entry<?, ?> e : tags.entrySet()) {
                if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof Map<?, ?> t)) {
                    continue;
                }
                Set<String> pubSub = new HashSet<>();
                Set<String> oa = new HashSet<>();
                if (t.get("subscriptions") instanceof List<?> subs) {
                    for (Object o : subs) {
                        if (o instanceof Map<?, ?> s && s.get("tag") instanceof String from) {
                            if ("offer/answer".equals(s.get("type"))) {
                                oa.add(from);
                            } else {
                                pubSub.add(from);
                            }
                        }
                    }
                }
                boolean player = false;
                String codec = null;
                if (t.get("medias") instanceof List<?> medias) {
                    for (Object m : medias) {
                        if (m instanceof Map<?, ?> mm && mm.get("flags") instanceof List<?> flags
                                && flags.contains("audio player")) {
                            player = true;
                        }
                        if (codec == null && m instanceof Map<?, ?> mm && mm.get("codec") instanceof String c) {
                            codec = c;
                        }
                    }
                }
                String label = t.get("label") instanceof String l ? l : null;
                out.put(name, new Tag(name, Set.copyOf(pubSub), Set.copyOf(oa), player, label, codec));
            }
        }
        return new CallView(Map.copyOf(out));
    }

    boolean has(String tag) {
        return tag != null && tags.containsKey(tag);
    }

    Tag tag(String tag) {
        return tags.get(tag);
    }

    Set<String> tags() {
        return tags.keySet();
    }

    /** The tag's label, null when it has none (or the tag is unknown). */
    String label(String tag) {
        Tag t = tags.get(tag);
        return t == null ? null : t.label();
    }

    /** The codec rtpengine negotiated for the tag's first stream (e.g. {@code G722/8000}), null when unknown. */
    String codec(String tag) {
        Tag t = tags.get(tag);
        return t == null ? null : t.codec();
    }

    /** True when {@code to} receives {@code from} in any way (offer/answer or inject/publish). */
    boolean receives(String to, String from) {
        Tag t = tags.get(to);
        return t != null && (t.pubSubFrom().contains(from) || t.offerAnswerPeers().contains(from));
    }

    /** True when {@code to} receives {@code from} through an inject/publish flow. */
    boolean flows(String from, String to) {
        Tag t = tags.get(to);
        return t != null && t.pubSubFrom().contains(from);
    }

    /** Both legs of the normal call have the audio player on (connect directional + force). */
    boolean armed(String agentTag, String clientTag) {
        Tag a = tags.get(agentTag);
        Tag c = tags.get(clientTag);
        return a != null && c != null && a.audioPlayer() && c.audioPlayer();
    }

    /** Tags other than agent/client/excluded that receive the agent or the client: supervisors. */
    Set<String> supervisors(String agentTag, String clientTag) {
        Set<String> out = new HashSet<>();
        for (Tag t : tags.values()) {
            if (!t.tag().equals(agentTag) && !t.tag().equals(clientTag)
                    && (t.pubSubFrom().contains(agentTag) || t.pubSubFrom().contains(clientTag))) {
                out.add(t.tag());
            }
        }
        return out;
    }
}
