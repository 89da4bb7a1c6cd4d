package dev.probe.bench.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Draws packets per second against burst size (x, one point per burst) and ring size (one line each),
 * one panel per worker layout and one row of panels per source; solid lines for the backoff idle
 * strategy, dashed for busy-spin. Plain java.awt, headless.
 */
final class Chart {
    private static final int PANEL_W = 420;
    private static final int PANEL_H = 300;
    private static final int MARGIN_L = 60;
    private static final int MARGIN_B = 45;
    private static final int MARGIN_T = 30;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0x9467bd), new Color(0xff7f0e)};

    private Chart() {
    }

    static void write(final Path file, final List<Report.PipelineRow> rows) throws IOException {
        System.setProperty("java.awt.headless", "true");
        final List<String> sources = new ArrayList<>(new TreeSet<>(rows.stream().map(Report.PipelineRow::source).toList()));
        final List<String> layouts = new ArrayList<>(new TreeSet<>(rows.stream().map(Report.PipelineRow::layout).toList()));
        final List<Integer> rings = new ArrayList<>(new TreeSet<>(rows.stream().map(Report.PipelineRow::ring).toList()));
        final List<String> idles = new ArrayList<>(new TreeSet<>(rows.stream().map(Report.PipelineRow::idle).toList()));
        final int legendH = 40;
        final int w = PANEL_W * layouts.size() + 20;
        final int h = PANEL_H * sources.size() + legendH + 40;
        final BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString("Pipeline throughput (Mpps) by receive burst size; one line per transmit ring size", 10, 22);
        for (int s = 0; s < sources.size(); s++) {
            for (int l = 0; l < layouts.size(); l++) {
                final String source = sources.get(s);
                final String layout = layouts.get(l);
                final List<Report.PipelineRow> panel = rows.stream()
                        .filter(r -> r.source().equals(source) && r.layout().equals(layout)).toList();
                drawPanel(g, 10 + l * PANEL_W, 35 + s * PANEL_H, source + ", layout " + layout
                        + " (queues x workers)", panel, rings, idles);
            }
        }
        // legend
        int x = 20;
        final int y = h - legendH + 5;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (int i = 0; i < rings.size(); i++) {
            g.setColor(COLORS[i % COLORS.length]);
            g.setStroke(new BasicStroke(3f));
            g.drawLine(x, y + 10, x + 30, y + 10);
            g.setColor(Color.BLACK);
            g.drawString("ring " + rings.get(i), x + 36, y + 15);
            x += 130;
        }
        for (int i = 0; i < idles.size(); i++) {
            g.setColor(Color.DARK_GRAY);
            g.setStroke(stroke(i));
            g.drawLine(x, y + 10, x + 30, y + 10);
            g.setColor(Color.BLACK);
            g.drawString(idles.get(i), x + 36, y + 15);
            x += 130;
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static BasicStroke stroke(final int idleIndex) {
        return idleIndex == 0 ? new BasicStroke(2.5f)
                : new BasicStroke(2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 6f}, 0f);
    }

    private static void drawPanel(final Graphics2D g, final int x0, final int y0, final String title,
                                  final List<Report.PipelineRow> rows, final List<Integer> rings, final List<String> idles) {
        final List<Integer> bursts = new ArrayList<>(new TreeSet<>(rows.stream().map(Report.PipelineRow::burst).toList()));
        final double max = Math.max(1, rows.stream().mapToDouble(Report.PipelineRow::mpps).max().orElse(1)) * 1.1;
        final double top = niceCeiling(max);
        final int px = x0 + MARGIN_L;
        final int py = y0 + MARGIN_T;
        final int pw = PANEL_W - MARGIN_L - 20;
        final int ph = PANEL_H - MARGIN_T - MARGIN_B;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.setColor(Color.BLACK);
        g.drawString(title, x0 + 10, y0 + 18);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        final FontMetrics fm = g.getFontMetrics();
        g.setStroke(new BasicStroke(1f));
        for (int t = 0; t <= 5; t++) {
            final double v = top * t / 5;
            final int yy = py + ph - (int) Math.round(ph * v / top);
            g.setColor(new Color(0xdddddd));
            g.drawLine(px, yy, px + pw, yy);
            g.setColor(Color.BLACK);
            final String label = String.format(Locale.ROOT, top >= 10 ? "%.0f" : "%.1f", v);
            g.drawString(label, px - 6 - fm.stringWidth(label), yy + 4);
        }
        g.drawRect(px, py, pw, ph);
        if (bursts.isEmpty()) {
            g.drawString("no data", px + pw / 2 - 20, py + ph / 2);
            return;
        }
        for (int i = 0; i < bursts.size(); i++) {
            final int xx = xOf(i, bursts.size(), px, pw);
            final String label = String.valueOf(bursts.get(i));
            g.drawString(label, xx - fm.stringWidth(label) / 2, py + ph + 15);
        }
        g.drawString("receive burst size (packets)", px + pw / 2 - 70, py + ph + 32);
        final Graphics2D gy = (Graphics2D) g.create();
        gy.rotate(-Math.PI / 2);
        gy.drawString("Mpps", -(py + ph / 2 + 15), x0 + 14);
        gy.dispose();
        for (int r = 0; r < rings.size(); r++) {
            for (int k = 0; k < idles.size(); k++) {
                final int ring = rings.get(r);
                final String idle = idles.get(k);
                int lastX = -1;
                int lastY = -1;
                for (int i = 0; i < bursts.size(); i++) {
                    final int burst = bursts.get(i);
                    final Report.PipelineRow row = rows.stream().filter(x -> x.ring() == ring && x.idle().equals(idle)
                            && x.burst() == burst).findFirst().orElse(null);
                    if (row == null) {
                        continue;
                    }
                    final int xx = xOf(i, bursts.size(), px, pw);
                    final int yy = py + ph - (int) Math.round(ph * Math.min(row.mpps(), top) / top);
                    g.setColor(COLORS[r % COLORS.length]);
                    g.setStroke(stroke(k));
                    if (lastX >= 0) {
                        g.drawLine(lastX, lastY, xx, yy);
                    }
                    g.fillOval(xx - 4, yy - 4, 8, 8);
                    lastX = xx;
                    lastY = yy;
                }
            }
        }
    }

    private static int xOf(final int i, final int n, final int px, final int pw) {
        return n == 1 ? px + pw / 2 : px + 20 + (pw - 40) * i / (n - 1);
    }

    private static double niceCeiling(final double v) {
        final double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (final double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
