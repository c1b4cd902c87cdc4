package org.maha.zoo;

import java.util.Map;
import org.maha.catalog.CatalogEntry;

/** Reads the build options every family understands from a builder's {@code overrides} map. */
final class Overrides {
  private Overrides() {}

  /** {@link BackboneZoo#OVERRIDE_MAPS}: "true" also outputs the full maps {@code L0_map, ...}; default false. */
  static boolean maps(Map<String, String> overrides) throws ZooException {
    return flag(overrides, BackboneZoo.OVERRIDE_MAPS);
  }

  /** {@link BackboneZoo#OVERRIDE_CLASSIFIER}: "true" adds the classifier outputs; default false. */
  static boolean classifier(Map<String, String> overrides) throws ZooException {
    return flag(overrides, BackboneZoo.OVERRIDE_CLASSIFIER);
  }

  private static boolean flag(Map<String, String> overrides, String key) throws ZooException {
    String v = overrides.get(key);
    if (v == null || v.equals("false")) {
      return false;
    }
    if (v.equals("true")) {
      return true;
    }
    throw new ZooException(key + ": expected true or false, found '" + v + "'");
  }

  /** {@link BackboneZoo#OVERRIDE_INPUT_SIZE}: the square input size; default the entry's native size. */
  static int inputSizePx(Map<String, String> overrides, CatalogEntry entry) throws ZooException {
    String v = overrides.get(BackboneZoo.OVERRIDE_INPUT_SIZE);
    if (v == null) {
      return entry.inputSizePx();
    }
    try {
      int s = Integer.parseInt(v);
      if (s > 0) {
        return s;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ZooException(BackboneZoo.OVERRIDE_INPUT_SIZE + ": expected a positive integer, found '" + v + "'");
  }
}
