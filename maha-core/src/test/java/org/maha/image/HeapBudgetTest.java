package org.maha.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HeapBudgetTest {
  @Test
  void aReservationLargerThanTheWholeBudgetIsRefusedAtOnce() {
    HeapBudget b = new HeapBudget(100);
    assertThatThrownBy(() -> b.reserve(101, "4 x 4 pixels"))
        .isInstanceOf(ImageMemoryException.class)
        .hasMessageStartingWith("4 x 4 pixels need about 1 MB of memory");
  }

  @Test
  void concurrentReservationsWaitUntilTheOthersRelease() throws Exception {
    HeapBudget b = new HeapBudget(100);
    HeapBudget.Reservation first = b.reserve(70, "a");
    CompletableFuture<HeapBudget.Reservation> second = CompletableFuture.supplyAsync(() -> b.reserve(70, "b"));
    Thread.sleep(200);
    assertThat(second).isNotDone();
    first.close();
    second.get(5, TimeUnit.SECONDS).close();
    b.reserve(100, "c").close(); // everything released
  }
}
