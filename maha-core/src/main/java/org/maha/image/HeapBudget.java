package org.maha.image;

/**
 * The heap that image decodes running at the same time may hold together (file bytes, the decoded raster and the
 * RGB copy), so that several decoding threads cannot together exhaust the heap that each alone fits. A decode that
 * alone needs more than the whole budget is refused at once ({@link ImageMemoryException}); one that fits waits
 * until the others have released enough. Thread-safe. A caller must not wait for a second reservation while
 * holding one (two such callers could wait for each other): reserve everything a step needs at once.
 */
public final class HeapBudget {
  /** Three quarters of this JVM's maximum heap: the rest is left to the model, features and inference buffers. */
  public static final HeapBudget JVM = new HeapBudget(Runtime.getRuntime().maxMemory() / 4 * 3);

  private final long capacity;
  private long used;

  /** A budget of {@code capacity} bytes (positive). */
  public HeapBudget(long capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
    this.capacity = capacity;
  }

  public long capacity() {
    return capacity;
  }

  /** Bytes held, released by {@link #close()}. */
  public final class Reservation implements AutoCloseable {
    private long bytes;

    private Reservation(long bytes) {
      this.bytes = bytes;
    }

    @Override
    public void close() {
      synchronized (HeapBudget.this) {
        used -= bytes;
        bytes = 0;
        HeapBudget.this.notifyAll();
      }
    }
  }

  /**
   * Reserves {@code bytes}, waiting while other reservations leave too little.
   *
   * @param what what needs the memory, for the message (e.g. "4000 x 3000 pixels")
   * @throws ImageMemoryException if {@code bytes} alone exceed the budget
   */
  public synchronized Reservation reserve(long bytes, String what) {
    if (bytes > capacity) {
      throw new ImageMemoryException(what + " need about " + megabytes(bytes) + " MB of memory, more than this "
          + "Java heap (" + megabytes(Runtime.getRuntime().maxMemory()) + " MB) can give to one image");
    }
    boolean interrupted = false;
    while (used > 0 && used + bytes > capacity) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true; // the run is being cancelled: take the memory now, the caller will stop soon
        break;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    used += bytes;
    return new Reservation(bytes);
  }

  static long megabytes(long bytes) {
    return (bytes + (1 << 20) - 1) >> 20;
  }
}
