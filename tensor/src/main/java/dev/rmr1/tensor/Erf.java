package dev.rmr1.tensor;

/** The error function to double precision (W. J. Cody's rational approximations, as in many libms). */
public final class Erf {
  private Erf() {}

  public static double erf(double x) {
    if (Double.isNaN(x)) return x;
    double ax = Math.abs(x);
    if (ax < 0.5) {
      // erf(x) = x * P(x^2)/Q(x^2) on [0, 0.5]
      double t = x * x;
      double top = (((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t
              + 377.485237685302021) * t + 3209.37758913846947;
      double bot = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t
          + 2844.23683343917062;
      return x * top / bot;
    }
    double r = ax >= 6.0 ? 0.0 : erfcPositive(ax);
    double e = 1.0 - r;
    return x < 0 ? -e : e;
  }

  /**
   * The complementary error function 1 - erf(x), accurate where 1 - erf(x) would cancel (large x):
   * what GELU's far negative tail needs, x Phi(x) = x erfc(-x / sqrt 2) / 2.
   */
  public static double erfc(double x) {
    if (Double.isNaN(x)) return x;
    if (x < 0.5) return 1.0 - erf(x); // erf(x) < 0.53 here: no cancellation
    return x > 27.0 ? 0.0 : erfcPositive(x); // exp(-x^2) underflows past 26.6
  }

  // Cody's coefficients for erfc on [0.5, 4) (C, D) and [4, inf) (P, Q), highest degree first.
  private static final double[] C = {2.15311535474403846e-8, 5.64188496988670089e-1, 8.88314979438837594,
      66.1191906371416295, 298.635138197400131, 881.952221241769090, 1712.04761263407058,
      2051.07837782607147, 1230.33935479799725};
  private static final double[] D = {1.0, 15.7449261107098347, 117.693950891312499, 537.181101862009858,
      1621.38957456669019, 3290.79923573345963, 4362.61909014324716, 3439.36767414372164,
      1230.33935480374942};
  private static final double[] P = {1.63153871373020978e-2, 3.05326634961232344e-1, 3.60344899949804439e-1,
      1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4};
  private static final double[] Q = {1.0, 2.56852019228982242, 1.87295284992346725, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3};

  private static double poly(double[] c, double x) {
    double r = 0;
    for (double v : c) r = r * x + v;
    return r;
  }

  private static double erfcPositive(double x) {
    double result;
    if (x < 4.0) {
      result = poly(C, x) / poly(D, x);
    } else {
      double z = 1.0 / (x * x);
      result = (1.0 / Math.sqrt(Math.PI) - z * poly(P, z) / poly(Q, z)) / x;
    }
    // exp(-x^2) computed in two parts to keep precision (Cody).
    double xsq = Math.floor(x * 16.0) / 16.0;
    double del = (x - xsq) * (x + xsq);
    return Math.exp(-xsq * xsq) * Math.exp(-del) * result;
  }
}
