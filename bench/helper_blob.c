/* The static ocibench-helper (bench/payload/ocibench-helper.c), built first
 * and embedded here as bytes, so that oci-bench carries its own container
 * payloads and writes them into every rootfs it assembles. The path is the
 * built helper's, relative to the top build directory, where make runs the
 * compiler (Makefile.am builds it before this file). */
#include "config.h"

#define BENCH_HELPER_PATH "bench/payload/ocibench-helper"

__asm__(".section .rodata\n"
        ".balign 16\n"
        ".globl bench_helper_bin\n"
        "bench_helper_bin:\n"
        ".incbin \"" BENCH_HELPER_PATH "\"\n"
        ".globl bench_helper_end\n"
        "bench_helper_end:\n"
        ".previous\n");
