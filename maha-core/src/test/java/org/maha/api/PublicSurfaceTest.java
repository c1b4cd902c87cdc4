package org.maha.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API names only its own types and the JDK's: every public or protected signature of every public type
 * in {@code org.maha.api} (supertypes, fields, constructors, methods, their generic arguments and exceptions). An
 * internal type in a signature would make that type part of the API (every change to it a breaking change) and
 * would tie applications to maha's internals. Plain reflection over the package's compiled classes: no new
 * dependency for one rule.
 */
class PublicSurfaceTest {

  /** Every class of the package itself (not sub-packages such as {@code internal}), nested ones included. */
  static List<Class<?>> apiClasses() throws IOException, URISyntaxException, ClassNotFoundException {
    Path dir = Path.of(Detector.class.getResource("Detector.class").toURI()).getParent();
    List<Class<?>> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".class") && !name.equals("package-info.class")) {
          out.add(Class.forName("org.maha.api." + name.substring(0, name.length() - 6), false,
              PublicSurfaceTest.class.getClassLoader()));
        }
      }
    }
    return out;
  }

  static boolean exposed(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
      if (!Modifier.isPublic(k.getModifiers())) {
        return false;
      }
    }
    return true;
  }

  static boolean visible(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  /** Adds to {@code leaks} every type named in {@code t} that is neither {@code org.maha.api} nor {@code java.*}. */
  static void check(Type t, String where, Set<String> leaks) {
    if (t instanceof Class<?> c) {
      while (c.isArray()) {
        c = c.getComponentType();
      }
      if (c.isPrimitive()) {
        return;
      }
      String pkg = c.getPackageName();
      if (!pkg.equals("org.maha.api") && !pkg.startsWith("java.")) {
        leaks.add(where + " names " + c.getName());
      }
    } else if (t instanceof ParameterizedType p) {
      check(p.getRawType(), where, leaks);
      for (Type a : p.getActualTypeArguments()) {
        check(a, where, leaks);
      }
    } else if (t instanceof WildcardType w) {
      for (Type b : w.getUpperBounds()) {
        check(b, where, leaks);
      }
      for (Type b : w.getLowerBounds()) {
        check(b, where, leaks);
      }
    } else if (t instanceof GenericArrayType g) {
      check(g.getGenericComponentType(), where, leaks);
    } else if (t instanceof TypeVariable<?> v) {
      for (Type b : v.getBounds()) {
        check(b, where, leaks);
      }
    }
  }

  static void checkExecutable(Executable e, String where, Set<String> leaks) {
    for (Type p : e.getGenericParameterTypes()) {
      check(p, where, leaks);
    }
    for (Type x : e.getGenericExceptionTypes()) {
      check(x, where, leaks);
    }
    for (TypeVariable<?> v : e.getTypeParameters()) {
      check(v, where, leaks);
    }
  }

  static Set<String> leaks(Class<?> c) {
    Set<String> leaks = new TreeSet<>();
    String n = c.getName();
    check(c.getGenericSuperclass(), n + " extends", leaks);
    for (Type i : c.getGenericInterfaces()) {
      check(i, n + " implements", leaks);
    }
    for (Field f : c.getDeclaredFields()) {
      if (visible(f.getModifiers()) && !f.isSynthetic()) {
        check(f.getGenericType(), n + "." + f.getName(), leaks);
      }
    }
    for (Constructor<?> k : c.getDeclaredConstructors()) {
      if (visible(k.getModifiers()) && !k.isSynthetic()) {
        checkExecutable(k, n + " constructor", leaks);
      }
    }
    for (Method m : c.getDeclaredMethods()) {
      if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
        check(m.getGenericReturnType(), n + "." + m.getName() + "()", leaks);
        checkExecutable(m, n + "." + m.getName() + "()", leaks);
      }
    }
    return leaks;
  }

  @Test
  void publicSignaturesNameOnlyApiAndJdkTypes() throws Exception {
    List<Class<?>> classes = apiClasses();
    assertThat(classes).contains(Detector.class, Detector.Builder.class, Images.class, RawFrame.class,
        RawFrame.PixelFormat.class, Score.class, Scores.class);
    Set<String> leaks = new TreeSet<>();
    for (Class<?> c : classes) {
      if (exposed(c)) {
        leaks.addAll(leaks(c));
      }
    }
    assertThat(leaks).isEmpty();
  }

  /** The check itself finds a leak: a type whose public method returns an internal type. */
  @Test
  void theCheckFindsAnInternalTypeInASignature() {
    assertThat(leaks(Leaky.class)).containsExactly(Leaky.class.getName() + ".internal() names "
        + org.maha.model.GaussianAdModel.class.getName());
  }

  /** Not API: a fixture for the test above. */
  public static final class Leaky {
    /**
     * A leak.
     *
     * @return nothing
     */
    public org.maha.model.GaussianAdModel internal() {
      return null;
    }
  }
}
