package org.maha.augment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AugmentationRulesTest {

  /** PAPER.md §1.9 / MVTecAD.augmentation_info, written out per category: flip, rot90, rot45, edge, noise. */
  private static final Map<String, AugmentationRules> EXPECTED = Map.ofEntries(
      Map.entry("bottle", new AugmentationRules(true, true, false, true, true)),
      Map.entry("cable", new AugmentationRules(true, true, false, true, true)),
      Map.entry("capsule", new AugmentationRules(false, true, false, true, true)),
      Map.entry("carpet", new AugmentationRules(true, true, true, true, true)),
      Map.entry("grid", new AugmentationRules(true, true, true, false, true)),
      Map.entry("hazelnut", new AugmentationRules(true, true, true, true, true)),
      Map.entry("leather", new AugmentationRules(true, true, true, true, true)),
      Map.entry("metal_nut", new AugmentationRules(false, true, false, true, true)),
      Map.entry("pill", new AugmentationRules(false, true, false, true, true)),
      Map.entry("screw", new AugmentationRules(false, true, false, true, true)),
      Map.entry("tile", new AugmentationRules(true, true, true, true, true)),
      Map.entry("toothbrush", new AugmentationRules(true, true, false, true, true)),
      Map.entry("transistor", new AugmentationRules(true, false, false, true, true)),
      Map.entry("wood", new AugmentationRules(true, true, false, true, true)),
      Map.entry("zipper", new AugmentationRules(true, true, false, true, true)));

  @Test
  void mvtecCategoriesFollowTheOfficialTable() {
    assertThat(AugmentationRules.MVTEC_CATEGORIES).containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
    for (var e : EXPECTED.entrySet()) {
      assertThat(AugmentationRules.forMvtecCategory(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  @Test
  void unknownNamesGetTheDefaults() {
    assertThat(AugmentationRules.defaults()).isEqualTo(new AugmentationRules(true, true, false, true, true));
    assertThat(AugmentationRules.forMvtecCategory("fabric")).isEqualTo(AugmentationRules.defaults());
    assertThat(AugmentationRules.forMvtecCategory("Bottle")).isEqualTo(AugmentationRules.defaults());
    assertThat(AugmentationRules.forMvtecCategory(null)).isEqualTo(AugmentationRules.defaults());
  }

  @Test
  void describeNamesEachSetting() {
    assertThat(AugmentationRules.forMvtecCategory("carpet").describe())
        .isEqualTo("flip, rot90, rot\u00b145\u00b0, shift/scale, noise");
    assertThat(AugmentationRules.forMvtecCategory("screw").describe())
        .isEqualTo("no flip, rot90, rot\u00b115\u00b0, shift/scale, noise");
    assertThat(AugmentationRules.forMvtecCategory("grid").describe()).contains("no edge shift");
    assertThat(AugmentationRules.forMvtecCategory("transistor").describe()).contains("no rot90");
  }
}
