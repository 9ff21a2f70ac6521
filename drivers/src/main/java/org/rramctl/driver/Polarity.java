package org.rramctl.driver;

/** Direction of a programming pulse. UP (SET, potentiation) raises the conductance; DOWN lowers it. */
public enum Polarity {
  UP(+1),
  DOWN(-1);

  private final int sign;

  Polarity(int sign) {
    this.sign = sign;
  }

  /** +1 for UP, -1 for DOWN. */
  public int sign() {
    return sign;
  }

  public Polarity opposite() {
    return this == UP ? DOWN : UP;
  }

  /** UP for a positive sign, DOWN for a negative one. */
  public static Polarity ofSign(double sign) {
    if (!(sign != 0) || Double.isNaN(sign)) {
      throw new IllegalArgumentException("sign: " + sign + " (expected: non-zero)");
    }
    return sign > 0 ? UP : DOWN;
  }
}
