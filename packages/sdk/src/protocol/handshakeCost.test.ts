import { seededRandom, TEST_NOW, TEST_PROPOSAL, testPairing, WALLET_META } from '@pairline/testkit/protocol'
import { describe, expect, it, vi } from 'vitest'
import { dappHandshakeWith, startWalletHandshake } from './handshake.js'
import { generateKeyPair, keyPairFromPrivate } from './noise/dh.js'

// Issue 16: each X25519 operation costs about 1 ms in pure JS, so a pairing's count is part of its
// contract: the dApp draws s (1), its e (1), es and ee (2); the wallet its e (1), es and ee (2).
/** X25519 calls (key generation and exchanges, whichever library runs them), per side. */
const x = vi.hoisted(() => {
  const ops = { dapp: 0, wallet: 0 }
  let side: keyof typeof ops | null = null
  return {
    ops,
    count() {
      if (side) ops[side]++
    },
    as<T>(who: keyof typeof ops, fn: () => T): T {
      side = who
      try {
        return fn()
      } finally {
        side = null
      }
    },
  }
})
vi.mock('#primitives', async (importOriginal) => {
  const m = await importOriginal<typeof import('#primitives')>()
  return {
    ...m,
    scalarMult: (k: Uint8Array, u: Uint8Array) => {
      x.count()
      return m.scalarMult(k, u)
    },
    scalarMultBase: (k: Uint8Array) => {
      x.count()
      return m.scalarMultBase(k)
    },
  }
})

describe('X25519 operations per pairing', () => {
  it('dApp four (s, e, es, ee), wallet three (e, es, ee): s.pub is never recomputed', () => {
    const random = seededRandom(7)
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
