package org.rramctl.driver.remote;

import java.util.Set;

/**
 * What a {@link DriverServer} needs to serve beyond loopback: its own key pair and the public keys of the
 * clients it admits (checked by its ZAP handler; a rejection is logged).
 */
public record CurveSecurity(CurveKeyPair serverKeys, Set<String> allowedClientKeys) {
  public CurveSecurity {
    if (serverKeys == null) throw new IllegalArgumentException("serverKeys: null");
    if (allowedClientKeys == null || allowedClientKeys.isEmpty()) {
      throw new IllegalArgumentException("allowedClientKeys: empty (expected: at least one client public key)");
    }
    for (String k : allowedClientKeys) CurveKeyPair.checkKey("allowed client key", k);
    allowedClientKeys = Set.copyOf(allowedClientKeys);
  }

  public static CurveSecurity of(CurveKeyPair serverKeys, Set<String> allowedClientKeys) {
    return new CurveSecurity(serverKeys, allowedClientKeys);
  }
}
