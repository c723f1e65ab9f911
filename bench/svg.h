/* The inline SVG charts of the HTML report: a bar panel per figure (p50
 * and max of each runtime, with its min marked), a box plot panel per
 * lifecycle step, and the waterfall of a runtime's phases. */
#ifndef OCI_BENCH_SVG_H
#define OCI_BENCH_SVG_H

#include <stdio.h>

#include "bench/bench.h"

/* the style rules of the charts' classes */
extern const char bench_svg_css[];

/* s with & < > " escaped, for HTML text and attributes */
void bench_html_esc(FILE *f, const char *s);
/* a number with about four significant digits */
void bench_fmt_num(char *buf, size_t size, double v);
const char *bench_rt_color(size_t i);
/* 1, 2 or 5 times a power of ten, >= v (0 for v <= 0) */
double bench_nice_ceil(double v);

void bench_svg_bars(FILE *f, const struct bench *b, const struct bench_metric *m);
void bench_svg_boxes(FILE *f, const struct bench *b, const struct bench_metric *m);
/* false when the runtime has no phase of op */
bool bench_svg_waterfall(FILE *f, const struct bench_runtime *rt, const char *op);

#endif
