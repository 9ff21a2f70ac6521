/**
 * Training a fully connected network on cross-point arrays (DESIGN.md section 4) and its floating-point
 * baseline through the same code path: {@link org.rramctl.train.Network} over
 * {@link org.rramctl.train.LayerWeights} ({@link org.rramctl.train.FloatLayer},
 * {@link org.rramctl.train.AnalogLayer} on driver tiles planned by {@link org.rramctl.train.TileLayout}), the
 * stochastic pulse update ({@link org.rramctl.train.StochasticPulses}), the loop with metrics and checkpoints
 * ({@link org.rramctl.train.Trainer}) and the {@code train} command ({@link org.rramctl.train.TrainCommand}).
 */
package org.rramctl.train;
