;; Multispin-coded checkerboard Metropolis for the 2D Ising model at h = 0, 128 spins per v128.
;;
;; Layout ("simd-strip"): the Lx × Ly lattice is cut into 128 horizontal strips of H = Ly/128 rows
;; (H even). Bit k (0..127) of word (x, y'), 0 ≤ y' < H, holds spin (x, y' + k·H); bit k of a v128
;; is bit (k mod 32) of i32 lane k/32 (equivalently bit (k mod 64) of i64 lane k/64). All bits of a
;; word share the checkerboard colour (x + y') mod 2. A bit is 1 for an up spin.
;;
;; The words sit in a padded grid of (H + 2) rows × (Lx + 2) columns (16 bytes each) from byte
;; SPINS = 2048: padded row r = y' + 1, padded column q = x + 1. Row 0, row H + 1, column 0 and
;; column Lx + 1 are ghosts refreshed before every half-sweep ($ghost), so the kernel reads the four
;; neighbours of a word at fixed offsets. The ghost row above row y' = 0 is the last row rotated
;; left by one bit (bit k ← bit k − 1: the strip above), the ghost row below y' = H − 1 is the
;; first row rotated right by one bit (bit k ← bit k + 1: the strip below), periodic 127 ↔ 0.
;;
;; Acceptance: a = number of anti-aligned neighbours (for J < 0 the caller passes inv = −1, which
;; complements the spin word so a counts aligned neighbours). a ≥ 2 always flips; a = 1 flips when
;; U < p4, a = 0 when U < p8, with one independent uniform U per spin. U is compared with p lazily,
;; binary digit by binary digit: digit k of every U in a word is the matching bit of the k-th random
;; v128, so a word costs as many random v128 as its slowest spin needs (about 7–8).
;;
;; Memory below SPINS (written by the host):
;;   32·k        digit k of p4, as a v128 of all-ones (digit 1) or zeros (digit 0), k = 0..31
;;   32·k + 16   digit k of p8
;;   1024, 1040  tail masks for p4, p8: all-ones when p ≥ 1 (spins still undecided after 32
;;               digits are then accepted), else zero (rejected; resolution 2^-32)
;;   1056..1119  state of the 4-lane xoshiro128** (s0, s1, s2, s3; lane l is an independent stream)
(module
  (memory (export "memory") 1)

  ;; 128-bit rotate left by one bit: bit k ← bit k − 1, bit 0 ← bit 127.
  (func $rotl1 (param $v v128) (result v128)
    (v128.or
      (i64x2.shl (local.get $v) (i32.const 1))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
        (i64x2.shr_u (local.get $v) (i32.const 63))
        (local.get $v))))

  ;; 128-bit rotate right by one bit: bit k ← bit k + 1, bit 127 ← bit 0.
  (func $rotr1 (param $v v128) (result v128)
    (v128.or
      (i64x2.shr_u (local.get $v) (i32.const 1))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
        (i64x2.shl (local.get $v) (i32.const 63))
        (local.get $v))))

  (func (export "rotl1") (param $lo i64) (param $hi i64) (param $lane i32) (result i64)
    ;; test hook: lane 0 or 1 of rotl1((lo, hi))
    (local $r v128)
    (local.set $r (call $rotl1 (i64x2.replace_lane 1 (i64x2.splat (local.get $lo)) (local.get $hi))))
    (if (result i64) (local.get $lane)
      (then (i64x2.extract_lane 1 (local.get $r)))
      (else (i64x2.extract_lane 0 (local.get $r)))))

  (func (export "rotr1") (param $lo i64) (param $hi i64) (param $lane i32) (result i64)
    (local $r v128)
    (local.set $r (call $rotr1 (i64x2.replace_lane 1 (i64x2.splat (local.get $lo)) (local.get $hi))))
    (if (result i64) (local.get $lane)
      (then (i64x2.extract_lane 1 (local.get $r)))
      (else (i64x2.extract_lane 0 (local.get $r)))))

  ;; Refresh the ghost columns of the real rows and the ghost rows (real columns only).
  (func $ghost (param $lx i32) (param $h i32)
    (local $stride i32) (local $p i32) (local $q i32) (local $end i32) (local $last i32)
    (local.set $stride (i32.shl (i32.add (local.get $lx) (i32.const 2)) (i32.const 4)))
    (local.set $last (i32.shl (local.get $lx) (i32.const 4)))
    ;; ghost columns: column 0 ← column lx, column lx + 1 ← column 1
    (local.set $p (i32.add (i32.const 2048) (local.get $stride)))
    (local.set $end (i32.add (i32.const 2048)
      (i32.mul (local.get $stride) (i32.add (local.get $h) (i32.const 1)))))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (v128.store (local.get $p) (v128.load (i32.add (local.get $p) (local.get $last))))
        (v128.store (i32.add (i32.add (local.get $p) (local.get $last)) (i32.const 16))
          (v128.load offset=16 (local.get $p)))
        (local.set $p (i32.add (local.get $p) (local.get $stride)))
        (br $rows)))
    ;; ghost rows: row 0 ← rotl1(row h), row h + 1 ← rotr1(row 1), for columns 1..lx
    (local.set $p (i32.const 2064))
    (local.set $q (i32.add (i32.const 2064) (i32.mul (local.get $stride) (local.get $h))))
    (local.set $end (i32.add (local.get $p) (local.get $last)))
    (block $done2
      (loop $cols
        (br_if $done2 (i32.ge_u (local.get $p) (local.get $end)))
        (v128.store (local.get $p) (call $rotl1 (v128.load (local.get $q))))
        (v128.store (i32.add (local.get $q) (local.get $stride))
          (call $rotr1 (v128.load (i32.add (local.get $p) (local.get $stride)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $cols))))

  ;; n full sweeps (colour 0 then colour 1) of the lx × (128·h) lattice. inv = 0 for J > 0, −1 for J < 0.
  (func (export "sweep") (param $lx i32) (param $h i32) (param $n i32) (param $invi i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $inv v128) (local $t4 v128) (local $t8 v128)
    (local $w v128) (local $s v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128)
    (local $x1 v128) (local $x2 v128) (local $cc v128)
    (local $acc v128) (local $u1 v128) (local $u0 v128) (local $r v128) (local $x v128) (local $t v128)
    (local $d4 v128) (local $d8 v128)
    (local $stride i32) (local $iter i32) (local $c i32) (local $y i32)
    (local $row i32) (local $p i32) (local $end i32) (local $k i32)
    (local.set $s0 (v128.load (i32.const 1056)))
    (local.set $s1 (v128.load (i32.const 1072)))
    (local.set $s2 (v128.load (i32.const 1088)))
    (local.set $s3 (v128.load (i32.const 1104)))
    (local.set $t4 (v128.load (i32.const 1024)))
    (local.set $t8 (v128.load (i32.const 1040)))
    (local.set $inv (i32x4.splat (local.get $invi)))
    (local.set $stride (i32.shl (i32.add (local.get $lx) (i32.const 2)) (i32.const 4)))
    (block $sweeps_done
      (loop $sweeps
        (br_if $sweeps_done (i32.ge_u (local.get $iter) (local.get $n)))
        (local.set $c (i32.const 0))
        (loop $colours
          (call $ghost (local.get $lx) (local.get $h))
          (local.set $y (i32.const 0))
          ;; byte address of padded (row 1, column 1)
          (local.set $row (i32.add (i32.const 2064) (local.get $stride)))
          (loop $rows
            (local.set $p (i32.add (local.get $row)
              (i32.shl (i32.and (i32.xor (local.get $c) (local.get $y)) (i32.const 1)) (i32.const 4))))
            (local.set $end (i32.add (local.get $row) (i32.shl (local.get $lx) (i32.const 4))))
            (loop $words
              (local.set $w (v128.load (local.get $p)))
              (local.set $s (v128.xor (local.get $w) (local.get $inv)))
              (local.set $a1 (v128.xor (local.get $s) (v128.load offset=16 (local.get $p))))
              (local.set $a2 (v128.xor (local.get $s) (v128.load (i32.sub (local.get $p) (i32.const 16)))))
              (local.set $a3 (v128.xor (local.get $s) (v128.load (i32.add (local.get $p) (local.get $stride)))))
              (local.set $a4 (v128.xor (local.get $s) (v128.load (i32.sub (local.get $p) (local.get $stride)))))
              ;; half adders: a1 + a2 = 2·(a1 & a2) + (a1 ^ a2), same for a3 + a4
              (local.set $x1 (v128.xor (local.get $a1) (local.get $a2)))
              (local.set $x2 (v128.xor (local.get $a3) (local.get $a4)))
              (local.set $cc (v128.or (v128.and (local.get $a1) (local.get $a2))
                                      (v128.and (local.get $a3) (local.get $a4))))
              ;; a ≥ 2: a carry, or both partial sums odd
              (local.set $acc (v128.or (local.get $cc) (v128.and (local.get $x1) (local.get $x2))))
              ;; a = 1: odd total without a carry; a = 0: nothing set
              (local.set $u1 (v128.andnot (v128.xor (local.get $x1) (local.get $x2)) (local.get $cc)))
              (local.set $u0 (v128.not (v128.or (v128.or (local.get $x1) (local.get $x2)) (local.get $cc))))
              (local.set $k (i32.const 0))
              (block $decided
                (loop $digits
                  (br_if $decided (i32.eqz (v128.any_true (v128.or (local.get $u1) (local.get $u0)))))
                  (if (i32.eq (local.get $k) (i32.const 1024))
                    (then
                      (local.set $acc (v128.or (local.get $acc)
                        (v128.or (v128.and (local.get $u1) (local.get $t4))
                                 (v128.and (local.get $u0) (local.get $t8)))))
                      (br $decided)))
                  ;; xoshiro128** in each lane: r = rotl(s1·5, 7)·9
                  (local.set $x (i32x4.mul (local.get $s1) (v128.const i32x4 5 5 5 5)))
                  (local.set $r (i32x4.mul
                    (v128.or (i32x4.shl (local.get $x) (i32.const 7)) (i32x4.shr_u (local.get $x) (i32.const 25)))
                    (v128.const i32x4 9 9 9 9)))
                  (local.set $t (i32x4.shl (local.get $s1) (i32.const 9)))
                  (local.set $s2 (v128.xor (local.get $s2) (local.get $s0)))
                  (local.set $s3 (v128.xor (local.get $s3) (local.get $s1)))
                  (local.set $s1 (v128.xor (local.get $s1) (local.get $s2)))
                  (local.set $s0 (v128.xor (local.get $s0) (local.get $s3)))
                  (local.set $s2 (v128.xor (local.get $s2) (local.get $t)))
                  (local.set $s3 (v128.or (i32x4.shl (local.get $s3) (i32.const 11))
                                          (i32x4.shr_u (local.get $s3) (i32.const 21))))
                  ;; digit k of p: 1 → accept where U's digit is 0; undecided stay where digits agree
                  (local.set $d4 (v128.load (local.get $k)))
                  (local.set $d8 (v128.load offset=16 (local.get $k)))
                  (local.set $acc (v128.or (local.get $acc)
                    (v128.andnot
                      (v128.or (v128.and (local.get $u1) (local.get $d4)) (v128.and (local.get $u0) (local.get $d8)))
                      (local.get $r))))
                  (local.set $u1 (v128.andnot (local.get $u1) (v128.xor (local.get $r) (local.get $d4))))
                  (local.set $u0 (v128.andnot (local.get $u0) (v128.xor (local.get $r) (local.get $d8))))
                  (local.set $k (i32.add (local.get $k) (i32.const 32)))
                  (br $digits)))
              (v128.store (local.get $p) (v128.xor (local.get $w) (local.get $acc)))
              (local.set $p (i32.add (local.get $p) (i32.const 32)))
              (br_if $words (i32.lt_u (local.get $p) (local.get $end))))
            (local.set $row (i32.add (local.get $row) (local.get $stride)))
            (local.set $y (i32.add (local.get $y) (i32.const 1)))
            (br_if $rows (i32.lt_u (local.get $y) (local.get $h))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br_if $colours (i32.lt_u (local.get $c) (i32.const 2))))
        (local.set $iter (i32.add (local.get $iter) (i32.const 1)))
        (br $sweeps)))
    (v128.store (i32.const 1056) (local.get $s0))
    (v128.store (i32.const 1072) (local.get $s1))
    (v128.store (i32.const 1088) (local.get $s2))
    (v128.store (i32.const 1104) (local.get $s3)))
)
