import java.nio.file.Path;
import java.util.List;
import org.maha.data.SyntheticInspectionSet;

/**
 * Writes the demo generator's fabric category with N training images (maha demo's generator, the demo's size,
 * seed and test images otherwise) for scripts/bench-maps/bench_maps.sh. Run as a single-file program on the maha
 * jar: java -cp maha-cli/target/maha.jar scripts/bench-maps/MakeSet.java OUT N
 */
public class MakeSet {
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: MakeSet OUT_DIR N_TRAIN");
      System.exit(2);
    }
    SyntheticInspectionSet.Spec demo = SyntheticInspectionSet.Spec.demo();
    SyntheticInspectionSet.write(Path.of(args[0]), new SyntheticInspectionSet.Spec(List.of("fabric"), demo.px(),
        Integer.parseInt(args[1]), demo.nTestGood(), demo.nPerDefect(), demo.seed()));
  }
}
