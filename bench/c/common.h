/*
 * Helpers shared by the C reference samplers in bench/c (header-only, everything static):
 * the RNG (xoshiro128**, 32-bit output, seeded by SplitMix64(SEED), identical to spinflow's
 * Rng.stream(SEED); Lemire bounded integers as Rng.below), timing, error output, argument
 * parsing and 32-bit thresholds.
 *
 * Include it first (it sets _POSIX_C_SOURCE for clock_gettime). Functions that not every program
 * uses are static inline, so the unused ones draw no warning. In hot loops, copy the rng_t into a
 * local variable and pass its address (rng_u32(&local)), writing it back afterwards: the state
 * then stays in registers, since stores through int8_t pointers could otherwise alias it.
 */
#ifndef SPINFLOW_BENCH_C_COMMON_H
#define SPINFLOW_BENCH_C_COMMON_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 199309L
#endif
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* ---------------------------------------------------------------- RNG */

typedef struct { uint32_t s[4]; } rng_t;

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static rng_t rng_seed(uint64_t seed)
{
    rng_t g;
    uint64_t st = seed;
    for (int i = 0; i < 2; i++) {
        uint64_t z = splitmix64(&st);
        g.s[2 * i] = (uint32_t)z;           /* low word first */
        g.s[2 * i + 1] = (uint32_t)(z >> 32);
    }
    if ((g.s[0] | g.s[1] | g.s[2] | g.s[3]) == 0) g.s[0] = 1;
    return g;
}

static inline uint32_t rotl32(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static inline uint32_t rng_u32(rng_t *g)
{
    uint32_t *s = g->s;
    uint32_t result = rotl32(s[1] * 5u, 7) * 9u;
    uint32_t t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl32(s[3], 11);
    return result;
}

/* Uniform integer in [0, n), 1 <= n < 2^32, without modulo bias (Lemire's multiply-and-reject;
 * the same draws as spinflow's Rng.below). */
static inline uint32_t rng_below(rng_t *g, uint32_t n)
{
    uint32_t threshold = (uint32_t)(0u - n) % n;   /* 2^32 mod n */
    for (;;) {
        uint64_t m = (uint64_t)rng_u32(g) * n;
        if ((uint32_t)m >= threshold) return (uint32_t)(m >> 32);
    }
}

/* ---------------------------------------------------------------- common helpers */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void fail(const char *msg)
{
    printf("{\"error\":\"%s\"}\n", msg);
    exit(1);
}

static void parse_args(int argc, char **argv, int *L, double *T, long *sweeps, uint64_t *seed)
{
    if (argc != 5) fail("usage: PROGRAM L T SWEEPS SEED");
    char *end;
    long l = strtol(argv[1], &end, 10);
    if (*end || l < 2 || l > 32768) fail("L must be an integer in [2, 32768]");
    double t = strtod(argv[2], &end);
    if (*end || !(t > 0) || !isfinite(t)) fail("T must be a positive number");
    long sw = strtol(argv[3], &end, 10);
    if (*end || sw < 1) fail("SWEEPS must be a positive integer");
    unsigned long long sd = strtoull(argv[4], &end, 10);
    if (*end || argv[4][0] == '-') fail("SEED must be a non-negative integer");
    *L = (int)l; *T = t; *sweeps = sw; *seed = (uint64_t)sd;
}

/* floor(p * 2^32) for 0 <= p < 1 */
static inline uint32_t threshold32(double p) { return (uint32_t)ldexp(p, 32); }

/* E/N and |M|/N of an int8 ±1 configuration (J = 1, h = 0), site x + L*y. */
static inline void measure_int8(const int8_t *s, int L, double *e, double *absm)
{
    long bonds = 0, m = 0;
    for (int y = 0; y < L; y++) {
        const int8_t *r = s + (size_t)y * L;
        const int8_t *rs = s + (size_t)(y == L - 1 ? 0 : y + 1) * L;
        for (int x = 0; x < L; x++) {
            int right = r[x == L - 1 ? 0 : x + 1];
            bonds += r[x] * (right + rs[x]);
            m += r[x];
        }
    }
    double n = (double)L * L;
    *e = -(double)bonds / n;
    *absm = fabs((double)m) / n;
}

#endif /* SPINFLOW_BENCH_C_COMMON_H */
