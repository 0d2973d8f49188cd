;; Row-sparse multiply-add, four f32 lanes (loaded by nn/row-axpy.ts; used by the incremental MADE
;; and the RBM's Gibbs half steps):
;;
;;   for j < count:  r = rows[j],  s = scales[r];  if s ≠ 0:
;;     out[c] += s · w[r·cols + c]   for from[r] ≤ c < to[r]
;;
;; rows, from, to are i32 arrays, out, w, scales f32 arrays; every pointer is a byte address in the
;; memory the host imports as env.memory, and cols, count are element counts. Rows start at any
;; column, so the loads are unaligned (allowed in wasm); the last to − from mod 4 columns are scalar.
(module
  (import "env" "memory" (memory 1))

  (func (export "axpyRows")
    (param $out i32) (param $w i32) (param $cols i32) (param $rows i32) (param $count i32)
    (param $scales i32) (param $from i32) (param $to i32)
    (local $j i32) (local $r i32) (local $s f32) (local $s4 v128)
    (local $c i32) (local $end i32) (local $wrow i32) (local $po i32) (local $pw i32)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $j) (local.get $count)))
        (local.set $r (i32.load (i32.add (local.get $rows) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $s (f32.load (i32.add (local.get $scales) (i32.shl (local.get $r) (i32.const 2)))))
        (if (f32.ne (local.get $s) (f32.const 0))
          (then
            (local.set $s4 (f32x4.splat (local.get $s)))
            (local.set $c (i32.load (i32.add (local.get $from) (i32.shl (local.get $r) (i32.const 2)))))
            (local.set $end (i32.load (i32.add (local.get $to) (i32.shl (local.get $r) (i32.const 2)))))
            (local.set $wrow (i32.add (local.get $w) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2))))
            (block $vdone
              (loop $v
                (br_if $vdone (i32.gt_s (i32.add (local.get $c) (i32.const 4)) (local.get $end)))
                (local.set $po (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))))
                (local.set $pw (i32.add (local.get $wrow) (i32.shl (local.get $c) (i32.const 2))))
                (v128.store (local.get $po)
                  (f32x4.add (v128.load (local.get $po)) (f32x4.mul (local.get $s4) (v128.load (local.get $pw)))))
                (local.set $c (i32.add (local.get $c) (i32.const 4)))
                (br $v)))
            (block $tdone
              (loop $t
                (br_if $tdone (i32.ge_s (local.get $c) (local.get $end)))
                (local.set $po (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))))
                (f32.store (local.get $po)
                  (f32.add (f32.load (local.get $po))
                    (f32.mul (local.get $s) (f32.load (i32.add (local.get $wrow) (i32.shl (local.get $c) (i32.const 2)))))))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $t)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $row)))))
