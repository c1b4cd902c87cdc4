package org.maha.eval;

/** A mean with its standard error sem = std(ddof = 1)/√n over n values; sem is NaN when n == 1. */
public record MeanSem(double mean, double sem, int n) {}
