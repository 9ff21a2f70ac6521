/**
 * Training data: the IDX reader ({@link org.rramctl.data.Idx}), labelled digit sets with optional average
 * pooling ({@link org.rramctl.data.Digits}), and MNIST train/test splits ({@link org.rramctl.data.MnistDataset}),
 * by default the 10,000 vendored digits in {@code mnist-10k/} (see its README.md for provenance and licence).
 */
package org.rramctl.data;
