/*
 * Reference baseline: multispin-coded checkerboard Metropolis for the 2D Ising model.
 *
 *   cc -O3 -march=native -o bench/c/build/multispin bench/c/multispin.c -lm
 *   bench/c/build/multispin L T SWEEPS SEED          (L must be a multiple of 128)
 *
 * Periodic L x L lattice, J = 1, h = 0, hot start. 64 spins per uint64_t word: the lattice is cut
 * into 64 horizontal strips of H = L/64 rows, and bit k of word (x, y') holds spin (x, y' + k*H)
 * (bit set = spin up), 0 <= y' < H. Words are stored as w[x + L*y']. Left/right neighbours are
 * the words at x -/+ 1 (same bits); the neighbours above/below are the words at y' -/+ 1, except
 * across a strip edge, where the word of the other edge row is rotated by one bit. H is even
 * (L % 128 == 0), so all 64 spins of a word have the same checkerboard colour (x + y' mod 2).
 *
 * Update of one word: with a_j = w XOR neighbour_j, a bit-sliced adder gives per spin the
 * number a of anti-aligned neighbours: a >= 2 (dE <= 0) flips, a == 1 (dE = 4) flips with
 * p4 = exp(-4/T), a == 0 (dE = 8) with p8 = exp(-8/T). Every spin gets its own uniform u_b,
 * generated lazily one binary digit at a time: bit b of the j-th 64-bit random word (two
 * xoshiro128** outputs, first one in the low half) is digit j of u_b. Digit j of u_b is compared
 * with digit j of the spin's p; the first differing digit decides u_b < p, and the loop stops as
 * soon as no spin of the word is undecided (on average ~log2(#undecided) + 1.3 words).
 *
 * RNG: xoshiro128** (32-bit output) seeded by SplitMix64(SEED), identical to spinflow's
 * Rng.stream(SEED). Prints one JSON line (see bench/c/README.md). Observables are measured
 * after every 10th timed sweep (and after the last one); measurement time is not timed.
 */
#include "common.h"     /* RNG, timing, argument parsing: shared by all programs in bench/c */

/* ---------------------------------------------------------------- multispin coding */

#define MEASURE_EVERY 10

typedef uint64_t u64;

static inline u64 rng_u64(rng_t *g)
{
    u64 lo = rng_u32(g);
    u64 hi = rng_u32(g);
    return lo | (hi << 32);
}

static inline u64 rotl64(u64 x, int k) { return (x << k) | (x >> (64 - k)); }
static inline u64 rotr64(u64 x, int k) { return (x >> k) | (x << (64 - k)); }

static inline int popcount64(u64 x)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_popcountll(x);
#else
    int c = 0;
    for (; x; x &= x - 1) c++;
    return c;
#endif
}

/* p4, p8: the probabilities as 64-bit binary fractions, p = P / 2^64 (digit j = bit 63 - j). */
static inline u64 update_word(u64 w, u64 l, u64 r, u64 u, u64 d, u64 p4, u64 p8, rng_t *g)
{
    u64 a1 = w ^ l, a2 = w ^ r, a3 = w ^ u, a4 = w ^ d;   /* 1 = anti-aligned bond */
    u64 s12 = a1 ^ a2, c12 = a1 & a2;
    u64 s34 = a3 ^ a4, c34 = a3 & a4;
    u64 ones = s12 ^ s34;                                 /* low bit of a */
    u64 ge2 = c12 | c34 | (s12 & s34);                    /* a >= 2 */
    u64 eq1 = ones & ~ge2;                                /* a == 1 */
    u64 eq0 = ~(ones | ge2);                              /* a == 0 */

    u64 flip = ge2;
    u64 undecided = eq1 | eq0;
    for (int j = 63; undecided && j >= 0; j--) {
        /* digit j of each spin's threshold: p4 for a == 1, p8 for a == 0 */
        u64 pd = (eq1 & ((u64)0 - ((p4 >> j) & 1))) | (eq0 & ((u64)0 - ((p8 >> j) & 1)));
        u64 ud = rng_u64(g);                              /* digit of each spin's uniform */
        flip |= undecided & pd & ~ud;                     /* u digit 0 < p digit 1: u < p */
        undecided &= ~(ud ^ pd);                          /* equal digits: still undecided */
    }
    /* spins still undecided after 64 digits have u >= p to 64-bit precision: not flipped */
    return w ^ flip;
}

/* Update all words of one colour: (x + y') mod 2 == parity. */
static void half_sweep(u64 *w, int L, int H, int parity, u64 p4, u64 p8, rng_t *rng)
{
    rng_t state = *rng, *g = &state;           /* local copy: stays in registers */
    for (int yp = 0; yp < H; yp++) {
        u64 *row = w + (size_t)yp * L;
        const u64 *rn = w + (size_t)(yp == 0 ? H - 1 : yp - 1) * L;
        const u64 *rs = w + (size_t)(yp == H - 1 ? 0 : yp + 1) * L;
        /* across a strip edge the neighbour row belongs to the next/previous strip */
        int rot_n = (yp == 0), rot_s = (yp == H - 1);
#define NB_N(x) (rot_n ? rotl64(rn[x], 1) : rn[x])
#define NB_S(x) (rot_s ? rotr64(rs[x], 1) : rs[x])
        int x = (yp + parity) & 1;
        if (x == 0) {
            row[0] = update_word(row[0], row[L - 1], row[1], NB_N(0), NB_S(0), p4, p8, g);
            x = 2;
        }
        for (; x < L - 1; x += 2)
            row[x] = update_word(row[x], row[x - 1], row[x + 1], NB_N(x), NB_S(x), p4, p8, g);
        if (x == L - 1)
            row[x] = update_word(row[x], row[x - 1], row[0], NB_N(x), NB_S(x), p4, p8, g);
#undef NB_N
#undef NB_S
    }
    *rng = state;
}

static void sweep(u64 *w, int L, int H, u64 p4, u64 p8, rng_t *g)
{
    half_sweep(w, L, H, 0, p4, p8, g);
    half_sweep(w, L, H, 1, p4, p8, g);
}

static void measure(const u64 *w, int L, int H, double *e, double *absm)
{
    long anti = 0, up = 0;                     /* anti-aligned bonds (right and down), up spins */
    for (int yp = 0; yp < H; yp++) {
        const u64 *row = w + (size_t)yp * L;
        const u64 *rs = w + (size_t)(yp == H - 1 ? 0 : yp + 1) * L;
        for (int x = 0; x < L; x++) {
            u64 right = row[x == L - 1 ? 0 : x + 1];
            u64 down = yp == H - 1 ? rotr64(rs[x], 1) : rs[x];
            anti += popcount64(row[x] ^ right) + popcount64(row[x] ^ down);
            up += popcount64(row[x]);
        }
    }
    double n = (double)L * L;
    *e = -(2.0 * n - 2.0 * (double)anti) / n;  /* sum of s_i s_j = (2N - anti) - anti */
    *absm = fabs(2.0 * (double)up - n) / n;
}

/* p as a 64-bit binary fraction, floor(p * 2^64), for 0 <= p < 1 (exact for a double p) */
static u64 fraction64(double p)
{
    double hi = floor(ldexp(p, 32));
    double lo = ldexp(p, 32) - hi;             /* exact: p has at most 53 significant bits */
    return ((u64)hi << 32) | (u64)ldexp(lo, 32);
}

int main(int argc, char **argv)
{
    int L; double T; long sweeps; uint64_t seed;
    parse_args(argc, argv, &L, &T, &sweeps, &seed);
    if (L % 128) fail("multispin needs L to be a multiple of 128");
    int H = L / 64;
    size_t nwords = (size_t)L * H, N = (size_t)L * L;

    rng_t g = rng_seed(seed);
    u64 *w = malloc(nwords * sizeof *w);
    if (!w) fail("out of memory");
    for (size_t i = 0; i < nwords; i++) w[i] = rng_u64(&g);

    u64 p4 = fraction64(exp(-4.0 / T)), p8 = fraction64(exp(-8.0 / T));

    for (long t = 0; t < sweeps / 10; t++) sweep(w, L, H, p4, p8, &g);

    double seconds = 0, esum = 0, msum = 0;
    long measured = 0;
    for (long t = 0; t < sweeps;) {
        long block = sweeps - t < MEASURE_EVERY ? sweeps - t : MEASURE_EVERY;
        double t0 = now_seconds();
        for (long k = 0; k < block; k++) sweep(w, L, H, p4, p8, &g);
        seconds += now_seconds() - t0;
        t += block;
        double e, am;
        measure(w, L, H, &e, &am);
        esum += e; msum += am; measured++;
    }

    unsigned long long work = (unsigned long long)N * (unsigned long long)sweeps;
    printf("{\"algorithm\":\"multispin\",\"L\":%d,\"T\":%.10g,\"sweeps\":%ld,\"seconds\":%.9g,"
           "\"work\":%llu,\"workPerNs\":%.6g,\"energyPerSpin\":%.8f,\"absMagnetization\":%.8f}\n",
           L, T, sweeps, seconds, work, seconds > 0 ? (double)work / (seconds * 1e9) : 0.0,
           esum / measured, msum / measured);
    free(w);
    return 0;
}
