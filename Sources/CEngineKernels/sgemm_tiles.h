// The tiled kernel body, written once and included by sgemm_fma.c for each instruction set. The
// includer defines: NJ_NAME(x) (a per-set function name), NJ_ISA (the target attribute), NJ_LANES,
// NJ_VEC and NJ_MASK (vector and lane-mask types), and NJ_ZERO(), NJ_SET1(x), NJ_LOAD(p),
// NJ_LOAD_MASKED(p, m), NJ_STORE(p, v), NJ_STORE_MASKED(p, m, v), NJ_MADD(a, b, c), NJ_MUL(a, b),
// NJ_ADD(a, b), NJ_RELU(v) (x <= 0 becomes 0, NaN stays), NJ_MASK_FOR(width, half).
//
// `bias` (a row of C's columns, or NULL) and `relu` are the epilogue of a fused layer, applied by
// the last chunk of k to the value it stores: the same float addition and Relu the separate nodes
// would apply to C afterwards.

// One tile of `rows` × (`halves` · NJ_LANES) outputs over k in [p0, p1): the accumulators start at
// zero and take one FMA per term in order, so every output rounds as a scalar FMA chain would.
// `rows`, `halves` and `ragged` are constants at every call site, which lets the compiler keep the
// tile in registers. Only the last half of a ragged tile is masked: masked stores are slow on AMD
// cores, and a tile whose second half would hold no column (an output 8 or 16 wide) has one half.
static inline __attribute__((always_inline)) NJ_ISA void NJ_NAME(tile)(
    int rows, int halves, int ragged, long width, const float *a, long lda, const float *b, long ldb,
    float *c, long ldc, long p0, long p1, float alpha, int overwrite, const float *bias, int relu) {
    NJ_VEC acc[NJ_TILE_ROWS][2];
    NJ_MASK last = NJ_MASK_FOR(ragged ? width : halves * NJ_LANES, halves - 1);
    for (int r = 0; r < rows; r++)
        for (int h = 0; h < halves; h++) acc[r][h] = NJ_ZERO();
    for (long p = p0; p < p1; p++) {
        const float *brow = b + p * ldb;
        NJ_VEC bv[2];
        for (int h = 0; h < halves; h++)
            bv[h] = ragged && h == halves - 1 ? NJ_LOAD_MASKED(brow + NJ_LANES * h, last) : NJ_LOAD(brow + NJ_LANES * h);
        for (int r = 0; r < rows; r++) {
            NJ_VEC x = NJ_SET1(a[r * lda + p]);
            for (int h = 0; h < halves; h++) acc[r][h] = NJ_MADD(x, bv[h], acc[r][h]);
        }
    }
    // As MLAS: the first chunk overwrites C unless accumulating; later chunks and accumulation
    // add `alpha · chunk` to C in one rounding.
    const NJ_VEC al = NJ_SET1(alpha);
    for (int r = 0; r < rows; r++) {
        float *crow = c + r * ldc;
        for (int h = 0; h < halves; h++) {
            NJ_VEC v = acc[r][h];
            int masked = ragged && h == halves - 1;
            float *out = crow + NJ_LANES * h;
            if (overwrite) {
                if (alpha != 1.0f) v = NJ_MUL(v, al);
            } else {
                v = NJ_MADD(v, al, masked ? NJ_LOAD_MASKED(out, last) : NJ_LOAD(out));
            }
            if (bias) v = NJ_ADD(v, masked ? NJ_LOAD_MASKED(bias + NJ_LANES * h, last) : NJ_LOAD(bias + NJ_LANES * h));
            if (relu) v = NJ_RELU(v);
            if (masked) NJ_STORE_MASKED(out, last, v);
            else NJ_STORE(out, v);
        }
    }
}

// Rows of one column tile: full groups of six, then the remainder with its own constant count.
static inline __attribute__((always_inline)) NJ_ISA void NJ_NAME(column)(
    int halves, int ragged, long width, const float *a, long lda, const float *b, long ldb, float *c, long ldc,
    long m, long p0, long p1, float alpha, int overwrite, const float *bias, int relu) {
    long i = 0;
    for (; i + NJ_TILE_ROWS <= m; i += NJ_TILE_ROWS)
        NJ_NAME(tile)(NJ_TILE_ROWS, halves, ragged, width, a + i * lda, lda, b, ldb, c + i * ldc, ldc, p0, p1, alpha, overwrite, bias, relu);
    const float *ai = a + i * lda;
    float *ci = c + i * ldc;
    switch (m - i) {
    case 5: NJ_NAME(tile)(5, halves, ragged, width, ai, lda, b, ldb, ci, ldc, p0, p1, alpha, overwrite, bias, relu); break;
    case 4: NJ_NAME(tile)(4, halves, ragged, width, ai, lda, b, ldb, ci, ldc, p0, p1, alpha, overwrite, bias, relu); break;
    case 3: NJ_NAME(tile)(3, halves, ragged, width, ai, lda, b, ldb, ci, ldc, p0, p1, alpha, overwrite, bias, relu); break;
    case 2: NJ_NAME(tile)(2, halves, ragged, width, ai, lda, b, ldb, ci, ldc, p0, p1, alpha, overwrite, bias, relu); break;
    case 1: NJ_NAME(tile)(1, halves, ragged, width, ai, lda, b, ldb, ci, ldc, p0, p1, alpha, overwrite, bias, relu); break;
    default: break;
    }
}

// Column blocks of C, chunks of k within each, then tiles: a block of B stays in cache while all
// rows of A pass it.
static NJ_ISA void NJ_NAME(blocked)(const float *a, const float *b, float *c, long m, long n, long k,
                                    long kc, float alpha, int accumulate,
                                    const float *bias, int relu) {
    for (long j0 = 0; j0 < n; j0 += NJ_BLOCK_COLS) {
        long j1 = j0 + NJ_BLOCK_COLS < n ? j0 + NJ_BLOCK_COLS : n;
        // k == 0 still writes C (zeros, or leaves it) once, as the portable kernel does.
        for (long p0 = 0; p0 < k || (p0 == 0 && !accumulate); p0 += kc) {
            long p1 = p0 + kc < k ? p0 + kc : k;
            int overwrite = p0 == 0 && !accumulate;
            int last = p1 >= k;
            int epilogue_relu = last && relu;
            long j = j0;
            for (; j + 2 * NJ_LANES <= j1; j += 2 * NJ_LANES)
                NJ_NAME(column)(2, 0, 2 * NJ_LANES, a, k, b + j, n, c + j, n, m, p0, p1, alpha, overwrite,
                                last && bias ? bias + j : NULL, epilogue_relu);
            const float *bj = last && bias ? bias + j : NULL;
            long width = j1 - j;
            if (width > NJ_LANES)
                NJ_NAME(column)(2, 1, width, a, k, b + j, n, c + j, n, m, p0, p1, alpha, overwrite, bj, epilogue_relu);
            else if (width == NJ_LANES)
                NJ_NAME(column)(1, 0, width, a, k, b + j, n, c + j, n, m, p0, p1, alpha, overwrite, bj, epilogue_relu);
            else if (width > 0)
                NJ_NAME(column)(1, 1, width, a, k, b + j, n, c + j, n, m, p0, p1, alpha, overwrite, bj, epilogue_relu);
        }
    }
}
