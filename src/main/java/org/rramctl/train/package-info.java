/**
 * Training a fully connected network on cross-point arrays (DESIGN.md section 4) and its floating-point
 * baseline through the same code path: {@link org.rramctl.train.Network} over
 * {@link org.rramctl.train.LayerWeights} ({@link org.rramctl.train.FloatLayer},
 * {@link org.rramctl.train.AnalogLayer} on driver tiles planned by {@link org.rramctl.train.TileLayout}), the
 * stochastic pulse update ({@link org.rramctl.train.StochasticPulses}), the loop with metrics and checkpoints
 * ({@link org.rramctl.train.Trainer}), the reference devices of the two schemes
 * ({@link org.rramctl.train.ReferenceScheme}, {@link org.rramctl.train.References}: mid-range, or zero-shifted to
 * each device's symmetry point), a whole run with its setup ({@link org.rramctl.train.TrainingRun}) and the
 * {@code train} command ({@link org.rramctl.train.TrainCommand}).
 */
package org.rramctl.train;
