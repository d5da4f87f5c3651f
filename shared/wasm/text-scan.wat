;; Byte scans for the normalizer, sixteen bytes at a time with WebAssembly SIMD. `shared/bytes.ts`
;; copies a chunk of a document into this module's memory and calls one of these functions;
;; `npm run build:wasm` turns this file into `text-scan.ts`, and a test checks that the two agree.
;;
;; Every function reads memory[0, end) in 16-byte blocks. `end` is a multiple of 16, and the
;; caller makes the 16 bytes after `end` readable (the next bytes of the document, or padding
;; that is neither a space, a control nor a lead byte), because some checks look one or two
;; bytes ahead.
(module
  ;; Two pages: a 64 KiB chunk, its look-ahead and padding.
  (memory (export "memory") 2 2)

  ;; The flags of `TEXT_SCAN` in shared/bytes.ts.
  (global $CONTROL i32 (i32.const 1))
  (global $WIDE i32 (i32.const 2))
  (global $SPACING i32 (i32.const 4))
  (global $MAYBE_NOT_NFC i32 (i32.const 8))

  ;; What memory[0, end) holds, as a set of flags (see `TEXT_SCAN`).
  (func (export "scan") (param $end i32) (result i32)
    (local $at i32)
    (local $flags i32)
    (local $v v128)   ;; bytes at..at+15
    (local $v1 v128)  ;; the byte after each of them
    (local $v2 v128)  ;; the byte two after each of them
    (local $wide v128)
    (local $e2 v128)
    (local $next80 v128)
    (local $next81 v128)
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $v (v128.load (local.get $at)))
        (local.set $v1 (v128.load offset=1 (local.get $at)))

        ;; C0 controls and DEL, other than LF and CR.
        (if (v128.any_true
              (v128.andnot
                (v128.or
                  (i8x16.lt_u (local.get $v) (i8x16.splat (i32.const 0x20)))
                  (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x7f))))
                (v128.or
                  (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x0a)))
                  (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x0d))))))
          (then (local.set $flags (i32.or (local.get $flags) (i32.or (global.get $CONTROL) (global.get $SPACING))))))

        ;; Two spaces in a row.
        (if (v128.any_true
              (v128.and
                (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x20)))
                (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 0x20)))))
          (then (local.set $flags (i32.or (local.get $flags) (global.get $SPACING)))))

        ;; Bytes from 0x80 up: the rest is about characters past ASCII.
        (if (i8x16.bitmask (local.get $v))
          (then
            ;; U+00A0 is C2 A0.
            (if (v128.any_true
                  (v128.and
                    (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0xc2)))
                    (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 0xa0)))))
              (then (local.set $flags (i32.or (local.get $flags) (global.get $SPACING)))))
            ;; Lead bytes from C4 up: characters past U+00FF.
            (local.set $wide (i8x16.ge_u (local.get $v) (i8x16.splat (i32.const 0xc4))))
            (if (v128.any_true (local.get $wide))
              (then
                (local.set $flags (i32.or (local.get $flags) (global.get $WIDE)))
                (local.set $v2 (v128.load offset=2 (local.get $at)))
                (local.set $e2 (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0xe2))))
                (local.set $next80 (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 0x80))))
                (local.set $next81 (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 0x81))))
                ;; Outside U+2000-U+207F (E2 80 xx and E2 81 xx), or U+2000 and U+2001
                ;; (E2 80 80 and E2 80 81, which NFC turns into U+2002 and U+2003).
                (if (v128.any_true
                      (v128.or
                        (v128.andnot (local.get $wide) (v128.and (local.get $e2) (v128.or (local.get $next80) (local.get $next81))))
                        (v128.and
                          (v128.and (local.get $e2) (local.get $next80))
                          (i8x16.le_u (local.get $v2) (i8x16.splat (i32.const 0x81))))))
                  (then (local.set $flags (i32.or (local.get $flags) (global.get $MAYBE_NOT_NFC)))))
                ;; Unicode spaces: U+2000-U+200A, U+2028, U+2029, U+202F (E2 80 xx), U+205F
                ;; (E2 81 9F), U+1680 (E1 9A 80), U+3000 (E3 80 80) and U+FEFF (EF BB BF).
                (if (v128.any_true
                      (v128.or
                        (v128.or
                          (v128.and
                            (v128.and (local.get $e2) (local.get $next80))
                            (v128.or
                              (v128.or
                                (i8x16.le_u (local.get $v2) (i8x16.splat (i32.const 0x8a)))
                                (i8x16.eq (local.get $v2) (i8x16.splat (i32.const 0xa8))))
                              (v128.or
                                (i8x16.eq (local.get $v2) (i8x16.splat (i32.const 0xa9)))
                                (i8x16.eq (local.get $v2) (i8x16.splat (i32.const 0xaf))))))
                          (v128.and
                            (v128.and (local.get $e2) (local.get $next81))
                            (i8x16.eq (local.get $v2) (i8x16.splat (i32.const 0x9f)))))
                        (v128.or
                          (v128.or
                            (v128.and
                              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0xe1)))
                              (v128.and
                                (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 0x9a)))
                                (i8x16.eq (local.get $v2) (i8x16.splat (i32.const 0x80)))))
                            (v128.and
                              (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0xe3)))
                              (v128.and (local.get $next80) (i8x16.eq (local.get $v2) (i8x16.splat (i32.const 0x80))))))
                          (v128.and
                            (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0xef)))
                            (v128.and
                              (i8x16.eq (local.get $v1) (i8x16.splat (i32.const 0xbb)))
                              (i8x16.eq (local.get $v2) (i8x16.splat (i32.const 0xbf))))))))
                  (then (local.set $flags (i32.or (local.get $flags) (global.get $SPACING)))))))))

        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $block)))
    (local.get $flags))

  ;; How many bytes of memory[0, end) are 0x20: spaces in Latin-1 text.
  (func (export "countSpaces8") (param $end i32) (result i32)
    (local $at i32)
    (local $count i32)
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $count
          (i32.add (local.get $count)
            (i32.popcnt (i8x16.bitmask (i8x16.eq (v128.load (local.get $at)) (i8x16.splat (i32.const 0x20)))))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $block)))
    (local.get $count))

  ;; How many 16-bit units of memory[0, end) are 0x0020: spaces in UTF-16LE text.
  (func (export "countSpaces16") (param $end i32) (result i32)
    (local $at i32)
    (local $count i32)
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $count
          (i32.add (local.get $count)
            (i32.popcnt (i16x8.bitmask (i16x8.eq (v128.load (local.get $at)) (i16x8.splat (i32.const 0x20)))))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $block)))
    (local.get $count)))
