import { fixedBytes } from '@pairline/testkit/protocol'
import { describe, expect, it } from 'vitest'
import { fromBase64Url } from './bytes.js'
import { exportSession, pairingTopics } from './topics.js'

describe('topics', () => {
  it('pairing topics: one per direction, 32 bytes in base64url, from the psk only', () => {
    const t = pairingTopics(fixedBytes(1))
    expect(t.w2d).not.toBe(t.d2w)
    expect(fromBase64Url(t.w2d)).toHaveLength(32)
    expect(pairingTopics(fixedBytes(1))).toEqual(t)
    expect(pairingTopics(fixedBytes(2)).w2d).not.toBe(t.w2d)
  })

  it('session exports differ from pairing topics and between labels', () => {
    const ck = fixedBytes(3)
    const h = fixedBytes(4)
    const e = exportSession(ck, h)
    const all = [e.topics.w2d, e.topics.d2w]
    expect(new Set(all).size).toBe(2)
    expect(e.resumePsk).toHaveLength(32)
    expect(e.sessionId).toHaveLength(16)
    expect(exportSession(ck, fixedBytes(5)).topics.w2d).not.toBe(e.topics.w2d)
    expect(exportSession(fixedBytes(6), h).topics.w2d).not.toBe(e.topics.w2d)
    // Knowing the psk (and so the pairing topics) gives no handle on the session topics.
    expect(Object.values(pairingTopics(ck))).not.toContain(e.topics.w2d)
  })

  it('rejects wrong-length inputs', () => {
    expect(() => pairingTopics(new Uint8Array(16))).toThrowError(
      expect.objectContaining({ code: 'INVALID_KEY' }),
    )
    expect(() => exportSession(new Uint8Array(32), new Uint8Array(3))).toThrowErrorMatchingInlineSnapshot(`
      [PairlineError: handshake hash must be a Uint8Array of 32 bytes.

      Details: got 3 bytes
      Code: INVALID_KEY]
    `)
  })
})
