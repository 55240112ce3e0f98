package io.callsup.e2e;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark says which latency targets it meets and which it misses, and by how much. */
class BenchVerdictTest {

    @Test
    void saysMetMissedAndNotMeasured() {
        BenchFigures f = new BenchFigures();
        for (int i = 1; i <= 10; i++) {
            f.add("fast", "product", i);          // p99 10
            f.add("fast", "Asterisk", 10.0 * i);  // p99 100
            f.add("slow", "product", 30.0 * i);   // p50 150, p99 300
            f.add("slow", "Asterisk", 10.0 * i);  // p50 50, p99 100
        }
        f.add("slow", "product", -1); // a miss is not a sample
        Map<String, double[]> targets = new LinkedHashMap<>();
        targets.put("fast", new double[]{Double.NaN, 0.3});
        targets.put("slow", new double[]{1.0, 2.0});
        targets.put("absent", new double[]{1.0, 1.0});

        assertThat(f.verdicts("product", "Asterisk", targets)).containsExactly(
                "target fast: p99 10.0 ms vs 100.0 ms = 0.10 (target <= 0.30: met)",
                "target slow: p50 150.0 ms vs 50.0 ms = 3.00 (target <= 1.00: missed by 2.00; 50.0 ms or less would pass)",
                "target slow: p99 300.0 ms vs 100.0 ms = 3.00 (target <= 2.00: missed by 1.00; 200.0 ms or less would pass)",
                "target absent: NOT MEASURED (no samples)");
    }
}
