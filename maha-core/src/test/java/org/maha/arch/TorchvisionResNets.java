package org.maha.arch;

import java.util.LinkedHashMap;
import java.util.Map;
import org.maha.weights.Tensor;

/**
 * State dicts with the keys and shapes of torchvision's {@code resnet.py} (its {@code _make_layer} rules), filled
 * with a constant: for structure tests of full-size architectures without shipping their weights.
 */
final class TorchvisionResNets {
  private TorchvisionResNets() {}

  static Map<String, Tensor> stateDict(boolean bottleneck, int[] layers, int groups, int widthPerGroup,
      int classes) {
    Map<String, Tensor> sd = new LinkedHashMap<>();
    int expansion = bottleneck ? 4 : 1;
    int inplanes = 64;
    conv(sd, "conv1", 64, 3, 7);
    bn(sd, "bn1", 64);
    int[] planesPerStage = {64, 128, 256, 512};
    for (int s = 0; s < 4; s++) {
      int planes = planesPerStage[s];
      int stride = s == 0 ? 1 : 2;
      for (int b = 0; b < layers[s]; b++) {
        String p = "layer" + (s + 1) + "." + b + ".";
        if (bottleneck) {
          int width = (int) (planes * (widthPerGroup / 64.0)) * groups;
          conv(sd, p + "conv1", width, inplanes, 1);
          bn(sd, p + "bn1", width);
          conv(sd, p + "conv2", width, width / groups, 3);
          bn(sd, p + "bn2", width);
          conv(sd, p + "conv3", planes * expansion, width, 1);
          bn(sd, p + "bn3", planes * expansion);
        } else {
          conv(sd, p + "conv1", planes, inplanes, 3);
          bn(sd, p + "bn1", planes);
          conv(sd, p + "conv2", planes, planes, 3);
          bn(sd, p + "bn2", planes);
        }
        if (b == 0 && (stride != 1 || inplanes != planes * expansion)) {
          conv(sd, p + "downsample.0", planes * expansion, inplanes, 1);
          bn(sd, p + "downsample.1", planes * expansion);
        }
        inplanes = planes * expansion;
      }
    }
    if (classes > 0) {
      sd.put("fc.weight", tensor("fc.weight", 0.01f, classes, inplanes));
      sd.put("fc.bias", tensor("fc.bias", 0f, classes));
    }
    return sd;
  }

  static Map<String, Tensor> resnet18() {
    return stateDict(false, new int[] {2, 2, 2, 2}, 1, 64, 1000);
  }

  private static void conv(Map<String, Tensor> sd, String name, int out, int in, int k) {
    sd.put(name + ".weight", tensor(name + ".weight", 0.01f, out, in, k, k));
  }

  private static void bn(Map<String, Tensor> sd, String name, int c) {
    sd.put(name + ".weight", tensor(name + ".weight", 1f, c));
    sd.put(name + ".bias", tensor(name + ".bias", 0f, c));
    sd.put(name + ".running_mean", tensor(name + ".running_mean", 0f, c));
    sd.put(name + ".running_var", tensor(name + ".running_var", 1f, c));
    sd.put(name + ".num_batches_tracked", new Tensor(name + ".num_batches_tracked", new int[0], new float[] {0}));
  }

  private static Tensor tensor(String name, float value, int... shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    float[] data = new float[n];
    java.util.Arrays.fill(data, value);
    return new Tensor(name, shape, data);
  }
}
