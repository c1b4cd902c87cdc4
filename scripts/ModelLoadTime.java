import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * Process CPU time of {@code FittedModel.load} alone, the first load in a fresh JVM (what a one-image {@code maha
 * score} pays), and optionally of further loads in the same JVM (warm). Used by {@code scripts/bench_cold_start.sh};
 * run as a single-file program on a maha jar's classpath:
 *
 * <pre>java -cp maha-cli/target/maha.jar scripts/ModelLoadTime.java MODEL [WARM_LOADS]</pre>
 *
 * Prints {@code wallSeconds cpuSeconds} of the first load, then the warm CPU seconds per load when asked.
 */
public class ModelLoadTime {
  public static void main(String[] args) throws Exception {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Path model = Path.of(args[0]);
    long c0 = os.getProcessCpuTime();
    long w0 = System.nanoTime();
    org.maha.api.FittedModel.load(model);
    long c1 = os.getProcessCpuTime();
    long w1 = System.nanoTime();
    int warm = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    for (int i = 0; i < warm; i++) {
      org.maha.api.FittedModel.load(model);
    }
    long c2 = os.getProcessCpuTime();
    System.out.printf("%.3f %.3f%s%n", (w1 - w0) / 1e9, (c1 - c0) / 1e9,
        warm > 0 ? String.format(" %.3f", (c2 - c1) / 1e9 / warm) : "");
  }
}
