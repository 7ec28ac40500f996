import { createHash, createPrivateKey, createPublicKey, hkdfSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { p256 } from '@noble/curves/p256'
import { describe, expect, it } from 'vitest'
import vectors from '../../../../docs/vectors/pairline-v1.json' with { type: 'json' }
import { buildVectors } from '../../scripts/vectors.js'
import { verifyDeviceSignature } from '../keys/device.js'
import { utf8 } from './bytes.js'
import { MessageType } from './envelope.js'
import {
  encodeFrameHeader,
  FRAME_HEADER_LEN,
  FRAME_MIN_PADDED,
  MAX_FRAME_PLAINTEXT,
  parseFrame,
} from './frame.js'
import { FrameReceiver, FrameSender, nextEpochKey, senderState } from './frameCipher.js'
import { createDappHandshake, MAX_HANDSHAKE_PAYLOAD, startWalletHandshake } from './handshake.js'
import { keyPairFromPrivate, type RandomBytes } from './noise/dh.js'
import { HandshakeState } from './noise/handshakeState.js'
import { type HandshakePattern, PATTERNS } from './noise/patterns.js'
import { aeadDecrypt, chachaNonce } from './noise/suite.js'
import { pad, paddedLength } from './padding.js'
import { encodeHello, encodeProposal, encodeRefusal, type Hello, type Proposal } from './payloads.js'
import { answerResume, startResume } from './resume.js'
import {
  decodeResumeInit,
  decodeResumeReply,
  resumeInitSignedData,
  resumeReplySignedData,
} from './resumePayload.js'
import { deriveSas } from './sas.js'
import { pairingTopics } from './topics.js'
import { encodePairingUri, pairingPrologue } from './uri.js'
import { parsePairingUri } from './uriParse.js'

/**
 * Checks docs/vectors/pairline-v1.json against the protocol code. Every value is recomputed here
 * from the file's inputs (not from scripts/vectors.ts), through the public protocol API and again
 * through the bare Noise HandshakeState plus node:crypto where that gives an independent path.
 * The last test pins the file to the generator so the spec and the code cannot drift apart.
 */

const VECTORS_URL = new URL('../../../../docs/vectors/pairline-v1.json', import.meta.url)

const HEX = /^(?:[0-9a-f]{2})*$/
function fromHex(text: string): Uint8Array {
  if (!HEX.test(text)) throw new Error(`not lowercase hex: ${text.slice(0, 20)}...`)
  return new Uint8Array(Buffer.from(text, 'hex'))
}
const toHex = (bytes: Uint8Array | ArrayBuffer): string => Buffer.from(new Uint8Array(bytes)).toString('hex')
const text = (bytes: Uint8Array): string => new TextDecoder('utf-8', { fatal: true }).decode(bytes)
const b64urlHex = (topic: string): string => {
  expect(topic).toMatch(/^[A-Za-z0-9_-]{43}$/)
  return Buffer.from(topic, 'base64url').toString('hex')
}

/** Hands out the given 32-byte keys in order, and nothing else. */
function fixedRandom(...keysHex: string[]): RandomBytes & { remaining(): number } {
  const queue = keysHex.map(fromHex)
  const draw = (length: number): Uint8Array => {
    expect(length).toBe(32)
    const next = queue.shift()
    if (next === undefined) throw new Error('no fixed random key left')
    return next
  }
  return Object.assign(draw, { remaining: () => queue.length })
}

/** X25519 public key through node:crypto (OpenSSL), independent of noble-curves. */
function nodeX25519Public(privateHex: string): string {
  const pkcs8 = Buffer.concat([
    Buffer.from('302e020100300506032b656e04220420', 'hex'),
    Buffer.from(privateHex, 'hex'),
  ])
  const key = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }))
  return toHex(key.export({ format: 'der', type: 'spki' }).subarray(-32))
}

const nodeHkdf = (ikm: Uint8Array, salt: Uint8Array | string, info: string, length: number): string =>
  toHex(hkdfSync('sha256', ikm, typeof salt === 'string' ? utf8(salt) : salt, utf8(info), length))

function nodeSas(hHex: string): string {
  const out = Buffer.from(hkdfSync('sha256', fromHex(hHex), utf8('pairline/v1/sas'), new Uint8Array(0), 4))
  return String(out.readUInt32BE(0) % 1_000_000).padStart(6, '0')
}

/** Both halves of a two-message Noise handshake on the bare HandshakeState, with fixed ephemerals. */
function runNoise(o: {
  pattern: HandshakePattern
  prologue: Uint8Array
  psk: Uint8Array
  responderStatic?: Uint8Array
  initiatorEphemeral: Uint8Array
  responderEphemeral: Uint8Array
  payload1: Uint8Array
  payload2: Uint8Array
}) {
  const common = { pattern: o.pattern, prologue: o.prologue, psks: [o.psk] }
  const s = o.responderStatic ? keyPairFromPrivate(o.responderStatic) : undefined
  const init = new HandshakeState({
    ...common,
    initiator: true,
    e: keyPairFromPrivate(o.initiatorEphemeral),
    ...(s ? { rs: s.publicKey } : {}),
  })
  const resp = new HandshakeState({
    ...common,
    initiator: false,
    e: keyPairFromPrivate(o.responderEphemeral),
    ...(s ? { s } : {}),
  })
  const message1 = init.writeMessage(o.payload1)
  const read1 = resp.readMessage(message1)
  const message2 = resp.writeMessage(o.payload2)
  const read2 = init.readMessage(message2)
  const protocolName = init.protocolName
  const i = init.split()
  const r = resp.split()
  const key = (c: { exportKey(): Uint8Array | null }) => toHex(c.exportKey() as Uint8Array)
  expect(toHex(r.handshakeHash)).toBe(toHex(i.handshakeHash))
  expect(toHex(r.chainingKey)).toBe(toHex(i.chainingKey))
  expect([key(r.c1), key(r.c2)]).toEqual([key(i.c1), key(i.c2)])
  const ck = i.chainingKey
  const h = i.handshakeHash
  return {
    protocolName,
    message1,
    message2,
    read1,
    read2,
    h: toHex(h),
    c1: key(i.c1),
    c2: key(i.c2),
    // The session exporter, recomputed with node:crypto rather than topics.ts.
    sessionTopicsHex: {
      w2d: nodeHkdf(ck, h, 'pairline/v1/session-topic/w2d', 32),
      d2w: nodeHkdf(ck, h, 'pairline/v1/session-topic/d2w', 32),
    },
    resumePsk: nodeHkdf(ck, h, 'pairline/v1/resume-psk', 32),
    sessionId: nodeHkdf(ck, h, 'pairline/v1/session-id', 16),
  }
}

const P = vectors.pairing
const H = vectors.handshake
const T = vectors.transport
const R = vectors.resume
const B = vectors.burn

describe('docs/vectors/pairline-v1.json: burn (a second message 1 before verification)', () => {
  it('the dApp answers the second wallet with the refusal; only that wallet opens it, and reads PAIRING_BURNED', () => {
    const uri = parsePairingUri(P.uri, { nowSeconds: P.nowSeconds })
    const dappRandom = fixedRandom(H.dappEphemeralPrivate, B.dappEphemeralPrivate)
    const dapp = createDappHandshake({
      uri,
      staticPrivateKey: fromHex(P.dappStaticPrivate),
      randomBytes: dappRandom,
    })
    dapp.readHello(fromHex(H.message1Hex), P.nowSeconds)
    dapp.writeProposal(JSON.parse(H.proposalText) as Proposal, P.nowSeconds)
    const secondHello = JSON.parse(B.secondHelloText) as Hello
    const second = startWalletHandshake({
      uri,
      hello: secondHello,
      nowSeconds: P.nowSeconds,
      randomBytes: fixedRandom(B.secondWalletEphemeralPrivate),
    })
    expect(toHex(second.message1)).toBe(B.message1Hex)
    expect(toHex(keyPairFromPrivate(fromHex(B.secondWalletEphemeralPrivate)).publicKey)).toBe(
      B.secondWalletEphemeralPublic,
    )
    expect(() => dapp.readHello(second.message1, P.nowSeconds)).toThrowError(
      expect.objectContaining({ code: 'PAIRING_BURNED' }),
    )
    expect(toHex(dapp.burnNotice as Uint8Array)).toBe(B.message2Hex)
    expect(dappRandom.remaining()).toBe(0)
    expect(B.message2Hex.slice(0, 4 + 64)).toBe(`0102${B.dappEphemeralPublic}`)
    expect(text(encodeRefusal({ v: 1, refused: 'burned' }))).toBe(B.refusalText)
    expect(toHex(pad(utf8(B.refusalText), MAX_HANDSHAKE_PAYLOAD))).toBe(B.refusalPaddedHex)
    const first = startWalletHandshake({
      uri,
      hello: JSON.parse(H.helloText) as Hello,
      nowSeconds: P.nowSeconds,
      randomBytes: fixedRandom(H.walletEphemeralPrivate),
    })
    expect(() => first.readProposal(fromHex(B.message2Hex), P.nowSeconds)).toThrowError(
      expect.objectContaining({ code: 'HANDSHAKE_FAILED' }),
    )
    expect(() => second.readProposal(fromHex(B.message2Hex), P.nowSeconds)).toThrowError(
      expect.objectContaining({ code: 'PAIRING_BURNED' }),
    )
  })
})

describe('docs/vectors/pairline-v1.json', () => {
  it('is exactly what packages/sdk/scripts/vectors.ts generates (run `pnpm vectors` after a change)', () => {
    expect(readFileSync(VECTORS_URL, 'utf8')).toBe(`${JSON.stringify(buildVectors(), null, 2)}\n`)
  })

  it('warns about its keys and describes every field of every section', () => {
    expect(vectors.warning).toBe('test keys only; never use these values')
    expect(vectors.description).toContain('PROTOCOL.md')
    for (const section of [P, H, B, T, R, vectors.sas, vectors.padding]) {
      const described = Object.keys(section.description)
      expect(described).toContain('section')
      for (const field of Object.keys(section)) {
        if (field !== 'description') expect(described).toContain(field)
      }
    }
    for (const field of Object.keys(T.frames[0] ?? {}))
      expect(Object.keys(T.description)).toContain(`frames[].${field}`)
  })

  describe('pairing', () => {
    it('static key pair', () => {
      expect(toHex(keyPairFromPrivate(fromHex(P.dappStaticPrivate)).publicKey)).toBe(P.dappStaticPublic)
      expect(nodeX25519Public(P.dappStaticPrivate)).toBe(P.dappStaticPublic)
    })

    it('the URI parses to the inputs, and the inputs encode to the URI', () => {
      const uri = parsePairingUri(P.uri, { nowSeconds: P.nowSeconds })
      expect(uri.version).toBe(1)
      expect(toHex(uri.responderStatic)).toBe(P.dappStaticPublic)
      expect(toHex(uri.psk)).toBe(P.psk)
      expect(uri.relayUrl).toBe(P.relayUrl)
      expect(uri.expiresAt).toBe(P.expiresAt)
      expect(uri.chains).toEqual(P.chains)
      expect(uri.methods).toBeUndefined()
      expect(P.nowSeconds).toBeLessThan(P.expiresAt)
      const encoded = encodePairingUri({
        version: 1,
        responderStatic: fromHex(P.dappStaticPublic),
        psk: fromHex(P.psk),
        relayUrl: P.relayUrl,
        expiresAt: P.expiresAt,
        chains: P.chains,
      })
      expect(encoded).toBe(P.uri)
      // Spelled out by hand as well, field by field.
      const b64 = (h: string) => Buffer.from(h, 'hex').toString('base64url')
      expect(P.uri).toBe(
        `pairline:1?s=${b64(P.dappStaticPublic)}&k=${b64(P.psk)}&r=${encodeURIComponent(P.relayUrl)}` +
          `&x=${P.expiresAt}&c=${P.chains.join(',')}`,
      )
    })

    it('prologue: the URI without its k= component', () => {
      const uri = parsePairingUri(P.uri)
      expect(toHex(pairingPrologue(uri))).toBe(P.prologueHex)
      expect(P.prologueText).toBe(P.uri.replace(`&k=${Buffer.from(P.psk, 'hex').toString('base64url')}`, ''))
      expect(P.prologueText).not.toContain('k=')
      expect(toHex(utf8(P.prologueText))).toBe(P.prologueHex)
    })
  })

  describe('handshake (NKpsk0)', () => {
    const hello = JSON.parse(H.helloText) as Hello
    const proposal = JSON.parse(H.proposalText) as Proposal

    it('ephemeral key pairs', () => {
      expect(toHex(keyPairFromPrivate(fromHex(H.walletEphemeralPrivate)).publicKey)).toBe(
        H.walletEphemeralPublic,
      )
      expect(toHex(keyPairFromPrivate(fromHex(H.dappEphemeralPrivate)).publicKey)).toBe(H.dappEphemeralPublic)
      expect(nodeX25519Public(H.walletEphemeralPrivate)).toBe(H.walletEphemeralPublic)
      expect(nodeX25519Public(H.dappEphemeralPrivate)).toBe(H.dappEphemeralPublic)
    })

    it('payload encodings and padding', () => {
      expect(text(encodeHello(hello))).toBe(H.helloText)
      expect(text(encodeProposal(proposal))).toBe(H.proposalText)
      expect(toHex(pad(utf8(H.helloText), MAX_HANDSHAKE_PAYLOAD))).toBe(H.helloPaddedHex)
      expect(toHex(pad(utf8(H.proposalText), MAX_HANDSHAKE_PAYLOAD))).toBe(H.proposalPaddedHex)
    })

    it('the wallet and dApp APIs reproduce both messages and every derived value', () => {
      const uri = parsePairingUri(P.uri, { nowSeconds: P.nowSeconds })
      const walletRandom = fixedRandom(H.walletEphemeralPrivate)
      const dappRandom = fixedRandom(H.dappEphemeralPrivate)
      const wallet = startWalletHandshake({ uri, hello, nowSeconds: P.nowSeconds, randomBytes: walletRandom })
      expect(toHex(wallet.message1)).toBe(H.message1Hex)
      const dapp = createDappHandshake({
        uri,
        staticPrivateKey: fromHex(P.dappStaticPrivate),
        randomBytes: dappRandom,
      })
      expect(dapp.readHello(fromHex(H.message1Hex), P.nowSeconds).hello).toEqual(hello)
      const written = dapp.writeProposal(proposal, P.nowSeconds)
      expect(toHex(written.message2)).toBe(H.message2Hex)
      const read = wallet.readProposal(fromHex(H.message2Hex), P.nowSeconds)
      expect(read.proposal).toEqual(proposal)
      expect(walletRandom.remaining()).toBe(0)
      expect(dappRandom.remaining()).toBe(0)

      const w = read.result
      const d = written.result
      for (const r of [w, d]) {
        expect(toHex(r.handshakeHash)).toBe(H.handshakeHash)
        expect(r.sas).toBe(H.sas)
        expect(r.topics).toEqual({ w2d: H.sessionTopics.w2d, d2w: H.sessionTopics.d2w })
        expect(toHex(r.sessionId)).toBe(H.sessionId)
        expect(toHex(r.resumePsk)).toBe(H.resumePsk)
      }
      expect([toHex(w.sendKey), toHex(w.receiveKey)]).toEqual([H.w2dKey, H.d2wKey])
      expect([toHex(d.sendKey), toHex(d.receiveKey)]).toEqual([H.d2wKey, H.w2dKey])
      dapp.destroy()
    })

    it('the bare Noise handshake agrees, and so does node:crypto for the exporter, SAS and topics', () => {
      const n = runNoise({
        pattern: PATTERNS.NKpsk0,
        prologue: fromHex(P.prologueHex),
        psk: fromHex(P.psk),
        responderStatic: fromHex(P.dappStaticPrivate),
        initiatorEphemeral: fromHex(H.walletEphemeralPrivate),
        responderEphemeral: fromHex(H.dappEphemeralPrivate),
        payload1: fromHex(H.helloPaddedHex),
        payload2: fromHex(H.proposalPaddedHex),
      })
      expect(n.protocolName).toBe(H.protocolName)
      expect(H.message1Hex).toBe(`0101${toHex(n.message1)}`)
      expect(H.message2Hex).toBe(`0102${toHex(n.message2)}`)
      expect(H.message1Hex.slice(4, 68)).toBe(H.walletEphemeralPublic)
      expect(H.message2Hex.slice(4, 68)).toBe(H.dappEphemeralPublic)
      // e (32) + padded payload + tag (16)
      expect(n.message1.length).toBe(32 + H.helloPaddedHex.length / 2 + 16)
      expect(n.message2.length).toBe(32 + H.proposalPaddedHex.length / 2 + 16)
      expect(toHex(n.read1)).toBe(H.helloPaddedHex)
      expect(toHex(n.read2)).toBe(H.proposalPaddedHex)
      expect(n.h).toBe(H.handshakeHash)
      expect([n.c1, n.c2]).toEqual([H.w2dKey, H.d2wKey])
      expect(n.sessionTopicsHex).toEqual({ w2d: H.sessionTopics.w2dHex, d2w: H.sessionTopics.d2wHex })
      expect(n.resumePsk).toBe(H.resumePsk)
      expect(n.sessionId).toBe(H.sessionId)
      expect(deriveSas(fromHex(H.handshakeHash))).toBe(H.sas)
      expect(nodeSas(H.handshakeHash)).toBe(H.sas)
    })

    it('topics: base64url of the hex, pairing topics from the psk', () => {
      for (const t of [H.pairingTopics, H.sessionTopics]) {
        expect(b64urlHex(t.w2d)).toBe(t.w2dHex)
        expect(b64urlHex(t.d2w)).toBe(t.d2wHex)
      }
      expect(pairingTopics(fromHex(P.psk))).toEqual({ w2d: H.pairingTopics.w2d, d2w: H.pairingTopics.d2w })
      expect(nodeHkdf(fromHex(P.psk), 'pairline/v1/pairing-topic', 'w2d', 32)).toBe(H.pairingTopics.w2dHex)
      expect(nodeHkdf(fromHex(P.psk), 'pairline/v1/pairing-topic', 'd2w', 32)).toBe(H.pairingTopics.d2wHex)
    })
  })

  describe('transport', () => {
    const keyOf = (direction: string) => {
      expect(['w2d', 'd2w']).toContain(direction)
      return direction === 'w2d' ? H.w2dKey : H.d2wKey
    }

    it('Rekey() of the w2d key gives the epoch-1 key', () => {
      expect(toHex(nextEpochKey(fromHex(H.w2dKey)))).toBe(T.w2dEpoch1Key)
      expect(T.w2dEpoch1Key).not.toBe(H.w2dKey)
    })

    it('frame fields: plaintext bytes, padding, header', () => {
      expect(T.frames.map((f) => `${f.direction}:${f.epoch}:${f.counter}`)).toEqual([
        'w2d:0:0',
        'd2w:0:0',
        'w2d:0:1',
        'd2w:0:1',
        'w2d:1:2',
      ])
      for (const f of T.frames) {
        expect(toHex(utf8(f.plaintext))).toBe(f.plaintextHex)
        expect(toHex(pad(fromHex(f.plaintextHex), MAX_FRAME_PLAINTEXT, FRAME_MIN_PADDED))).toBe(f.paddedHex)
        expect(toHex(encodeFrameHeader({ epoch: f.epoch, counter: f.counter }))).toBe(f.headerHex)
        expect(f.headerHex).toHaveLength(FRAME_HEADER_LEN * 2)
        expect(f.headerHex.slice(0, 4)).toBe(`01${MessageType.Transport.toString(16)}`)
        expect(f.frameHex.startsWith(f.headerHex)).toBe(true)
        expect(f.frameHex.length / 2).toBe(FRAME_HEADER_LEN + f.paddedHex.length / 2 + 16)
        const parsed = parseFrame(fromHex(f.frameHex))
        expect([parsed.epoch, parsed.counter]).toEqual([f.epoch, f.counter])
      }
    })

    it('FrameReceiver opens every frame in order', () => {
      const receivers = {
        w2d: new FrameReceiver({ key: fromHex(H.w2dKey) }),
        d2w: new FrameReceiver({ key: fromHex(H.d2wKey) }),
      }
      for (const f of T.frames) {
        const opened = receivers[f.direction as 'w2d' | 'd2w'].open(fromHex(f.frameHex), T.nowSeconds)
        expect(text(opened.plaintext)).toBe(f.plaintext)
        expect([opened.epoch, opened.counter]).toEqual([f.epoch, f.counter])
      }
      expect(receivers.w2d.epoch).toBe(1)
      expect(receivers.d2w.epoch).toBe(0)
    })

    it('the bare AEAD opens every frame with the epoch key and counter nonce', () => {
      for (const f of T.frames) {
        const epochKey = f.epoch === 0 ? keyOf(f.direction) : T.w2dEpoch1Key
        if (f.epoch === 1) expect(f.direction).toBe('w2d')
        const frame = fromHex(f.frameHex)
        const padded = aeadDecrypt(
          fromHex(epochKey),
          chachaNonce(f.counter),
          frame.subarray(0, FRAME_HEADER_LEN),
          frame.subarray(FRAME_HEADER_LEN),
        )
        expect(toHex(padded)).toBe(f.paddedHex)
      }
    })

    it('FrameSender with the given policy re-seals the same bytes', () => {
      const policy = { afterMessages: T.rekeyPolicy.afterMessages, afterSeconds: T.rekeyPolicy.afterSeconds }
      const senders = {
        w2d: new FrameSender({ key: fromHex(H.w2dKey), nowSeconds: T.nowSeconds, policy }),
        d2w: new FrameSender({ key: fromHex(H.d2wKey), nowSeconds: T.nowSeconds, policy }),
      }
      for (const f of T.frames) {
        const sender = senders[f.direction as 'w2d' | 'd2w']
        expect(toHex(sender.seal(utf8(f.plaintext), T.nowSeconds))).toBe(f.frameHex)
        expect(sender.epoch).toBe(f.epoch)
      }
      expect(toHex(senderState(senders.w2d).key)).toBe(T.w2dEpoch1Key)
    })
  })

  describe('resume (NNpsk0, started by the wallet)', () => {
    it('inputs come from the pairing; prologue and payload padding', () => {
      expect(R.initiator).toBe('wallet')
      expect(R.sessionId).toBe(H.sessionId)
      expect(R.resumePsk).toBe(H.resumePsk)
      expect(R.prologueHex).toBe(toHex(utf8('pairline/v1/resume')) + R.sessionId)
      expect(toHex(keyPairFromPrivate(fromHex(R.walletEphemeralPrivate)).publicKey)).toBe(
        R.walletEphemeralPublic,
      )
      expect(toHex(keyPairFromPrivate(fromHex(R.dappEphemeralPrivate)).publicKey)).toBe(R.dappEphemeralPublic)
      expect(nodeX25519Public(R.walletEphemeralPrivate)).toBe(R.walletEphemeralPublic)
      expect(nodeX25519Public(R.dappEphemeralPrivate)).toBe(R.dappEphemeralPublic)
      expect(toHex(pad(utf8(R.initPayloadText), MAX_HANDSHAKE_PAYLOAD))).toBe(R.initPayloadPaddedHex)
      expect(toHex(pad(utf8(R.replyPayloadText), MAX_HANDSHAKE_PAYLOAD))).toBe(R.replyPayloadPaddedHex)
    })

    it('the payloads carry the attempt and device signatures over the documented bytes (§8.3)', async () => {
      const e = fromHex(R.walletEphemeralPublic)
      const id = fromHex(R.sessionId)
      expect(toHex(resumeInitSignedData(id, R.gen, R.attempt, e))).toBe(R.initSignedDataHex)
      expect(toHex(resumeReplySignedData(id, R.gen, R.attempt, e, false))).toBe(R.replySignedDataHex)
      expect(toHex(p256.getPublicKey(fromHex(R.walletDevicePrivate), false))).toBe(R.walletDevicePublic)
      expect(toHex(p256.getPublicKey(fromHex(R.dappDevicePrivate), false))).toBe(R.dappDevicePublic)
      const init = decodeResumeInit(utf8(R.initPayloadText))
      const reply = decodeResumeReply(utf8(R.replyPayloadText))
      expect(init.n).toBe(R.attempt)
      expect(reply.superseded).toBe(false)
      // WebCrypto (what the SDK verifies with) accepts them; a flipped byte does not.
      const w = fromHex(R.walletDevicePublic)
      const d = fromHex(R.dappDevicePublic)
      expect(await verifyDeviceSignature(w, fromHex(R.initSignedDataHex), init.sig)).toBe(true)
      expect(await verifyDeviceSignature(d, fromHex(R.replySignedDataHex), reply.sig)).toBe(true)
      expect(await verifyDeviceSignature(d, fromHex(R.initSignedDataHex), init.sig)).toBe(false)
      const bad = fromHex(R.replySignedDataHex)
      bad.set([(bad.at(-1) ?? 0) ^ 1], bad.length - 1)
      expect(await verifyDeviceSignature(d, bad, reply.sig)).toBe(false)
    })

    it('startResume and answerResume reproduce both messages and every derived value', () => {
      const walletRandom = fixedRandom(R.walletEphemeralPrivate)
      const dappRandom = fixedRandom(R.dappEphemeralPrivate)
      const init = startResume({
        role: 'wallet',
        sessionId: fromHex(R.sessionId),
        resumePsk: fromHex(R.resumePsk),
        payload: utf8(R.initPayloadText),
        randomBytes: walletRandom,
      })
      expect(toHex(init.message1)).toBe(R.message1Hex)
      const answer = answerResume({
        role: 'dapp',
        sessionId: fromHex(R.sessionId),
        resumePsk: fromHex(R.resumePsk),
        message1: fromHex(R.message1Hex),
        payload: utf8(R.replyPayloadText),
        randomBytes: dappRandom,
      })
      expect(text(answer.payload)).toBe(R.initPayloadText)
      expect(toHex(answer.message2)).toBe(R.message2Hex)
      const reply = init.readReply(fromHex(R.message2Hex))
      expect(text(reply.payload)).toBe(R.replyPayloadText)
      expect(walletRandom.remaining()).toBe(0)
      expect(dappRandom.remaining()).toBe(0)

      const w = reply.result
      const d = answer.result
      for (const r of [w, d]) {
        expect(toHex(r.handshakeHash)).toBe(R.handshakeHash)
        expect(r.sas).toBe(R.sas)
        expect(r.topics).toEqual({ w2d: R.sessionTopics.w2d, d2w: R.sessionTopics.d2w })
        expect(toHex(r.sessionId)).toBe(R.sessionId)
        expect(toHex(r.resumePsk)).toBe(R.nextResumePsk)
      }
      expect([toHex(w.sendKey), toHex(w.receiveKey)]).toEqual([R.w2dKey, R.d2wKey])
      expect([toHex(d.sendKey), toHex(d.receiveKey)]).toEqual([R.d2wKey, R.w2dKey])
    })

    it('the bare Noise handshake and node:crypto agree', () => {
      const n = runNoise({
        pattern: PATTERNS.NNpsk0,
        prologue: fromHex(R.prologueHex),
        psk: fromHex(R.resumePsk),
        initiatorEphemeral: fromHex(R.walletEphemeralPrivate),
        responderEphemeral: fromHex(R.dappEphemeralPrivate),
        payload1: fromHex(R.initPayloadPaddedHex),
        payload2: fromHex(R.replyPayloadPaddedHex),
      })
      expect(n.protocolName).toBe(R.protocolName)
      expect(R.message1Hex).toBe(`0103${toHex(n.message1)}`)
      expect(R.message2Hex).toBe(`0104${toHex(n.message2)}`)
      expect(R.message1Hex.slice(4, 68)).toBe(R.walletEphemeralPublic)
      expect(R.message2Hex.slice(4, 68)).toBe(R.dappEphemeralPublic)
      expect(toHex(n.read1)).toBe(R.initPayloadPaddedHex)
      expect(toHex(n.read2)).toBe(R.replyPayloadPaddedHex)
      expect(n.h).toBe(R.handshakeHash)
      expect([n.c1, n.c2]).toEqual([R.w2dKey, R.d2wKey])
      expect(n.sessionTopicsHex).toEqual({ w2d: R.sessionTopics.w2dHex, d2w: R.sessionTopics.d2wHex })
      expect(b64urlHex(R.sessionTopics.w2d)).toBe(R.sessionTopics.w2dHex)
      expect(b64urlHex(R.sessionTopics.d2w)).toBe(R.sessionTopics.d2wHex)
      expect(n.resumePsk).toBe(R.nextResumePsk)
      expect(nodeSas(R.handshakeHash)).toBe(R.sas)
      // Everything rotates except the session id.
      expect(R.handshakeHash).not.toBe(H.handshakeHash)
      expect(R.nextResumePsk).not.toBe(H.resumePsk)
      expect(R.sessionTopics.w2d).not.toBe(H.sessionTopics.w2d)
      expect(R.w2dKey).not.toBe(H.w2dKey)
    })
  })

  it('sas table', () => {
    expect(vectors.sas.cases).toHaveLength(5)
    for (const c of vectors.sas.cases) {
      expect(c.handshakeHash).toBe(createHash('sha256').update(c.input, 'utf8').digest('hex'))
      expect(deriveSas(fromHex(c.handshakeHash))).toBe(c.sas)
      expect(nodeSas(c.handshakeHash)).toBe(c.sas)
    }
  })

  it('padding table', () => {
    expect(vectors.padding.cases.map((c) => c.n)).toEqual([
      1, 32, 33, 100, 256, 257, 1000, 65535, 65536, 70000,
    ])
    for (const c of vectors.padding.cases) {
      expect(paddedLength(c.n)).toBe(c.paddedLength)
      expect(pad(new Uint8Array(c.n).fill(1)).length).toBe(c.encodedLength)
    }
  })
})
