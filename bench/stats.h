/* Samples and their statistics: n, mean, sd, min, quartiles, p50, p90, p99
 * and max. Percentiles use the nearest-rank method (a percentile is always
 * one of the samples; with fewer than 100 samples p99 is the max). */
#ifndef OCI_BENCH_STATS_H
#define OCI_BENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>

struct bench_samples {
    double *v;
    size_t n, cap;
};

struct bench_stats {
    size_t n;
    double mean, sd; /* sd: sample standard deviation (n - 1); 0 for one sample */
    double min, p25, p50, p75, p90, p99, max;
};

void bench_samples_add(struct bench_samples *s, double v);
void bench_samples_free(struct bench_samples *s);
/* false when there is no sample */
bool bench_stats_of(const struct bench_samples *s, struct bench_stats *out);
/* nearest-rank percentile of sorted values */
double bench_percentile(const double *sorted, size_t n, double p);

#endif
