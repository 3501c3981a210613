package io.tidaldb.metrics.jdk;

import io.tidaldb.testing.MetricsTransportContract;

class JdkTransportContractTest extends MetricsTransportContract {

  @Override
  protected String transportName() {
    return "jdk";
  }
}
