package io.tidaldb.metrics.undertow;

import io.tidaldb.testing.MetricsTransportContract;

class UndertowTransportContractTest extends MetricsTransportContract {

  @Override
  protected String transportName() {
    return "undertow";
  }
}
