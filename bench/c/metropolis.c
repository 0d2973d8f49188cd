/*
 * Reference baseline: single-spin Metropolis for the 2D Ising model, typewriter order.
 *
 *   cc -O3 -march=native -o bench/c/build/metropolis bench/c/metropolis.c -lm
 *   bench/c/build/metropolis L T SWEEPS SEED
 *
 * Periodic L x L lattice, J = 1, h = 0, site i = x + L*y, spins stored as int8 +-1, hot start.
 * Sites are visited in typewriter order (x fastest). With h = s_i * (sum of the 4 neighbours),
 * the energy change of flipping s_i is dE = 2h in {-8,-4,0,4,8}: flips with h <= 0 are accepted
 * without drawing a random number; h = 2, 4 are accepted when a 32-bit random integer is below
 * floor(exp(-dE/T) * 2^32).
 *
 * RNG: xoshiro128** (32-bit output) seeded by SplitMix64(SEED), identical to spinflow's
 * Rng.stream(SEED). Prints one JSON line (see bench/c/README.md).
 */
#include "common.h"     /* RNG, timing, argument parsing: shared by all programs in bench/c */

/* ---------------------------------------------------------------- Metropolis */

static inline void update_site(int8_t *sp, int nbsum, const uint32_t thr[3], rng_t *g)
{
    int h = *sp * nbsum;                       /* dE = 2h */
    if (h <= 0 || rng_u32(g) < thr[h >> 1]) *sp = (int8_t)-*sp;
}

static void sweep(int8_t *s, int L, const uint32_t thr[3], rng_t *rng)
{
    rng_t g = *rng;                            /* local copy: stays in registers */
    for (int y = 0; y < L; y++) {
        int8_t *r = s + (size_t)y * L;
        const int8_t *rn = s + (size_t)(y == 0 ? L - 1 : y - 1) * L;
        const int8_t *rs = s + (size_t)(y == L - 1 ? 0 : y + 1) * L;
        update_site(&r[0], r[L - 1] + r[1] + rn[0] + rs[0], thr, &g);
        for (int x = 1; x < L - 1; x++)
            update_site(&r[x], r[x - 1] + r[x + 1] + rn[x] + rs[x], thr, &g);
        update_site(&r[L - 1], r[L - 2] + r[0] + rn[L - 1] + rs[L - 1], thr, &g);
    }
    *rng = g;
}

int main(int argc, char **argv)
{
    int L; double T; long sweeps; uint64_t seed;
    parse_args(argc, argv, &L, &T, &sweeps, &seed);
    size_t N = (size_t)L * L;

    rng_t g = rng_seed(seed);
    int8_t *s = malloc(N);
    if (!s) fail("out of memory");
    for (size_t i = 0; i < N; i++) s[i] = (rng_u32(&g) >> 31) ? 1 : -1;

    uint32_t thr[3] = {0, threshold32(exp(-4.0 / T)), threshold32(exp(-8.0 / T))};

    for (long t = 0; t < sweeps / 10; t++) sweep(s, L, thr, &g);

    double seconds = 0, esum = 0, msum = 0;
    for (long t = 0; t < sweeps; t++) {
        double t0 = now_seconds();
        sweep(s, L, thr, &g);
        seconds += now_seconds() - t0;
        double e, am;
        measure_int8(s, L, &e, &am);
        esum += e; msum += am;
    }

    unsigned long long work = (unsigned long long)N * (unsigned long long)sweeps;
    printf("{\"algorithm\":\"metropolis\",\"L\":%d,\"T\":%.10g,\"sweeps\":%ld,\"seconds\":%.9g,"
           "\"work\":%llu,\"workPerNs\":%.6g,\"energyPerSpin\":%.8f,\"absMagnetization\":%.8f}\n",
           L, T, sweeps, seconds, work, seconds > 0 ? (double)work / (seconds * 1e9) : 0.0,
           esum / sweeps, msum / sweeps);
    free(s);
    return 0;
}
