package org.rramctl.protocol;

/** The consistency checks of {@link GoldenVectorsConsistency} on golden-vectors.txt, a session of protocol version 1. */
class GoldenVectorsConsistencyTest extends GoldenVectorsConsistency {
  @Override
  int version() {
    return 1;
  }
}
