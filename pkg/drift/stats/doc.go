// Package stats holds the statistics behind `mlctl drift`: the column tests
// Evidently uses by default, numerically equal to scipy/numpy on the same
// data, and the rule that picks one per column.
//
// Definitions follow docs DRIFT.md:
//
//   - KSTwoSample is scipy.stats.ks_2samp (two-sided, method='auto'): the
//     exact null distribution when both samples have ≤ 10000 values,
//     else KolmogorovSF, scipy.stats.kstwo.sf.
//   - ChiSquareFromCounts: expected = reference count × n_cur/n_ref, then
//     scipy.stats.chisquare; p from GammaQ (scipy.special.gammaincc).
//   - ZTestFromCounts: pooled two-proportion test on x ≠ smallest key.
//   - PSI with Evidently's empty-bin floor; JensenShannon is
//     scipy.spatial.distance.jensenshannon (natural log); WassersteinNormed is
//     scipy.stats.wasserstein_distance / max(std_pop(ref), 0.001).
//   - SturgesEdges is numpy.histogram_bin_edges(…, 'sturges') bit for bit.
//
// TestNumeric and TestCategorical drop missing values (NaN, ±Inf, null),
// choose the test with DefaultTest unless Options say otherwise, apply the
// threshold, and explain special cases (empty or all-missing sides, constant
// columns, unseen categories) in Result.Reason. Dataset applies the
// drifted-share rule.
//
// The oracle test compares every statistic with scipy on generated samples
// (testdata/gen_oracle.py writes testdata/oracle.json; Python is not needed
// to run the tests).
package stats
