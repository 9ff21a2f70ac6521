package org.rramctl.train;

/**
 * What one epoch did; one line of the metrics JSON-lines file.
 *
 * @param epoch 1-based epoch number
 * @param learningRate the SGD rate used
 * @param trainLoss mean cross-entropy over the epoch's training samples, nats, each measured before its update
 * @param trainAccuracy fraction of training samples classified correctly before their update (running accuracy)
 * @param testAccuracy fraction of the test set classified correctly after the epoch
 * @param seconds wall time of the epoch's training and testing, seconds
 * @param samplesPerSecond training samples per second (training time only)
 * @param pulses pulses applied to devices during the epoch, from the driver's status (0 for floating point)
 */
public record EpochMetrics(
    int epoch, double learningRate, double trainLoss, double trainAccuracy, double testAccuracy,
    double seconds, double samplesPerSecond, long pulses) {}
