import { x25519 } from '@noble/curves/ed25519'
import { seededRandom, TEST_NOW, TEST_PROPOSAL, testPairing, WALLET_META } from '@pairline/testkit/protocol'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { dappHandshakeWith, startWalletHandshake } from './handshake.js'
import { generateKeyPair, keyPairFromPrivate } from './noise/dh.js'

// Issue 16: each X25519 operation costs about 1 ms in pure JS, so a pairing's count is part of its
// contract: the dApp draws s (1), its e (1), es and ee (2); the wallet its e (1), es and ee (2).
/** Counts X25519 calls (key generation and exchanges) made inside `as(side, fn)`, per side. */
function countX25519() {
  const ops = { dapp: 0, wallet: 0 }
  let side: keyof typeof ops | null = null
  const pub = x25519.getPublicKey
  const shared = x25519.getSharedSecret
  vi.spyOn(x25519, 'getPublicKey').mockImplementation((k) => {
    if (side) ops[side]++
    return pub(k)
  })
  vi.spyOn(x25519, 'getSharedSecret').mockImplementation((k, p) => {
    if (side) ops[side]++
    return shared(k, p)
  })
  return {
    ops,
    as<T>(who: keyof typeof ops, fn: () => T): T {
      side = who
      try {
        return fn()
      } finally {
        side = null
      }
    },
  }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('X25519 operations per pairing', () => {
  it('dApp four (s, e, es, ee), wallet three (e, es, ee): s.pub is never recomputed', () => {
    const random = seededRandom(7)
    const x = countX25519()
    const s = x.as('dapp', () => generateKeyPair(random))
    const { uri } = testPairing({ responderStatic: s.publicKey })
    const dapp = x.as('dapp', () => dappHandshakeWith(uri, s, random))
    const wallet = x.as('wallet', () =>
      startWalletHandshake({
        uri,
        hello: { v: 1, wallet: WALLET_META },
        nowSeconds: TEST_NOW,
        randomBytes: random,
      }),
    )
    const { message2, result } = x.as('dapp', () => {
      dapp.readHello(wallet.message1, TEST_NOW)
      return dapp.writeProposal(TEST_PROPOSAL, TEST_NOW)
    })
    const done = x.as('wallet', () => wallet.readProposal(message2, TEST_NOW))
    expect(done.result.sas).toBe(result.sas)
    expect(x.ops).toEqual({ dapp: 4, wallet: 3 })
  })

  it('refuses a key pair whose public half is not the URI key', () => {
    const s = keyPairFromPrivate(new Uint8Array(32).fill(3))
    const { uri } = testPairing()
    expect(() => dappHandshakeWith(uri, s, seededRandom(1))).toThrowError(
      expect.objectContaining({
        code: 'INVALID_KEY',
        shortMessage: 'The static private key does not match the pairing URI.',
      }),
    )
  })
})
