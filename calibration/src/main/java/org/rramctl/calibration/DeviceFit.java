package org.rramctl.calibration;

/**
 * Soft-bound model parameters of one device fitted from its pulse response, in conductance units
 * (DESIGN.md section 2 mapped to siemens). The up step shrinks linearly to zero at {@code bMaxSiemens},
 * the down step at {@code bMinSiemens}; {@code aUpSiemens} and {@code aDownSiemens} are the step sizes at
 * the middle of the two bounds (aihwkit's a_up and a_down for symmetric bounds):
 * <pre>
 *   up:   G += aUp   (bMax - G) / h      down: G -= aDown (G - bMin) / h      h = (bMax - bMin) / 2
 * </pre>
 * so the symmetry point is {@code (aUp bMax + aDown bMin) / (aUp + aDown)}.
 *
 * @param c2c cycle-to-cycle spread of a step, relative (from the variogram of the residuals; noisy)
 * @param readNoiseSiemens read noise from the same variogram, siemens
 * @param sigmaAUp standard errors of the four parameters, siemens (from the covariance, scaled by the
 *     residual variance; the residuals are correlated by the c2c random walk, so read them as lower bounds)
 * @param spSiemens symmetry point from the fit, siemens
 * @param spStdErrorSiemens its standard error (delta method), siemens
 * @param rmsResidualSiemens root-mean-square residual, siemens
 * @param converged whether Levenberg-Marquardt converged
 */
public record DeviceFit(
    int array,
    int row,
    int col,
    double aUpSiemens,
    double aDownSiemens,
    double bMaxSiemens,
    double bMinSiemens,
    double c2c,
    double readNoiseSiemens,
    double sigmaAUp,
    double sigmaADown,
    double sigmaBMax,
    double sigmaBMin,
    double spSiemens,
    double spStdErrorSiemens,
    double rmsResidualSiemens,
    boolean converged) {}
