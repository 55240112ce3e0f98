package io.callsup.e2e;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PNG of {@link VsAsteriskBench}'s latencies with Java2D only (no plotting dependency): per metric
 * the cumulative distribution of each system (x: ms, y: share of joins at or below), misses left out.
 */
final class BenchPlot {

    private static final int W = 420;
    private static final int H = 300;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728)};

    private BenchPlot() {
    }

    /** One colour per system in every plot (the product blue), whatever order its results came in. */
    private static Color colorOf(String system) {
        return COLORS[VsAsteriskBench.PRODUCT.equals(system) ? 0 : 1];
    }

    static void latencies(Map<String, Map<String, List<Double>>> samples, String title, Path png) throws Exception {
        int panels = Math.max(1, samples.size());
        Canvas cv = Canvas.titled(W * panels, title);
        BufferedImage img = cv.img();
        Graphics2D g = cv.g();
        int i = 0;
        for (var metric : samples.entrySet()) {
            panel(g, i++ * W, 30, metric.getKey(), metric.getValue());
        }
        g.dispose();
        write(img, png);
    }

    private static void panel(Graphics2D g, int x0, int y0, String metric, Map<String, List<Double>> bySystem) {
        int left = x0 + 45;
        int right = x0 + W - 15;
        int top = y0 + 30;
        int bottom = y0 + H - 45;
        double max = 1;
        for (List<Double> v : bySystem.values()) {
            for (double d : v) {
                max = Math.max(max, d);
            }
        }
        max = niceCeil(max * 1.05);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawString(metric, x0 + 10, y0 + 18);
        g.drawLine(left, bottom, right, bottom);
        g.drawLine(left, top, left, bottom);
        for (int k = 0; k <= 4; k++) {
            int x = left + (right - left) * k / 4;
            g.setColor(new Color(0xdddddd));
            g.drawLine(x, top, x, bottom);
            g.setColor(Color.BLACK);
            g.drawString(String.format("%.0f", max * k / 4), x - 8, bottom + 14);
            int y = bottom - (bottom - top) * k / 4;
            g.drawString(k * 25 + "%", x0 + 8, y + 4);
        }
        g.drawString("ms", right - 15, bottom + 28);
        int c = 0;
        for (var e : bySystem.entrySet()) {
            List<Double> v = new ArrayList<>(e.getValue());
            v.removeIf(d -> d < 0);
            v.sort(null);
            g.setColor(colorOf(e.getKey()));
            g.setStroke(new BasicStroke(2f));
            int px = left;
            int py = bottom;
            for (int k = 0; k < v.size(); k++) {
                int x = left + (int) ((right - left) * v.get(k) / max);
                int y = bottom - (int) ((bottom - top) * (k + 1.0) / v.size());
                g.drawLine(px, py, x, py);
                g.drawLine(x, py, x, y);
                px = x;
                py = y;
            }
            g.drawString(e.getKey() + " (n=" + v.size() + ")", left + 10 + c * 150, bottom + 28);
            c++;
        }
        g.setStroke(new BasicStroke(1f));
    }

    /**
     * PNG of the CPU-per-call curve: per system, ms CPU per s per whisper-supervised call (y) against
     * the number of such calls N (x), from the phases where every call was supervised.
     */
    static void cpuCurve(List<VsAsteriskCpu.Result> results, String title, Path png) throws Exception {
        Map<String, List<double[]>> bySystem = new java.util.LinkedHashMap<>();
        double maxN = 1;
        double maxY = 1;
        for (VsAsteriskCpu.Result r : results) {
            if (r.calls() != r.supervised()) {
                continue;
            }
            bySystem.computeIfAbsent(r.system(), k -> new ArrayList<>()).add(new double[]{r.calls(), r.perCall()});
            maxN = Math.max(maxN, r.calls());
            maxY = Math.max(maxY, r.perCall());
        }
        maxN = niceCeil(maxN);
        maxY = niceCeil(maxY * 1.1);
        int w = 2 * W;
        Canvas cv = Canvas.titled(w, title);
        BufferedImage img = cv.img();
        Graphics2D g = cv.g();
        int left = 60;
        int right = w - 20;
        int top = 60;
        int bottom = H - 15;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawLine(left, bottom, right, bottom);
        g.drawLine(left, top, left, bottom);
        for (int k = 0; k <= 4; k++) {
            int x = left + (right - left) * k / 4;
            int y = bottom - (bottom - top) * k / 4;
            g.setColor(new Color(0xdddddd));
            g.drawLine(x, top, x, bottom);
            g.drawLine(left, y, right, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format("%.0f", maxN * k / 4), x - 8, bottom + 14);
            g.drawString(String.format("%.1f", maxY * k / 4), left - 35, y + 4);
        }
        g.drawString("N whisper-supervised calls", right - 160, bottom + 28);
        g.drawString("ms CPU per s per call", left + 5, top - 8);
        int c = 0;
        for (var e : bySystem.entrySet()) {
            List<double[]> pts = e.getValue();
            pts.sort((a, b) -> Double.compare(a[0], b[0]));
            g.setColor(colorOf(e.getKey()));
            g.setStroke(new BasicStroke(2f));
            int px = -1;
            int py = -1;
            for (double[] p : pts) {
                int x = left + (int) ((right - left) * p[0] / maxN);
                int y = bottom - (int) ((bottom - top) * p[1] / maxY);
                g.fillOval(x - 4, y - 4, 8, 8);
                g.drawString(String.format("%.1f", p[1]), x + 6, y - 6);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            g.drawString(e.getKey(), left + 10 + c * 150, top + 14);
            c++;
        }
        g.dispose();
        write(img, png);
    }

    private static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[]{1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    /** A white image of the plots' height with {@code title} at the top, and its pen (black, bold 14). */
    private record Canvas(BufferedImage img, Graphics2D g) {
        static Canvas titled(int width, String title) {
            BufferedImage img = new BufferedImage(width, H + 30, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, 10, 20);
            return new Canvas(img, g);
        }
    }

    private static void write(BufferedImage img, Path png) throws java.io.IOException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        ImageIO.write(img, "png", png.toFile());
    }
}
