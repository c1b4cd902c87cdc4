package org.maha.catalog;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes an HTTP response body to a {@code .part} file as it arrives, counting bytes and remembering when the last
 * ones came, so the waiting thread can report progress and give up on a stalled server. A push subscriber rather
 * than a blocking stream because only a subscription can be cancelled from another thread reliably.
 */
final class FileSink implements HttpResponse.BodySubscriber<Long> {
  private final FileChannel channel;
  private final AtomicLong bytesOnDisk;
  private final long bytesTotal;
  private final CompletableFuture<Long> result = new CompletableFuture<>();
  private volatile Flow.Subscription subscription;
  private volatile long lastActivityNanos = System.nanoTime();

  /**
   * @param part       the file to write
   * @param append     true to continue an existing part (HTTP 206), false to start from zero (HTTP 200)
   * @param bytesTotal full file length, -1 if unknown
   */
  FileSink(Path part, boolean append, long bytesTotal) throws IOException {
    this.channel = append
        ? FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
        : FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
    this.bytesOnDisk = new AtomicLong(channel.size());
    this.bytesTotal = bytesTotal;
  }

  long bytesOnDisk() {
    return bytesOnDisk.get();
  }

  long bytesTotal() {
    return bytesTotal;
  }

  long lastActivityNanos() {
    return lastActivityNanos;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    try {
      for (ByteBuffer b : items) {
        int n = b.remaining();
        while (b.hasRemaining()) {
          channel.write(b);
        }
        bytesOnDisk.addAndGet(n);
      }
    } catch (IOException e) {
      abort(e);
      return;
    }
    lastActivityNanos = System.nanoTime();
    subscription.request(1);
  }

  @Override
  public void onError(Throwable t) {
    closeQuietly();
    result.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    try {
      channel.close();
      result.complete(bytesOnDisk.get());
    } catch (IOException e) {
      result.completeExceptionally(e);
    }
  }

  @Override
  public CompletionStage<Long> getBody() {
    return result;
  }

  /** Stops the transfer (from any thread) and closes the file; what was written stays for a later resume. */
  void abort(Throwable why) {
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    closeQuietly();
    result.completeExceptionally(why);
  }

  private void closeQuietly() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // the failure being reported matters more than this one
    }
  }
}
