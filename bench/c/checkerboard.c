/*
 * Reference baseline: checkerboard Metropolis for the 2D Ising model, branch-free inner loop.
 *
 *   cc -O3 -march=native -o bench/c/build/checkerboard bench/c/checkerboard.c -lm
 *   bench/c/build/checkerboard L T SWEEPS SEED
 *
 * Periodic L x L lattice (L even), J = 1, h = 0, site i = x + L*y, spins stored as int8 +-1,
 * hot start. A sweep updates all sites with (x + y) even, then all with (x + y) odd. Every site
 * draws one 32-bit random integer r and flips when r < thr[h + 4], h = s_i * (sum of the 4
 * neighbours), with thr = 2^32 for h <= 0 (always) and floor(exp(-2h/T) * 2^32) for h = 2, 4:
 * a table lookup and a compare, no data-dependent branch.
 *
 * RNG: xoshiro128** (32-bit output) seeded by SplitMix64(SEED), identical to spinflow's
 * Rng.stream(SEED). Prints one JSON line (see bench/c/README.md). Observables are measured
 * after every 10th timed sweep (and after the last one); measurement time is not timed.
 */
#include "common.h"     /* RNG, timing, argument parsing: shared by all programs in bench/c */

/* ---------------------------------------------------------------- checkerboard Metropolis */

#define MEASURE_EVERY 10

static inline void update_site(int8_t *sp, int nbsum, const uint64_t thr[9], rng_t *g)
{
    int si = *sp;
    uint64_t r = rng_u32(g);
    int flip = r < thr[si * nbsum + 4];        /* 0 or 1, computed without a branch */
    *sp = (int8_t)(si * (1 - 2 * flip));
}

/* Update the sites of one colour (x + y = parity mod 2). */
static void half_sweep(int8_t *s, int L, int parity, const uint64_t thr[9], rng_t *rng)
{
    rng_t state = *rng, *g = &state;           /* local copy: stays in registers (the int8 */
                                               /* stores could alias *rng otherwise)       */
    for (int y = 0; y < L; y++) {
        int8_t *r = s + (size_t)y * L;
        const int8_t *rn = s + (size_t)(y == 0 ? L - 1 : y - 1) * L;
        const int8_t *rs = s + (size_t)(y == L - 1 ? 0 : y + 1) * L;
        int x = (y + parity) & 1;
        if (x == 0) {
            update_site(&r[0], r[L - 1] + r[1] + rn[0] + rs[0], thr, g);
            x = 2;
        }
        for (; x < L - 1; x += 2)
            update_site(&r[x], r[x - 1] + r[x + 1] + rn[x] + rs[x], thr, g);
        if (x == L - 1)
            update_site(&r[L - 1], r[L - 2] + r[0] + rn[L - 1] + rs[L - 1], thr, g);
    }
    *rng = state;
}

static void sweep(int8_t *s, int L, const uint64_t thr[9], rng_t *g)
{
    half_sweep(s, L, 0, thr, g);
    half_sweep(s, L, 1, thr, g);
}

int main(int argc, char **argv)
{
    int L; double T; long sweeps; uint64_t seed;
    parse_args(argc, argv, &L, &T, &sweeps, &seed);
    if (L % 2) fail("checkerboard needs an even L");
    size_t N = (size_t)L * L;

    rng_t g = rng_seed(seed);
    int8_t *s = malloc(N);
    if (!s) fail("out of memory");
    for (size_t i = 0; i < N; i++) s[i] = (rng_u32(&g) >> 31) ? 1 : -1;

    /* index h + 4, h = s_i * neighbour sum in {-4,-2,0,2,4}; odd indices never occur */
    uint64_t thr[9] = {0};
    thr[0] = thr[2] = thr[4] = 1ULL << 32;     /* dE <= 0: always (r < 2^32) */
    thr[6] = threshold32(exp(-4.0 / T));
    thr[8] = threshold32(exp(-8.0 / T));

    for (long t = 0; t < sweeps / 10; t++) sweep(s, L, thr, &g);

    double seconds = 0, esum = 0, msum = 0;
    long measured = 0;
    for (long t = 0; t < sweeps;) {
        long block = sweeps - t < MEASURE_EVERY ? sweeps - t : MEASURE_EVERY;
        double t0 = now_seconds();
        for (long k = 0; k < block; k++) sweep(s, L, thr, &g);
        seconds += now_seconds() - t0;
        t += block;
        double e, am;
        measure_int8(s, L, &e, &am);
        esum += e; msum += am; measured++;
    }

    unsigned long long work = (unsigned long long)N * (unsigned long long)sweeps;
    printf("{\"algorithm\":\"checkerboard\",\"L\":%d,\"T\":%.10g,\"sweeps\":%ld,\"seconds\":%.9g,"
           "\"work\":%llu,\"workPerNs\":%.6g,\"energyPerSpin\":%.8f,\"absMagnetization\":%.8f}\n",
           L, T, sweeps, seconds, work, seconds > 0 ? (double)work / (seconds * 1e9) : 0.0,
           esum / measured, msum / measured);
    free(s);
    return 0;
}
