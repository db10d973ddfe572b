;; The two inner loops of the one walk over a PE file's bytes (../byte-walk.ts), in WebAssembly:
;; counting bytes for section entropy, and summing 32-bit words for the loader checksum. In
;; JavaScript they are the larger part of `triage -r`'s CPU time; here each byte costs a load,
;; an add and a store with no bounds check or type guard: about twice as fast over real DLLs.
;;
;; Memory (one 64 KiB page is grown to two by the host):
;;   [0, 8192)       eight 256-bucket u32 histograms ("lanes"): byte k of every 8-byte word is
;;                   counted in lane k, so a run of equal bytes does not make each increment
;;                   wait for the store before it (store-to-load forwarding);
;;   [8192, 73728)   the chunk being walked (the host copies it in; at most 64 KiB).
;;
;; Built by scripts/build-wasm.ts into byte-kernels-wasm.ts. Source: WebAssembly Core
;; Specification 2.0 (https://webassembly.github.io/spec/core/), text format.
(module
  (memory (export "memory") 1)

  ;; Adds the bytes at [p, p + n) to the eight lanes. A lane counts one byte in eight of the
  ;; bytes added since the host last drained it (when the walk turns to another section, and at
  ;; its end); like the host's u32 histograms, a lane wraps modulo 2^32.
  (func (export "histogram") (param $p i32) (param $n i32)
    (local $end i32) (local $end8 i32) (local $w i64) (local $a i32)
    (local.set $end (i32.add (local.get $p) (local.get $n)))
    (local.set $end8 (i32.add (local.get $p) (i32.and (local.get $n) (i32.const -8))))
    (block $words
      (loop $word
        (br_if $words (i32.ge_u (local.get $p) (local.get $end8)))
        (local.set $w (i64.load (local.get $p)))
        ;; byte 0 → lane 0 at 0, byte 1 → lane 1 at 1024, …, byte 7 → lane 7 at 7168
        (local.set $a (i32.shl (i32.wrap_i64 (i64.and (local.get $w) (i64.const 255))) (i32.const 2)))
        (i32.store offset=0 (local.get $a) (i32.add (i32.load offset=0 (local.get $a)) (i32.const 1)))
        (local.set $a (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $w) (i64.const 8)) (i64.const 255))) (i32.const 2)))
        (i32.store offset=1024 (local.get $a) (i32.add (i32.load offset=1024 (local.get $a)) (i32.const 1)))
        (local.set $a (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $w) (i64.const 16)) (i64.const 255))) (i32.const 2)))
        (i32.store offset=2048 (local.get $a) (i32.add (i32.load offset=2048 (local.get $a)) (i32.const 1)))
        (local.set $a (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $w) (i64.const 24)) (i64.const 255))) (i32.const 2)))
        (i32.store offset=3072 (local.get $a) (i32.add (i32.load offset=3072 (local.get $a)) (i32.const 1)))
        (local.set $a (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $w) (i64.const 32)) (i64.const 255))) (i32.const 2)))
        (i32.store offset=4096 (local.get $a) (i32.add (i32.load offset=4096 (local.get $a)) (i32.const 1)))
        (local.set $a (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $w) (i64.const 40)) (i64.const 255))) (i32.const 2)))
        (i32.store offset=5120 (local.get $a) (i32.add (i32.load offset=5120 (local.get $a)) (i32.const 1)))
        (local.set $a (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $w) (i64.const 48)) (i64.const 255))) (i32.const 2)))
        (i32.store offset=6144 (local.get $a) (i32.add (i32.load offset=6144 (local.get $a)) (i32.const 1)))
        (local.set $a (i32.shl (i32.wrap_i64 (i64.shr_u (local.get $w) (i64.const 56))) (i32.const 2)))
        (i32.store offset=7168 (local.get $a) (i32.add (i32.load offset=7168 (local.get $a)) (i32.const 1)))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $word)))
    ;; The last n mod 8 bytes, into lane 0.
    (block $bytes
      (loop $byte
        (br_if $bytes (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $a (i32.shl (i32.load8_u (local.get $p)) (i32.const 2)))
        (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $byte))))

  ;; The exact sum of the n little-endian u32 words at p, as an f64: n ≤ 16384 words of at most
  ;; 2^32 − 1 each stay below 2^46, so the i64 sums and the conversion are exact. Two running
  ;; sums let consecutive additions proceed at once.
  (func (export "sumWords") (param $p i32) (param $n i32) (result f64)
    (local $end i32) (local $end2 i32) (local $a i64) (local $b i64)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end2 (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 2))))
    (block $pairs
      (loop $pair
        (br_if $pairs (i32.ge_u (local.get $p) (local.get $end2)))
        (local.set $a (i64.add (local.get $a) (i64.load32_u offset=0 (local.get $p))))
        (local.set $b (i64.add (local.get $b) (i64.load32_u offset=4 (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br $pair)))
    (if (i32.lt_u (local.get $p) (local.get $end))
      (then (local.set $a (i64.add (local.get $a) (i64.load32_u (local.get $p))))))
    (f64.convert_i64_u (i64.add (local.get $a) (local.get $b)))))
