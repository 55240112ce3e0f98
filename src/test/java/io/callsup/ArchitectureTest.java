package io.callsup;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The package layout of ARCHITECTURE.md, held: no cycles, and a pure core that imports only the vocabulary. */
class ArchitectureTest {

    private static final Path MAIN = Path.of("src/main/java/io/callsup");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package (io\\.callsup[\\w.]*);");
    // Imports and fully qualified names alike: io.callsup.<package path>.<Type>
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.callsup((?:\\.[a-z]\\w*)*)\\.[A-Z]");

    static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String source = Files.readString(f);
                Matcher pkg = PACKAGE.matcher(source);
                assertThat(pkg.find()).as("package of %s", f).isTrue();
                String from = pkg.group(1).replaceFirst("^io\\.callsup\\.?", "");
                Set<String> to = graph.computeIfAbsent(from, k -> new TreeSet<>());
                Matcher ref = REFERENCE.matcher(source.substring(pkg.end()));
                while (ref.find()) {
                    String target = ref.group(1).replaceFirst("^\\.", "");
                    if (!target.equals(from)) {
                        to.add(target);
                    }
                }
            }
        }
        return graph;
    }

    @Test
    void noPackageCycles() throws IOException {
        Map<String, Set<String>> graph = dependencies();
        assertThat(graph).containsKeys("model", "supervision", "supervision.machine", "supervision.port", "media",
                "kamailio", "audit");
        List<List<String>> cycles = new Tarjan(graph).cycles();
        assertThat(cycles).as("package cycles in %s", graph).isEmpty();
    }

    @Test
    void theVocabularyAndThePureCoreImportNothingElse() throws IOException {
        Map<String, Set<String>> graph = dependencies();
        assertThat(graph.get("model")).isEmpty();
        assertThat(graph.get("supervision.machine")).containsOnly("model");
        assertThat(graph.get("supervision.port")).containsOnly("model");
        assertThat(graph.get("policy")).doesNotContain("tenant", "supervision", "media", "kamailio", "audit");
        assertThat(graph.get("dialplan")).containsOnly("model");
        // The core reaches the edges only through its ports.
        assertThat(graph.get("supervision")).doesNotContain("media", "kamailio", "audit");
    }

    /** Strongly connected components of more than one package. */
    private static final class Tarjan {
        private final Map<String, Set<String>> graph;
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> low = new HashMap<>();
        private final List<String> stack = new ArrayList<>();
        private final List<List<String>> found = new ArrayList<>();
        private int next;

        Tarjan(Map<String, Set<String>> graph) {
            this.graph = graph;
        }

        List<List<String>> cycles() {
            graph.keySet().forEach(v -> {
                if (!index.containsKey(v)) {
                    visit(v);
                }
            });
            return found;
        }

        private void visit(String v) {
            index.put(v, next);
            low.put(v, next++);
            stack.add(v);
            for (String w : graph.getOrDefault(v, Set.of())) {
                if (!index.containsKey(w)) {
                    visit(w);
                    low.put(v, Math.min(low.get(v), low.get(w)));
                } else if (stack.contains(w)) {
                    low.put(v, Math.min(low.get(v), index.get(w)));
                }
            }
            if (low.get(v).equals(index.get(v))) {
                List<String> component = new ArrayList<>();
                String w;
                do {
                    w = stack.remove(stack.size() - 1);
                    component.add(w);
                } while (!w.equals(v));
                if (component.size() > 1) {
                    found.add(component);
                }
            }
        }
    }
}
