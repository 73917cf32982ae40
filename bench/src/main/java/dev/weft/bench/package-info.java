/** Benchmarks: whole-process harnesses that print medians, p95 and ratios against peer tools. */
package dev.weft.bench;
