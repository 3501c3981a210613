package io.tidaldb.internal.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidaldb.DecaySpec;
import io.tidaldb.EntityKind;
import io.tidaldb.Schema;
import io.tidaldb.Window;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EvictionTest {

  private static final Schema SCHEMA = Schema.builder()
      .signal("a", EntityKind.ITEM, DecaySpec.exponential(Duration.ofDays(1))).windows(Window.ALL_TIME).add()
      .signal("b", EntityKind.USER, DecaySpec.permanent()).add()
      .build();

  @Test
  void fullLedger_staysAtItsBoundAndKeepsRecentEntries() {
    SignalLedger ledger = Ledgers.of(SCHEMA, 500);
    for (int i = 0; i < 10_000; i++) {
      ledger.apply(i, i % 2, 1f, Ledgers.T0 + i * Ledgers.SECOND);
      assertTrue(ledger.size() <= 500);
    }
    assertEquals(500, ledger.size());
    assertEquals(9_500, ledger.evictions());
    int recentKept = 0;
    for (int i = 9_900; i < 10_000; i++) {
      recentKept += ledger.decayScore(i % 2, i, Ledgers.T0 + 10_000 * Ledgers.SECOND) > 0 ? 1 : 0;
    }
    assertTrue(recentKept >= 95, "of the 100 newest entries, only " + recentKept + " were kept");
  }

  @Test
  void bigBound_isSpreadOverStripesAndHoldsExactlyTheBound() {
    SignalLedger ledger = Ledgers.of(SCHEMA, 200_000);
    assertEquals(SignalLedger.MAX_STRIPES, ledger.stripeCount());
    for (int i = 0; i < 200_000; i++) {
      ledger.apply(i * 31L, i % 2, 1f, Ledgers.T0);
    }
    assertEquals(200_000, ledger.size());
    assertEquals(0, ledger.evictions(), "a ledger at its bound has evicted nothing");
    ledger.apply(-1L, 0, 1f, Ledgers.T0);
    assertEquals(200_000, ledger.size());
    assertEquals(1, ledger.evictions());
    assertEquals(1, Ledgers.of(SCHEMA, 2_047).stripeCount());
    assertEquals(2, Ledgers.of(SCHEMA, 2_048).stripeCount());
  }

  @Test
  void evictedEntry_startsAgainFromZero() {
    SignalLedger ledger = Ledgers.of(SCHEMA, 1);
    ledger.apply(1L, 1, 5f, Ledgers.T0);
    ledger.apply(2L, 1, 1f, Ledgers.T0 + 1);
    assertEquals(0.0, ledger.decayScore(1, 1L, Ledgers.T0));
    ledger.apply(1L, 1, 2f, Ledgers.T0 + 2);
    assertEquals(2.0, ledger.decayScore(1, 1L, Ledgers.T0));
    assertEquals(1, ledger.size());
  }
}
