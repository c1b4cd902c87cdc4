/**
 * The maths of anomaly maps (PaDiM, Defard et al. 2020, "PaDiM: a Patch Distribution Modeling Framework for
 * Anomaly Detection and Localization", which extends Rippel et al. 2020 to patches), free of I/O: the levels'
 * feature maps brought to one grid ({@link org.maha.maps.GridConcat}, as PaDiM's {@code embedding_concat}) and a
 * seeded channel subset of them ({@link org.maha.maps.ChannelSubset}); a Gaussian per grid position fitted by the
 * project's streaming float64 accumulators with Ledoit–Wolf shrinkage ({@link org.maha.maps.PositionAccumulator},
 * {@link org.maha.maps.PositionGaussians}) and its Mahalanobis map; the map's bilinear upsampling to the image
 * ({@link org.maha.maps.Bilinear}, as PyTorch's {@code F.interpolate}) and Gaussian smoothing
 * ({@link org.maha.maps.GaussianSmoothing}, as SciPy's {@code gaussian_filter}).
 *
 * <p>Feature grids are {@code float[]} in CHW order (channel-major, then rows, then columns), as the backbone
 * delivers them; maps are {@code double[]} row-major {@code height × width}. Every result is checked against
 * NumPy / scikit-learn / SciPy / PyTorch fixtures written by {@code src/test/resources/org/maha/maps/make_fixtures.py}.
 */
package org.maha.maps;
