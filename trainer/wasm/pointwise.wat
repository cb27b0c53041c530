;; pointwise.wat: the fast element- and row-wise kernels of a training step (WASM SIMD): GELU and
;; its gradient, causal softmax and its gradient, layer norm and its gradient. Source of pointwise.wasm (`npm run build:wasm`).
;; Between the matmuls these are most of a step's time in plain JS, mostly for Math.exp; here
;; exp is a vector polynomial (relative error about 2e-7) and four lanes go at once.
;; Like gemm.wat it knows nothing of tensors or threads: the caller gives each thread a range.
;; All addresses are byte offsets and must be 16-byte aligned; counts are in elements.
(module
  (import "env" "memory" (memory 1 32768 shared))

  ;; exp4 is e^x per lane: 2^n · e^r with n = round(x·log2 e) and |r| ≤ ln2/2, e^r by its degree-6
  ;; Taylor polynomial. Inputs are clamped so 2^n stays a normal float (e^-87 … e^87).
  (func $exp4 (param $x v128) (result v128)
    (local $z v128) (local $n v128) (local $r v128) (local $p v128)
    (local.set $z (f32x4.mul (local.get $x) (f32x4.splat (f32.const 1.44269504))))
    (local.set $z (f32x4.max (f32x4.splat (f32.const -126)) (f32x4.min (f32x4.splat (f32.const 126)) (local.get $z))))
    (local.set $n (f32x4.nearest (local.get $z)))
    (local.set $r (f32x4.mul (f32x4.sub (local.get $z) (local.get $n)) (f32x4.splat (f32.const 0.693147181))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 0.00138888889)) (f32x4.mul (local.get $r) (f32x4.splat (f32.const 0.000198412698)))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 0.00833333333)) (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 0.0416666667)) (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 0.166666667)) (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 0.5)) (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $r) (local.get $p))))
    (local.set $p (f32x4.add (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $r) (local.get $p))))
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (i32x4.splat (i32.const 127))) (i32.const 23))))

  ;; gelu writes y = gelu(x) (tanh form) and th = tanh(u), u = √(2/π)(x + 0.044715x³), for
  ;; elements [i0, i1) (multiples of 4).
  (func (export "gelu") (param $x i32) (param $y i32) (param $th i32) (param $i0 i32) (param $i1 i32)
    (local $o i32) (local $end i32) (local $v v128) (local $u v128) (local $e v128) (local $t v128)
    (local.set $o (i32.shl (local.get $i0) (i32.const 2)))
    (local.set $end (i32.shl (local.get $i1) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (local.set $v (v128.load (i32.add (local.get $x) (local.get $o))))
      (local.set $u (f32x4.mul (f32x4.splat (f32.const 0.797884561))
        (f32x4.add (local.get $v) (f32x4.mul (f32x4.splat (f32.const 0.044715))
          (f32x4.mul (local.get $v) (f32x4.mul (local.get $v) (local.get $v)))))))
      (local.set $u (f32x4.max (f32x4.splat (f32.const -15)) (f32x4.min (f32x4.splat (f32.const 15)) (local.get $u))))
      (local.set $e (call $exp4 (f32x4.add (local.get $u) (local.get $u))))
      ;; r = 1/(e+1); tanh u = (e−1)r; and y = x·e·r, which is 0.5x(1 + tanh u) without the
      ;; cancellation of 1 + tanh u where tanh u is near −1
      (local.set $t (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (local.get $e) (f32x4.splat (f32.const 1)))))
      (v128.store (i32.add (local.get $th) (local.get $o))
        (f32x4.mul (f32x4.sub (local.get $e) (f32x4.splat (f32.const 1))) (local.get $t)))
      (v128.store (i32.add (local.get $y) (local.get $o))
        (f32x4.mul (local.get $v) (f32x4.mul (local.get $e) (local.get $t))))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br $next))))

  ;; geluBackward adds g · gelu'(x) into xg for elements [i0, i1), from x and the kept tanh.
  (func (export "geluBackward") (param $x i32) (param $th i32) (param $g i32) (param $xg i32) (param $i0 i32) (param $i1 i32)
    (local $o i32) (local $end i32) (local $v v128) (local $t v128) (local $du v128) (local $d v128)
    (local.set $o (i32.shl (local.get $i0) (i32.const 2)))
    (local.set $end (i32.shl (local.get $i1) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (local.set $v (v128.load (i32.add (local.get $x) (local.get $o))))
      (local.set $t (v128.load (i32.add (local.get $th) (local.get $o))))
      ;; du/dx = √(2/π)(1 + 3·0.044715x²)
      (local.set $du (f32x4.mul (f32x4.splat (f32.const 0.797884561))
        (f32x4.add (f32x4.splat (f32.const 1))
          (f32x4.mul (f32x4.splat (f32.const 0.134145)) (f32x4.mul (local.get $v) (local.get $v))))))
      ;; gelu' = 0.5(1 + t) + 0.5x(1 − t²)·du
      (local.set $d (f32x4.mul (f32x4.splat (f32.const 0.5))
        (f32x4.add (f32x4.add (f32x4.splat (f32.const 1)) (local.get $t))
          (f32x4.mul (f32x4.mul (local.get $v) (local.get $du))
            (f32x4.sub (f32x4.splat (f32.const 1)) (f32x4.mul (local.get $t) (local.get $t)))))))
      (v128.store (i32.add (local.get $xg) (local.get $o))
        (f32x4.add (v128.load (i32.add (local.get $xg) (local.get $o)))
          (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $o))) (local.get $d))))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br $next))))

  ;; lanes holds 0 1 2 3: the column index of each lane within a 4-wide chunk.
  (func $lanes (result v128) (v128.const i32x4 0 1 2 3))

  ;; softmax turns rows [r0, r1) of raw scores (rows of t floats, t a multiple of 4) into causal
  ;; attention weights in place: row r keeps columns 0..r mod t, scaled by $scale, and zeroes the rest.
  (func (export "causalSoftmax") (param $p i32) (param $r0 i32) (param $r1 i32) (param $t i32) (param $scale f32)
    (local $r i32) (local $row i32) (local $j i32) (local $end i32) (local $keep v128) (local $v v128)
    (local $max v128) (local $sum v128) (local $m f32) (local $s f32) (local $sc v128) (local $valid v128)
    (local.set $sc (f32x4.splat (local.get $scale)))
    (local.set $r (local.get $r0))
    (block $rdone (loop $rnext
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $row (i32.add (local.get $p) (i32.shl (i32.mul (local.get $r) (local.get $t)) (i32.const 2))))
      (local.set $valid (i32x4.splat (i32.add (i32.rem_u (local.get $r) (local.get $t)) (i32.const 1))))
      ;; the chunks holding columns 0..r mod t
      (local.set $end (i32.and (i32.add (i32.rem_u (local.get $r) (local.get $t)) (i32.const 4)) (i32.const -4)))
      ;; 1. max of the kept scaled scores
      (local.set $max (f32x4.splat (f32.const -inf)))
      (local.set $j (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $j) (local.get $end)))
        (local.set $keep (i32x4.lt_s (i32x4.add (call $lanes) (i32x4.splat (local.get $j))) (local.get $valid)))
        (local.set $v (f32x4.mul (v128.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))) (local.get $sc)))
        (local.set $max (f32x4.max (local.get $max) (v128.bitselect (local.get $v) (f32x4.splat (f32.const -inf)) (local.get $keep))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l1)))
      (local.set $m (f32.max (f32.max (f32x4.extract_lane 0 (local.get $max)) (f32x4.extract_lane 1 (local.get $max)))
                             (f32.max (f32x4.extract_lane 2 (local.get $max)) (f32x4.extract_lane 3 (local.get $max)))))
      ;; 2. exponentials of the kept scores (0 elsewhere) and their sum
      (local.set $sum (f32x4.splat (f32.const 0)))
      (local.set $j (i32.const 0))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $j) (local.get $end)))
        (local.set $keep (i32x4.lt_s (i32x4.add (call $lanes) (i32x4.splat (local.get $j))) (local.get $valid)))
        (local.set $v (call $exp4 (f32x4.sub
          (f32x4.mul (v128.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))) (local.get $sc))
          (f32x4.splat (local.get $m)))))
        (local.set $v (v128.and (local.get $v) (local.get $keep)))
        (v128.store (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))) (local.get $v))
        (local.set $sum (f32x4.add (local.get $sum) (local.get $v)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l2)))
      (local.set $s (f32.div (f32.const 1)
        (f32.add (f32.add (f32x4.extract_lane 0 (local.get $sum)) (f32x4.extract_lane 1 (local.get $sum)))
                 (f32.add (f32x4.extract_lane 2 (local.get $sum)) (f32x4.extract_lane 3 (local.get $sum))))))
      ;; 3. normalise the kept chunks, zero the rest of the row
      (local.set $j (i32.const 0))
      (block $d3 (loop $l3
        (br_if $d3 (i32.ge_u (local.get $j) (local.get $end)))
        (v128.store (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))
          (f32x4.mul (v128.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))) (f32x4.splat (local.get $s))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l3)))
      (block $d4 (loop $l4
        (br_if $d4 (i32.ge_u (local.get $j) (local.get $t)))
        (v128.store (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))) (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l4)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rnext))))

  ;; softmaxBackward turns dp into the score gradient in place for rows [r0, r1):
  ;; dp ← p ⊙ (dp − Σ dp ⊙ p) · scale. Columns past the causal edge have p = 0, so they come out 0.
  (func (export "softmaxBackward") (param $p i32) (param $dp i32) (param $r0 i32) (param $r1 i32) (param $t i32) (param $scale f32)
    (local $r i32) (local $off i32) (local $j i32) (local $bytes i32) (local $acc v128) (local $dot v128) (local $sc v128)
    (local.set $sc (f32x4.splat (local.get $scale)))
    (local.set $bytes (i32.shl (local.get $t) (i32.const 2)))
    (local.set $r (local.get $r0))
    (block $rdone (loop $rnext
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $off (i32.mul (local.get $r) (local.get $bytes)))
      (local.set $acc (f32x4.splat (f32.const 0)))
      (local.set $j (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $j) (local.get $bytes)))
        (local.set $acc (f32x4.add (local.get $acc)
          (f32x4.mul (v128.load (i32.add (i32.add (local.get $dp) (local.get $off)) (local.get $j)))
                     (v128.load (i32.add (i32.add (local.get $p) (local.get $off)) (local.get $j))))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l1)))
      (local.set $dot (f32x4.splat
        (f32.add (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
                 (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc))))))
      (local.set $j (i32.const 0))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $j) (local.get $bytes)))
        (v128.store (i32.add (i32.add (local.get $dp) (local.get $off)) (local.get $j))
          (f32x4.mul (f32x4.mul (v128.load (i32.add (i32.add (local.get $p) (local.get $off)) (local.get $j)))
                                (f32x4.sub (v128.load (i32.add (i32.add (local.get $dp) (local.get $off)) (local.get $j))) (local.get $dot)))
                     (local.get $sc)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l2)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rnext))))
  ;; hsum is the sum of a vector's four lanes.
  (func $hsum (param $v v128) (result f32)
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
             (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; layerNorm normalises rows [r0, r1) of x (rows of d floats, d a multiple of 4) to zero mean and
  ;; unit variance, then scales by w and shifts by b into y; it keeps each row's mean and 1/std.
  (func (export "layerNorm") (param $x i32) (param $w i32) (param $b i32) (param $y i32) (param $mean i32) (param $rstd i32)
                             (param $r0 i32) (param $r1 i32) (param $d i32) (param $eps f32)
    (local $r i32) (local $row i32) (local $j i32) (local $bytes i32) (local $acc v128) (local $m f32) (local $rs f32)
    (local $mv v128) (local $rv v128) (local $t v128)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $r (local.get $r0))
    (block $rdone (loop $rnext
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $row (i32.mul (local.get $r) (local.get $bytes)))
      (local.set $acc (f32x4.splat (f32.const 0)))
      (local.set $j (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $j) (local.get $bytes)))
        (local.set $acc (f32x4.add (local.get $acc) (v128.load (i32.add (i32.add (local.get $x) (local.get $row)) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l1)))
      (local.set $m (f32.div (call $hsum (local.get $acc)) (f32.convert_i32_u (local.get $d))))
      (local.set $mv (f32x4.splat (local.get $m)))
      (local.set $acc (f32x4.splat (f32.const 0)))
      (local.set $j (i32.const 0))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $j) (local.get $bytes)))
        (local.set $t (f32x4.sub (v128.load (i32.add (i32.add (local.get $x) (local.get $row)) (local.get $j))) (local.get $mv)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $t) (local.get $t))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l2)))
      (local.set $rs (f32.div (f32.const 1) (f32.sqrt (f32.add
        (f32.div (call $hsum (local.get $acc)) (f32.convert_i32_u (local.get $d))) (local.get $eps)))))
      (f32.store (i32.add (local.get $mean) (i32.shl (local.get $r) (i32.const 2))) (local.get $m))
      (f32.store (i32.add (local.get $rstd) (i32.shl (local.get $r) (i32.const 2))) (local.get $rs))
      (local.set $rv (f32x4.splat (local.get $rs)))
      (local.set $j (i32.const 0))
      (block $d3 (loop $l3
        (br_if $d3 (i32.ge_u (local.get $j) (local.get $bytes)))
        (v128.store (i32.add (i32.add (local.get $y) (local.get $row)) (local.get $j))
          (f32x4.add (v128.load (i32.add (local.get $b) (local.get $j)))
            (f32x4.mul (v128.load (i32.add (local.get $w) (local.get $j)))
              (f32x4.mul (local.get $rv)
                (f32x4.sub (v128.load (i32.add (i32.add (local.get $x) (local.get $row)) (local.get $j))) (local.get $mv))))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l3)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rnext))))

  ;; layerNormBackward, for rows [r0, r1): adds the input gradient into xg (when withXg) and
  ;; this range's weight and bias gradients into wg and bg (each thread passes its own pair, so
  ;; the two never write the same floats). xhat = (x − mean)·rstd; gw = g·w;
  ;; dx = rstd·(gw − mean(gw) − xhat·mean(gw·xhat)).
  (func (export "layerNormBackward") (param $x i32) (param $w i32) (param $g i32) (param $mean i32) (param $rstd i32)
                                     (param $xg i32) (param $wg i32) (param $bg i32) (param $r0 i32) (param $r1 i32) (param $d i32)
                                     (param $withXg i32)
    (local $r i32) (local $row i32) (local $j i32) (local $bytes i32) (local $mv v128) (local $rv v128)
    (local $xh v128) (local $gv v128) (local $gw v128) (local $sg v128) (local $sgx v128) (local $inv f32)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $inv (f32.div (f32.const 1) (f32.convert_i32_u (local.get $d))))
    (local.set $r (local.get $r0))
    (block $rdone (loop $rnext
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $row (i32.mul (local.get $r) (local.get $bytes)))
      (local.set $mv (v128.load32_splat (i32.add (local.get $mean) (i32.shl (local.get $r) (i32.const 2)))))
      (local.set $rv (v128.load32_splat (i32.add (local.get $rstd) (i32.shl (local.get $r) (i32.const 2)))))
      (local.set $sg (f32x4.splat (f32.const 0)))
      (local.set $sgx (f32x4.splat (f32.const 0)))
      (local.set $j (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $j) (local.get $bytes)))
        (local.set $xh (f32x4.mul (local.get $rv)
          (f32x4.sub (v128.load (i32.add (i32.add (local.get $x) (local.get $row)) (local.get $j))) (local.get $mv))))
        (local.set $gv (v128.load (i32.add (i32.add (local.get $g) (local.get $row)) (local.get $j))))
        (local.set $gw (f32x4.mul (local.get $gv) (v128.load (i32.add (local.get $w) (local.get $j)))))
        (local.set $sg (f32x4.add (local.get $sg) (local.get $gw)))
        (local.set $sgx (f32x4.add (local.get $sgx) (f32x4.mul (local.get $gw) (local.get $xh))))
        (v128.store (i32.add (local.get $wg) (local.get $j))
          (f32x4.add (v128.load (i32.add (local.get $wg) (local.get $j))) (f32x4.mul (local.get $gv) (local.get $xh))))
        (v128.store (i32.add (local.get $bg) (local.get $j))
          (f32x4.add (v128.load (i32.add (local.get $bg) (local.get $j))) (local.get $gv)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l1)))
      (if (local.get $withXg) (then
        (local.set $sg (f32x4.splat (f32.mul (call $hsum (local.get $sg)) (local.get $inv))))
        (local.set $sgx (f32x4.splat (f32.mul (call $hsum (local.get $sgx)) (local.get $inv))))
        (local.set $j (i32.const 0))
        (block $d2 (loop $l2
          (br_if $d2 (i32.ge_u (local.get $j) (local.get $bytes)))
          (local.set $xh (f32x4.mul (local.get $rv)
            (f32x4.sub (v128.load (i32.add (i32.add (local.get $x) (local.get $row)) (local.get $j))) (local.get $mv))))
          (local.set $gw (f32x4.mul (v128.load (i32.add (i32.add (local.get $g) (local.get $row)) (local.get $j)))
                                    (v128.load (i32.add (local.get $w) (local.get $j)))))
          (v128.store (i32.add (i32.add (local.get $xg) (local.get $row)) (local.get $j))
            (f32x4.add (v128.load (i32.add (i32.add (local.get $xg) (local.get $row)) (local.get $j)))
              (f32x4.mul (local.get $rv)
                (f32x4.sub (f32x4.sub (local.get $gw) (local.get $sg)) (f32x4.mul (local.get $xh) (local.get $sgx))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $l2)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rnext))))
)
