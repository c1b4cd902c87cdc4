package org.maha.imagenet;

import java.util.ArrayList;
import java.util.List;

/** Turns a classifier's scores into ranked class probabilities. */
public final class ClassRanking {
  private ClassRanking() {}

  /** One class and its probability. */
  public record Ranked(int index, double probability) {}

  /** The {@code k} most probable classes, most probable first (ties: lower index first). */
  public static List<Ranked> topK(double[] p, int k) {
    List<Ranked> all = new ArrayList<>();
    for (int i = 0; i < p.length; i++) {
      all.add(new Ranked(i, p[i]));
    }
    all.sort((a, b) -> a.probability() != b.probability() ? Double.compare(b.probability(), a.probability())
        : Integer.compare(a.index(), b.index()));
    return List.copyOf(all.subList(0, Math.min(k, p.length)));
  }

  /** Softmax in float64, stable for large scores (the maximum is subtracted before exp). */
  public static double[] softmax(float[] scores) {
    double max = Double.NEGATIVE_INFINITY;
    for (float s : scores) {
      max = Math.max(max, s);
    }
    double[] p = new double[scores.length];
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(scores[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  /** Probabilities already computed by the graph, widened to float64. */
  public static double[] widen(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }
}
