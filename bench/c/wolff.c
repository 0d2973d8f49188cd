/*
 * Reference baseline: Wolff single-cluster algorithm for the 2D Ising model.
 *
 *   cc -O3 -march=native -o bench/c/build/wolff bench/c/wolff.c -lm
 *   bench/c/build/wolff L T SWEEPS SEED
 *
 * Periodic L x L lattice, J = 1, h = 0, site i = x + L*y, spins stored as int8 +-1, hot start.
 * A cluster step picks a uniform random seed site (Lemire bounded integer), flips it and grows
 * the cluster with an explicit stack: a neighbour still carrying the old spin value is added
 * (and flipped at once, which marks it as visited) when a 32-bit random integer is below
 * floor(p_add * 2^32), p_add = 1 - exp(-2/T). Random numbers are drawn only for neighbours
 * with the old spin value. One "sweep" = cluster steps until at least N = L*L spins have been
 * flipped since the sweep began; work = spins flipped (sum of cluster sizes). Observables are
 * measured every M cluster steps (M fixed after thermalization, about one sweep's worth), not
 * at the ends of sweeps, which would be biased; see main().
 *
 * RNG: xoshiro128** (32-bit output) seeded by SplitMix64(SEED), identical to spinflow's
 * Rng.stream(SEED). Prints one JSON line (see bench/c/README.md).
 */
#include "common.h"     /* RNG, timing, argument parsing: shared by all programs in bench/c */

/* ---------------------------------------------------------------- Wolff */

/* One cluster step; returns the cluster size. */
static uint32_t cluster_step(int8_t *s, uint32_t L, uint32_t thr, uint32_t *stack, rng_t *rng)
{
    rng_t g = *rng;                            /* local copy: stays in registers */
    uint32_t N = L * L;
    uint32_t seed = rng_below(&g, N);
    int8_t old = s[seed];
    s[seed] = (int8_t)-old;
    stack[0] = seed;
    uint32_t sp = 1, size = 1;
    while (sp > 0) {
        uint32_t k = stack[--sp];
        uint32_t y = k / L, x = k - y * L;
        uint32_t nb[4];
        nb[0] = x == 0 ? k + L - 1 : k - 1;
        nb[1] = x == L - 1 ? k + 1 - L : k + 1;
        nb[2] = y == 0 ? k + N - L : k - L;
        nb[3] = y == L - 1 ? k + L - N : k + L;
        for (int d = 0; d < 4; d++) {
            uint32_t j = nb[d];
            if (s[j] == old && rng_u32(&g) < thr) {
                s[j] = (int8_t)-old;
                stack[sp++] = j;
                size++;
            }
        }
    }
    *rng = g;
    return size;
}

int main(int argc, char **argv)
{
    int L; double T; long sweeps; uint64_t seed;
    parse_args(argc, argv, &L, &T, &sweeps, &seed);
    uint32_t N = (uint32_t)L * (uint32_t)L;

    rng_t g = rng_seed(seed);
    int8_t *s = malloc(N);
    uint32_t *stack = malloc((size_t)N * sizeof *stack);   /* each site is pushed at most once */
    if (!s || !stack) fail("out of memory");
    for (uint32_t i = 0; i < N; i++) s[i] = (rng_u32(&g) >> 31) ? 1 : -1;

    uint32_t thr = threshold32(-expm1(-2.0 / T));           /* p_add = 1 - exp(-2/T) */

    /* Thermalization: SWEEPS/10 sweeps, also used to fix the measurement interval below. */
    unsigned long long therm_flipped = 0, therm_clusters = 0;
    for (long t = 0; t < sweeps / 10; t++)
        for (uint64_t flipped = 0; flipped < N; therm_clusters++) {
            uint32_t c = cluster_step(s, L, thr, stack, &g);
            flipped += c;
            therm_flipped += c;
        }

    /*
     * Observables are NOT measured at the end of each sweep: the end of a sweep is the cluster
     * that pushes the flip count past N, a size-biased (stopping-time) choice, and the state
     * right after a size-biased cluster flip is not an equilibrium sample (at T = 3, L = 64 this
     * shifts E/N by about -0.0017, ~6 standard errors of a modest run). Instead they are measured
     * after every M-th cluster step, M = a whole number of clusters close to one sweep's worth
     * (N / mean cluster size during thermalization), which gives about one measurement per sweep
     * at times that do not depend on the cluster sizes.
     */
    unsigned long long M = 1;
    if (therm_flipped > 0) {
        double m = (double)N * (double)therm_clusters / (double)therm_flipped;
        if (m > 1) M = (unsigned long long)(m + 0.5);
    }

    double seconds = 0, esum = 0, msum = 0;
    unsigned long long work = 0, clusters = 0, measured = 0;
    uint64_t flipped = 0;
    double t0 = now_seconds();
    for (long t = 0; t < sweeps;) {
        uint32_t c = cluster_step(s, L, thr, stack, &g);
        flipped += c;
        work += c;
        clusters++;
        if (flipped >= N) { t++; flipped = 0; }      /* one sweep: >= N spins flipped */
        if (clusters % M == 0) {
            seconds += now_seconds() - t0;          /* measurement time is not timed */
            double e, am;
            measure_int8(s, L, &e, &am);
            esum += e; msum += am; measured++;
            t0 = now_seconds();
        }
    }
    seconds += now_seconds() - t0;
    if (measured == 0) {                            /* very short runs */
        double e, am;
        measure_int8(s, L, &e, &am);
        esum += e; msum += am; measured++;
    }

    printf("{\"algorithm\":\"wolff\",\"L\":%d,\"T\":%.10g,\"sweeps\":%ld,\"seconds\":%.9g,"
           "\"work\":%llu,\"workPerNs\":%.6g,\"energyPerSpin\":%.8f,\"absMagnetization\":%.8f,"
           "\"clusters\":%llu}\n",
           L, T, sweeps, seconds, work, seconds > 0 ? (double)work / (seconds * 1e9) : 0.0,
           esum / measured, msum / measured, clusters);
    free(stack);
    free(s);
    return 0;
}
