/**
 * The spine's benchmarks, run by {@code ./spine bench NAME} through {@link dev.spine.bench.BenchMain}:
 * {@code jobs}, {@code events}, {@code spine}, {@code scale} and {@code all}. Each prints one JSON line on
 * stdout (progress on stderr) with the same keys as its peer's, so figures can be divided; compare ratios
 * from one run on one machine. A program, not a library: the module exports nothing.
 */
package dev.spine.bench;
