/*
 * Reference baseline: Kawasaki nearest-neighbour spin exchange for the 2D Ising model at fixed
 * magnetization M = 0.
 *
 *   cc -O3 -march=native -o bench/c/build/kawasaki bench/c/kawasaki.c -lm
 *   bench/c/build/kawasaki L T SWEEPS SEED          (L even)
 *
 * Periodic L x L lattice, J = 1, h = 0, site i = x + L*y, spins stored as int8 +-1. Start:
 * exactly N/2 up spins in a uniformly random arrangement (Fisher-Yates shuffle). An attempt draws
 * one bounded random integer r in [0, 4N) (Lemire's method, no modulo bias): site i = r / 4,
 * neighbour direction r % 4, which picks a site and one of its 4 neighbours uniformly. If the
 * two spins differ, exchanging them costs dE = 2 (s_i S_i + s_j S_j + 2), S = sum of the 4
 * neighbours (the shared bond stays anti-aligned), dE in {-12,...,12} in steps of 4; dE <= 0 is
 * accepted at once, dE > 0 when a 32-bit random integer is below floor(exp(-dE/T) * 2^32).
 * One sweep = N attempts; work = attempts. The magnetization is checked at every measurement
 * and printed as "magnetization" (must be exactly 0).
 *
 * RNG: xoshiro128** (32-bit output) seeded by SplitMix64(SEED), identical to spinflow's
 * Rng.stream(SEED). Prints one JSON line (see bench/c/README.md).
 */
#include "common.h"     /* RNG, timing, argument parsing: shared by all programs in bench/c */

/* ---------------------------------------------------------------- Kawasaki */

static void sweep(int8_t *s, uint32_t L, const uint32_t thr[4], rng_t *rng)
{
    rng_t g = *rng;                            /* local copy: stays in registers */
    uint32_t N = L * L;
    for (uint32_t a = 0; a < N; a++) {
        uint32_t r = rng_below(&g, 4 * N);
        uint32_t i = r >> 2, dir = r & 3;
        uint32_t yi = i / L, xi = i - yi * L;
        uint32_t xl = xi == 0 ? L - 1 : xi - 1, xr = xi == L - 1 ? 0 : xi + 1;
        uint32_t yn = yi == 0 ? L - 1 : yi - 1, ys = yi == L - 1 ? 0 : yi + 1;
        uint32_t xj = xi, yj = yi;
        switch (dir) {
        case 0: xj = xl; break;
        case 1: xj = xr; break;
        case 2: yj = yn; break;
        default: yj = ys; break;
        }
        uint32_t j = xj + L * yj;
        int si = s[i], sj = s[j];
        if (si == sj) continue;

        int Si = s[xl + L * yi] + s[xr + L * yi] + s[xi + L * yn] + s[xi + L * ys];
        uint32_t jl = xj == 0 ? L - 1 : xj - 1, jr = xj == L - 1 ? 0 : xj + 1;
        uint32_t jn = yj == 0 ? L - 1 : yj - 1, js = yj == L - 1 ? 0 : yj + 1;
        int Sj = s[jl + L * yj] + s[jr + L * yj] + s[xj + L * jn] + s[xj + L * js];
        int q = si * Si + sj * Sj + 2;         /* dE = 2q, q in {-6,...,6} even */
        if (q <= 0 || rng_u32(&g) < thr[q >> 1]) {
            s[i] = (int8_t)sj;
            s[j] = (int8_t)si;
        }
    }
    *rng = g;
}

int main(int argc, char **argv)
{
    int L; double T; long sweeps; uint64_t seed;
    parse_args(argc, argv, &L, &T, &sweeps, &seed);
    if (L % 2) fail("kawasaki at M = 0 needs an even L");
    if (L > 16384) fail("kawasaki needs 4*L*L < 2^32");
    uint32_t N = (uint32_t)L * (uint32_t)L;

    rng_t g = rng_seed(seed);
    int8_t *s = malloc(N);
    if (!s) fail("out of memory");
    for (uint32_t i = 0; i < N; i++) s[i] = i < N / 2 ? 1 : -1;
    for (uint32_t i = N - 1; i > 0; i--) {     /* Fisher-Yates shuffle */
        uint32_t k = rng_below(&g, i + 1);
        int8_t t = s[i]; s[i] = s[k]; s[k] = t;
    }

    /* index q/2 = dE/4 in {1, 2, 3} */
    uint32_t thr[4] = {0, threshold32(exp(-4.0 / T)), threshold32(exp(-8.0 / T)),
                       threshold32(exp(-12.0 / T))};

    for (long t = 0; t < sweeps / 10; t++) sweep(s, L, thr, &g);

    double seconds = 0, esum = 0, e, am;
    /* M0 = 0: |M| = 0 exactly when the magnetization is conserved */
    measure_int8(s, L, &e, &am);
    if (am != 0) fail("magnetization is not 0 after thermalization");
    for (long t = 0; t < sweeps; t++) {
        double t0 = now_seconds();
        sweep(s, L, thr, &g);
        seconds += now_seconds() - t0;
        measure_int8(s, L, &e, &am);
        if (am != 0) fail("magnetization is not conserved");
        esum += e;
    }

    unsigned long long work = (unsigned long long)N * (unsigned long long)sweeps;
    printf("{\"algorithm\":\"kawasaki\",\"L\":%d,\"T\":%.10g,\"sweeps\":%ld,\"seconds\":%.9g,"
           "\"work\":%llu,\"workPerNs\":%.6g,\"energyPerSpin\":%.8f,\"absMagnetization\":%.8f,"
           "\"magnetization\":%.8f}\n",
           L, T, sweeps, seconds, work, seconds > 0 ? (double)work / (seconds * 1e9) : 0.0,
           esum / sweeps, am, am);
    free(s);
    return 0;
}
