import { refusal } from '@pairline/testkit/errors'
import {
  DAPP_META,
  fixedBytes,
  seededRandom,
  TEST_NOW,
  TEST_PROPOSAL,
  testPairing,
  WALLET_META,
} from '@pairline/testkit/protocol'
import { propertySeed } from '@pairline/testkit/seed'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { equalBytes } from './bytes.js'
import { assertProposalFits, createDappHandshake, startWalletHandshake } from './handshake.js'
import { keyPairFromPrivate } from './noise/dh.js'
import { answerResume, startResume } from './resume.js'

const hello = { v: 1 as const, wallet: WALLET_META }

function pairOnce(seed = 1) {
  const { uri, staticPrivate } = testPairing()
  const wallet = startWalletHandshake({ uri, hello, nowSeconds: TEST_NOW, randomBytes: seededRandom(seed) })
  const dapp = createDappHandshake({
    uri,
    staticPrivateKey: staticPrivate,
    randomBytes: seededRandom(seed + 1000),
  })
  return { uri, staticPrivate, wallet, dapp }
}

const code = (c: string) => expect.objectContaining({ code: c })
fc.configureGlobal({ seed: propertySeed(import.meta.url) })

/** Every way a handshake message with one bit flipped may be refused: code and message. */
const FLIPPED_REFUSALS = [
  'FRAME_MALFORMED: The message has an unknown type.',
  'FRAME_UNSUPPORTED_VERSION: The message has an unsupported version.',
  'HANDSHAKE_FAILED: The handshake message failed authentication.',
  'UNEXPECTED_MESSAGE: The message has the wrong type for this phase.',
]

describe('pairing handshake (NKpsk0)', () => {
  it('completes with matching keys, SAS, topics and session id', () => {
    const { wallet, dapp } = pairOnce()
    expect(dapp.readHello(wallet.message1, TEST_NOW).hello).toEqual(hello)
    const { message2, result: d } = dapp.writeProposal(TEST_PROPOSAL, TEST_NOW)
    const { proposal, result: w } = wallet.readProposal(message2, TEST_NOW)
    expect(proposal).toEqual(TEST_PROPOSAL)
    expect(w.sas).toMatch(/^\d{6}$/)
    expect(w.sas).toBe(d.sas)
    expect(equalBytes(w.sendKey, d.receiveKey)).toBe(true)
    expect(equalBytes(w.receiveKey, d.sendKey)).toBe(true)
    expect(equalBytes(w.sendKey, w.receiveKey)).toBe(false)
    expect(w.topics).toEqual(d.topics)
    expect(w.topics.w2d).not.toBe(w.topics.d2w)
    expect(equalBytes(w.resumePsk, d.resumePsk)).toBe(true)
    expect(equalBytes(w.sessionId, d.sessionId)).toBe(true)
    expect(w.sessionId).toHaveLength(16)
  })

  it('message sizes: 2 + 32 + padded payload + 16', () => {
    const { wallet } = pairOnce()
    // hello JSON is 71 bytes -> padded to 96 (+2 length prefix)
    expect(wallet.message1.length).toBe(2 + 32 + 2 + 96 + 16)
  })

  it('any single bit flip in message 1 fails without consuming the pairing', () => {
    const { wallet, dapp } = pairOnce()
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 7 }), (i, bit) => {
        const m = wallet.message1.slice()
        m[i % m.length]! ^= 1 << bit
        expect(FLIPPED_REFUSALS).toContain(refusal(() => dapp.readHello(m, TEST_NOW)))
        expect(dapp.state).toBe('waiting')
      }),
      { numRuns: 300 },
    )
    expect(dapp.readHello(wallet.message1, TEST_NOW).hello).toEqual(hello)
  })

  it('any single bit flip in message 2 fails without side effects on the wallet', () => {
    const { wallet, dapp } = pairOnce()
    dapp.readHello(wallet.message1, TEST_NOW)
    const { message2, result } = dapp.writeProposal(TEST_PROPOSAL, TEST_NOW)
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 7 }), (i, bit) => {
        const m = message2.slice()
        m[i % m.length]! ^= 1 << bit
        expect(FLIPPED_REFUSALS).toContain(refusal(() => wallet.readProposal(m, TEST_NOW)))
      }),
      { numRuns: 300 },
    )
    expect(wallet.readProposal(message2, TEST_NOW).result.sas).toBe(result.sas)
  })

  it('a psk off by one bit fails and leaves the pairing usable', () => {
    const { uri, dapp } = pairOnce()
    const psk = uri.psk.slice()
    psk[7]! ^= 0x10
    const bad = startWalletHandshake({
      uri: { ...uri, psk },
      hello,
      nowSeconds: TEST_NOW,
      randomBytes: seededRandom(9),
    })
    expect(() => dapp.readHello(bad.message1, TEST_NOW)).toThrowError(code('HANDSHAKE_FAILED'))
    expect(dapp.state).toBe('waiting')
  })

  it('a wrong dApp static key fails', () => {
    const { uri, dapp } = pairOnce()
    const other = keyPairFromPrivate(fixedBytes(0x11)).publicKey
    const bad = startWalletHandshake({
      uri: { ...uri, responderStatic: other },
      hello,
      nowSeconds: TEST_NOW,
      randomBytes: seededRandom(9),
    })
    expect(() => dapp.readHello(bad.message1, TEST_NOW)).toThrowError(code('HANDSHAKE_FAILED'))
  })

  it.each([
    ['relay URL', { relayUrl: 'wss://evil.example' }],
    ['expiry', { expiresAt: 1_800_000_301 }],
    ['chains', { chains: ['eip155:10'] }],
  ])('a prologue mismatch (%s) fails', (_, change) => {
    const { uri, dapp } = pairOnce()
    const bad = startWalletHandshake({
      uri: { ...uri, ...change },
      hello,
      nowSeconds: TEST_NOW,
      randomBytes: seededRandom(3),
    })
    expect(() => dapp.readHello(bad.message1, TEST_NOW)).toThrowError(code('HANDSHAKE_FAILED'))
    expect(dapp.state).toBe('waiting')
  })

  it('an expired pairing is refused by both sides', () => {
    const { uri, wallet, dapp } = pairOnce()
    expect(() =>
      startWalletHandshake({ uri, hello, nowSeconds: uri.expiresAt, randomBytes: seededRandom(1) }),
    ).toThrowError(code('PAIRING_EXPIRED'))
    expect(() => dapp.readHello(wallet.message1, uri.expiresAt)).toThrowError(code('PAIRING_EXPIRED'))
    dapp.readHello(wallet.message1, TEST_NOW)
    const { message2 } = dapp.writeProposal(TEST_PROPOSAL, TEST_NOW)
    expect(() => wallet.readProposal(message2, uri.expiresAt + 1)).toThrowError(code('PAIRING_EXPIRED'))
  })

  it('a replayed message 1 yields no new session and no new reply', () => {
    const { wallet, dapp } = pairOnce()
    dapp.readHello(wallet.message1, TEST_NOW)
    expect(() => dapp.readHello(wallet.message1, TEST_NOW)).toThrowError(code('HANDSHAKE_REPLAYED'))
    dapp.writeProposal(TEST_PROPOSAL, TEST_NOW)
    expect(() => dapp.readHello(wallet.message1, TEST_NOW)).toThrowError(code('HANDSHAKE_REPLAYED'))
    expect(() => dapp.writeProposal(TEST_PROPOSAL, TEST_NOW)).toThrowError(code('HANDSHAKE_WRONG_STATE'))
    expect(dapp.state).toBe('done')
  })

  it('a replayed message 2 yields no second session', () => {
    const { wallet, dapp } = pairOnce()
    dapp.readHello(wallet.message1, TEST_NOW)
    const { message2 } = dapp.writeProposal(TEST_PROPOSAL, TEST_NOW)
    wallet.readProposal(message2, TEST_NOW)
    expect(() => wallet.readProposal(message2, TEST_NOW)).toThrowError(code('HANDSHAKE_WRONG_STATE'))
  })

  it('two different valid message 1s burn the pairing, before or after the session', () => {
    for (const after of [false, true]) {
      const { uri, wallet, dapp } = pairOnce()
      const racer = startWalletHandshake({ uri, hello, nowSeconds: TEST_NOW, randomBytes: seededRandom(77) })
      dapp.readHello(racer.message1, TEST_NOW)
      if (after) dapp.writeProposal(TEST_PROPOSAL, TEST_NOW)
      expect(dapp.burnNotice).toBeNull()
      expect(() => dapp.readHello(wallet.message1, TEST_NOW)).toThrowError(code('PAIRING_BURNED'))
      expect(dapp.state).toBe('burned')
      // The wallet whose message 1 burned it gets an authenticated refusal in a message 2.
      const notice = dapp.burnNotice as Uint8Array
      expect(notice[1]).toBe(0x02)
      expect(() => racer.readProposal(notice, TEST_NOW)).toThrowError(code('HANDSHAKE_FAILED'))
      expect(() => wallet.readProposal(notice, TEST_NOW)).toThrowError(
        expect.objectContaining({
          code: 'PAIRING_BURNED',
          shortMessage:
            'This QR code was seen by someone else: nothing was connected. Pair again with a new code.',
        }),
      )
      expect(() => dapp.readHello(racer.message1, TEST_NOW)).toThrowError(code('PAIRING_BURNED'))
      if (!after)
        expect(() => dapp.writeProposal(TEST_PROPOSAL, TEST_NOW)).toThrowError(code('HANDSHAKE_WRONG_STATE'))
    }
  })

  it('a destroyed (verified) pairing answers no later message 1', () => {
    const { uri, wallet, dapp } = pairOnce()
    dapp.readHello(wallet.message1, TEST_NOW)
    dapp.writeProposal(TEST_PROPOSAL, TEST_NOW)
    dapp.destroy()
    const late = startWalletHandshake({ uri, hello, nowSeconds: TEST_NOW, randomBytes: seededRandom(78) })
    expect(() => dapp.readHello(late.message1, TEST_NOW)).toThrowError(code('PAIRING_BURNED'))
    expect(dapp.burnNotice).toBeNull()
  })

  it('a racer who knows the psk gets a session whose SAS differs from the real wallet’s view', () => {
    // The racer's session with the dApp has its own SAS; the real wallet never gets a proposal
    // it can complete (message 2 is bound to the racer's ephemeral key), so nothing matches.
    const { uri, wallet, dapp } = pairOnce()
    const racer = startWalletHandshake({ uri, hello, nowSeconds: TEST_NOW, randomBytes: seededRandom(77) })
    dapp.readHello(racer.message1, TEST_NOW)
    const { message2, result: d } = dapp.writeProposal(TEST_PROPOSAL, TEST_NOW)
    expect(() => wallet.readProposal(message2, TEST_NOW)).toThrowError(code('HANDSHAKE_FAILED'))
    const r = racer.readProposal(message2, TEST_NOW).result
    expect(r.sas).toBe(d.sas)
  })

  it('rejects wrong message types and phases', () => {
    const { wallet, dapp } = pairOnce()
    expect(() => wallet.readProposal(wallet.message1, TEST_NOW)).toThrowError(code('UNEXPECTED_MESSAGE'))
    expect(() => dapp.writeProposal(TEST_PROPOSAL, TEST_NOW)).toThrowError(code('HANDSHAKE_WRONG_STATE'))
    expect(() => dapp.readHello(new Uint8Array([1, 1]), TEST_NOW)).toThrowError(code('HANDSHAKE_MALFORMED'))
    expect(() => dapp.readHello(new Uint8Array([2, 1, 0, 0]), TEST_NOW)).toThrowError(
      code('FRAME_UNSUPPORTED_VERSION'),
    )
    expect(() => dapp.readHello(new Uint8Array(0), TEST_NOW)).toThrowError(code('FRAME_MALFORMED'))
    const huge = new Uint8Array(70_000)
    huge[0] = 1
    huge[1] = 1
    expect(() => dapp.readHello(huge, TEST_NOW)).toThrowError(code('HANDSHAKE_MALFORMED'))
    expect(dapp.state).toBe('waiting')
  })

  it('a message whose length no padded payload has is refused before the DH', () => {
    const { wallet, dapp } = pairOnce()
    const longer = new Uint8Array(wallet.message1.length + 1)
    longer.set(wallet.message1)
    for (const bad of [longer, wallet.message1.subarray(0, wallet.message1.length - 1)]) {
      expect(() => dapp.readHello(bad, TEST_NOW)).toThrowError(
        expect.objectContaining({
          code: 'HANDSHAKE_MALFORMED',
          shortMessage: 'The handshake message has an impossible length.',
        }),
      )
    }
    expect(dapp.state).toBe('waiting')
    expect(dapp.readHello(wallet.message1, TEST_NOW).hello.wallet.name).toBe('Test Wallet')
  })

  it('assertProposalFits refuses a proposal whose JSON is over the handshake cap', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `m${i}_${'x'.repeat(60)}`)
    const ns = { eip155: { chains: ['eip155:1'], methods: names(64), events: names(32) } } // ~6.4 KB
    const big = { ...TEST_PROPOSAL, required: ns, optional: ns }
    expect(() => assertProposalFits(TEST_PROPOSAL)).not.toThrow()
    expect(() => assertProposalFits(big)).toThrowError(
      expect.objectContaining({
        code: 'PAYLOAD_TOO_LARGE',
        shortMessage: 'The session proposal is too large for the handshake.',
      }),
    )
  })

  it('rejects a static key that does not match the URI', () => {
    const { uri } = pairOnce()
    expect(() =>
      createDappHandshake({ uri, staticPrivateKey: fixedBytes(0x12), randomBytes: seededRandom(1) }),
    ).toThrowError(code('INVALID_KEY'))
  })

  it('destroy() wipes the pairing secrets', () => {
    const { uri, dapp } = pairOnce()
    dapp.destroy()
    expect(dapp.state).toBe('destroyed')
    expect(uri.psk.some((b) => b !== 0)).toBe(true) // the caller's copy is the caller's
    expect(() => dapp.readHello(new Uint8Array([1, 1]), TEST_NOW)).toThrowError(code('PAIRING_BURNED'))
  })
})

describe('resume handshake (NNpsk0 keyed by the resume psk)', () => {
  function paired() {
    const { wallet, dapp } = pairOnce()
    dapp.readHello(wallet.message1, TEST_NOW)
    const { message2, result: d } = dapp.writeProposal(TEST_PROPOSAL, TEST_NOW)
    const { result: w } = wallet.readProposal(message2, TEST_NOW)
    return { w, d }
  }

  it.each(['wallet', 'dapp'] as const)(
    'either side (%s) can resume; keys, topics and resume psk all rotate',
    (who) => {
      const { w, d } = paired()
      const [a, b] = who === 'wallet' ? [w, d] : [d, w]
      const init = startResume({
        role: a.role,
        sessionId: a.sessionId,
        resumePsk: a.resumePsk,
        payload: new TextEncoder().encode('{"v":1}'),
        randomBytes: seededRandom(5),
      })
      const ans = answerResume({
        role: b.role,
        sessionId: b.sessionId,
        resumePsk: b.resumePsk,
        message1: init.message1,
        payload: new TextEncoder().encode('{"v":1}'),
        randomBytes: seededRandom(6),
      })
      const done = init.readReply(ans.message2)
      const [ra, rb] = [done.result, ans.result]
      expect(equalBytes(ra.sendKey, rb.receiveKey)).toBe(true)
      expect(equalBytes(ra.receiveKey, rb.sendKey)).toBe(true)
      expect(equalBytes(ra.sendKey, a.sendKey)).toBe(false)
      expect(equalBytes(ra.resumePsk, a.resumePsk)).toBe(false)
      expect(ra.topics).toEqual(rb.topics)
      expect(ra.topics).not.toEqual(a.topics)
      expect(equalBytes(ra.sessionId, a.sessionId)).toBe(true)
      expect(ra.sas).toBe(rb.sas)
    },
  )

  it('a wrong resume psk or session id fails', () => {
    const { w, d } = paired()
    const init = startResume({
      role: 'wallet',
      sessionId: w.sessionId,
      resumePsk: fixedBytes(1),
      payload: new Uint8Array([123, 125]),
      randomBytes: seededRandom(5),
    })
    const args = { role: 'dapp' as const, payload: new Uint8Array([123, 125]), randomBytes: seededRandom(6) }
    expect(() =>
      answerResume({ ...args, sessionId: d.sessionId, resumePsk: d.resumePsk, message1: init.message1 }),
    ).toThrowError(code('HANDSHAKE_FAILED'))
    const init2 = startResume({ ...args, role: 'wallet', sessionId: w.sessionId, resumePsk: w.resumePsk })
    expect(() =>
      answerResume({
        ...args,
        sessionId: fixedBytes(3, 16),
        resumePsk: d.resumePsk,
        message1: init2.message1,
      }),
    ).toThrowError(code('HANDSHAKE_FAILED'))
  })
})

describe('metadata in handshake payloads', () => {
  it('the proposal is validated', () => {
    const { wallet, dapp } = pairOnce()
    dapp.readHello(wallet.message1, TEST_NOW)
    expect(() =>
      dapp.writeProposal({ ...TEST_PROPOSAL, dapp: { ...DAPP_META, url: 'javascript:alert(1)' } }, TEST_NOW),
    ).toThrowError(code('PAYLOAD_MALFORMED'))
    expect(dapp.state).toBe('hello')
  })
})
