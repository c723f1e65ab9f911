/* Statistics of a series of samples (see stats.h). */
#include "config.h"
#include "bench/stats.h"
#include "libcontainer/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void bench_samples_add(struct bench_samples *s, double v)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
    }
    s->v[s->n++] = v;
}

void bench_samples_free(struct bench_samples *s)
{
    free(s->v);
    memset(s, 0, sizeof(*s));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double bench_percentile(const double *sorted, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t rank = (size_t)ceil(p / 100.0 * (double)n);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

bool bench_stats_of(const struct bench_samples *s, struct bench_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (s->n == 0)
        return false;
    double *v = xmalloc(s->n * sizeof(*v));
    memcpy(v, s->v, s->n * sizeof(*v));
    qsort(v, s->n, sizeof(*v), cmp_double);
    double sum = 0;
    for (size_t i = 0; i < s->n; i++)
        sum += v[i];
    out->n = s->n;
    out->mean = sum / (double)s->n;
    if (s->n > 1) {
        double sq = 0;
        for (size_t i = 0; i < s->n; i++)
            sq += (v[i] - out->mean) * (v[i] - out->mean);
        out->sd = sqrt(sq / (double)(s->n - 1));
    }
    out->min = v[0];
    out->max = v[s->n - 1];
    out->p25 = bench_percentile(v, s->n, 25);
    out->p50 = bench_percentile(v, s->n, 50);
    out->p75 = bench_percentile(v, s->n, 75);
    out->p90 = bench_percentile(v, s->n, 90);
    out->p99 = bench_percentile(v, s->n, 99);
    free(v);
    return true;
}
