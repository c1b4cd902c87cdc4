package org.maha.zoo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.maha.arch.ResNet;
import org.maha.weights.Tensor;

/**
 * A seeded torchvision-style initialisation of a ResNet state dict: convolutions Kaiming-normal with
 * {@code mode="fan_out"} for ReLU (std √(2 / (C_out·k·k))), BatchNorm γ = 1, β = 0, running mean 0, running
 * variance 1, as torchvision's {@code ResNet.__init__} leaves them; no classifier. For tests and demos: it is not
 * pretrained and the zoo names every graph made from it so.
 */
final class RandomResNetWeights {
  private RandomResNetWeights() {}

  static Map<String, Tensor> generate(ResNetConfig cfg, long seed) {
    Random rng = new Random(seed);
    Map<String, Tensor> sd = new LinkedHashMap<>();
    conv(sd, rng, "conv1", cfg.stemWidth(), 3, 7);
    bn(sd, "bn1", cfg.stemWidth());
    int inplanes = cfg.stemWidth();
    for (int stage = 0; stage < 4; stage++) {
      int planes = cfg.planes().get(stage);
      int out = planes * cfg.expansion();
      for (int b = 0; b < cfg.blocksPerStage().get(stage); b++) {
        String p = "layer" + (stage + 1) + "." + b + ".";
        int stride = stage > 0 && b == 0 ? 2 : 1;
        if (cfg.block() == ResNet.Block.BASIC) {
          conv(sd, rng, p + "conv1", planes, inplanes, 3);
          bn(sd, p + "bn1", planes);
          conv(sd, rng, p + "conv2", planes, planes, 3);
          bn(sd, p + "bn2", planes);
        } else {
          int width = planes * cfg.innerWidthFactor();
          conv(sd, rng, p + "conv1", width, inplanes, 1);
          bn(sd, p + "bn1", width);
          conv(sd, rng, p + "conv2", width, width, 3);
          bn(sd, p + "bn2", width);
          conv(sd, rng, p + "conv3", out, width, 1);
          bn(sd, p + "bn3", out);
        }
        if (b == 0 && (stride != 1 || inplanes != out)) {
          conv(sd, rng, p + "downsample.0", out, inplanes, 1);
          bn(sd, p + "downsample.1", out);
        }
        inplanes = out;
      }
    }
    return sd;
  }

  private static void conv(Map<String, Tensor> sd, Random rng, String name, int out, int in, int k) {
    float[] w = new float[out * in * k * k];
    double std = Math.sqrt(2.0 / (out * k * k));
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (rng.nextGaussian() * std);
    }
    put(sd, name + ".weight", new int[] {out, in, k, k}, w);
  }

  private static void bn(Map<String, Tensor> sd, String name, int c) {
    float[] ones = new float[c];
    java.util.Arrays.fill(ones, 1f);
    put(sd, name + ".weight", new int[] {c}, ones);
    put(sd, name + ".bias", new int[] {c}, new float[c]);
    put(sd, name + ".running_mean", new int[] {c}, new float[c]);
    put(sd, name + ".running_var", new int[] {c}, ones);
    put(sd, name + ".num_batches_tracked", new int[0], new float[1]);
  }

  private static void put(Map<String, Tensor> sd, String key, int[] shape, float[] data) {
    sd.put(key, new Tensor(key, shape, data));
  }
}
