/**
 * Experiments that reproduce published claims on the emulator with rramctl's own numbers:
 * {@link org.rramctl.experiment.ZeroShiftExperiment} (Kim et al. 2019, arXiv 1907.10228: conventional versus
 * zero-shifted references over the up/down step ratio, against a floating-point baseline).
 */
package org.rramctl.experiment;
