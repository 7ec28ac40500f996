/** Test data shared by the X25519 tests: the low-order public keys of RFC 7748 §6.1. */

export const P = 2n ** 255n - 19n

/** `n` as 32 little-endian bytes (an X25519 u-coordinate encoding). */
export const le = (n: bigint): Uint8Array => {
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn)
  return out
}

/** The u-coordinates of the two points of order 8 (cr.yp.to/ecdh.html#validate). */
export const ORDER8_A = 325606250916557431795983626356110631294008115727848805560023387167927233504n
export const ORDER8_B = 39382357235489614581723060781553021112529911719440698176882885853963445705823n

/** Every encoding of a low-order u: 0, 1, p-1, the two order-8 points, p, p+1, and top-bit-set twins. */
export const LOW_ORDER: Uint8Array[] = [0n, 1n, P - 1n, ORDER8_A, ORDER8_B, P, P + 1n].flatMap((u) => {
  const bytes = le(u)
  const high = bytes.slice()
  high[31]! |= 0x80
  return [bytes, high]
})
