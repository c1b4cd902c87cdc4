package org.maha.model;

/** The maha version, from the jar manifest when packaged, else the development version. */
public final class MahaVersion {
  private static final String DEV = "0.2.0-SNAPSHOT";

  private MahaVersion() {}

  public static String get() {
    String v = MahaVersion.class.getPackage().getImplementationVersion();
    return v == null ? DEV : v;
  }
}
