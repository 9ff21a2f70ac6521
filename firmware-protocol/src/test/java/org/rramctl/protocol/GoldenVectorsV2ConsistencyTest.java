package org.rramctl.protocol;

/** The consistency checks of {@link GoldenVectorsConsistency} on golden-vectors-v2.txt, a session of protocol version 2. */
class GoldenVectorsV2ConsistencyTest extends GoldenVectorsConsistency {
  @Override
  int version() {
    return 2;
  }
}
