import { createHash, hkdfSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import V1 from '../../../../docs/vectors/pairline-v1.json' with { type: 'json' }
import S from '../../../../docs/vectors/pairline-v1-session.json' with { type: 'json' }
import { verifyDeviceSignature } from '../keys/device.js'
import { FrameReceiver } from '../protocol/frameCipher.js'
import { MAX_HANDSHAKE_PAYLOAD } from '../protocol/handshake.js'
import { keyPairFromPrivate } from '../protocol/noise/dh.js'
import { HandshakeState } from '../protocol/noise/handshakeState.js'
import { PATTERNS } from '../protocol/noise/patterns.js'
import { pad } from '../protocol/padding.js'
import { decodeResumeInit, decodeResumeReply } from '../protocol/resumePayload.js'
import { asRequest, asResponse } from './bodies.js'
import { decodeSessionMessage } from './envelope.js'
import { requestHash } from './requestId.js'

/**
 * The `resume` of docs/vectors/pairline-v1-session.json (PROTOCOL.md §8, §14.1, §14.4), recomputed
 * from the text with independent code where it exists: the bytes signed concatenated by hand, the
 * signatures checked with WebCrypto, the handshake on the bare Noise HandshakeState, the exporter
 * with node:crypto, the stored states written out field by field from §8.2 and §14.4.
 */
const R = S.resume
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'))
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url')
const u32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}
const hkdf = (ck: Uint8Array, h: Uint8Array, info: string, length: number) =>
  new Uint8Array(hkdfSync('sha256', ck, h, Buffer.from(info), length))
const topicsOf = (t: { w2d: string; d2w: string }) => ({ w2d: t.w2d, d2w: t.d2w })
const T0 = topicsOf(V1.handshake.sessionTopics)
const T1 = topicsOf(V1.resume.sessionTopics)
const G2 = R.generation2

describe('docs/vectors/pairline-v1-session.json: a resume with its first frames', () => {
  it('continues the session of pairline-v1.json: its session id, device keys, and generation 1 from its resume', () => {
    expect(R.gen).toBe(1)
    expect(R.devices).toEqual({
      wallet: b64url(bytes(V1.resume.walletDevicePublic)),
      dapp: b64url(bytes(V1.resume.dappDevicePublic)),
    })
    expect(R.message1.topic).toBe(T1.d2w) // the initiator's (dApp's) sending topic of generation 1
    expect(R.message2.topic).toBe(T1.w2d) // the responder's
    for (const side of ['dapp', 'wallet'] as const) {
      const e = R.ephemerals[side]
      expect(e.privateHex).toBe(createHash('sha256').update(e.label).digest('hex'))
      expect(hex(keyPairFromPrivate(bytes(e.privateHex)).publicKey)).toBe(e.publicHex)
    }
  })

  it('both payloads carry the attempt and a device signature over the documented bytes, checked with WebCrypto', async () => {
    const id = Buffer.from(V1.handshake.sessionId, 'hex')
    const eI = Buffer.from(R.ephemerals.dapp.publicHex, 'hex')
    const init = Buffer.concat([
      Buffer.from('pairline/v1/resume/init-signature'),
      id,
      u32(R.gen),
      u32(R.attempt),
      eI,
    ])
    const reply = Buffer.concat([
      Buffer.from('pairline/v1/resume/reply-signature'),
      id,
      u32(R.gen),
      u32(R.attempt),
      eI,
      Buffer.from([0]),
    ])
    expect(R.message1.signedDataHex).toBe(init.toString('hex'))
    expect(R.message2.signedDataHex).toBe(reply.toString('hex'))
    const m1 = JSON.parse(R.message1.payloadText)
    const m2 = JSON.parse(R.message2.payloadText)
    expect(Object.keys(m1)).toEqual(['v', 'n', 'sig'])
    expect(Object.keys(m2)).toEqual(['v', 'sig'])
    expect([m1.v, m1.n, m2.v]).toEqual([1, R.attempt, 1])
    expect(decodeResumeInit(Buffer.from(R.message1.payloadText))).toMatchObject({ n: R.attempt })
    expect(decodeResumeReply(Buffer.from(R.message2.payloadText))).toMatchObject({ superseded: false })
    const dapp = bytes(V1.resume.dappDevicePublic)
    const wallet = bytes(V1.resume.walletDevicePublic)
    expect(await verifyDeviceSignature(dapp, init, Buffer.from(m1.sig, 'base64url'))).toBe(true)
    expect(await verifyDeviceSignature(wallet, reply, Buffer.from(m2.sig, 'base64url'))).toBe(true)
    expect(await verifyDeviceSignature(wallet, init, Buffer.from(m1.sig, 'base64url'))).toBe(false)
    for (const m of [R.message1, R.message2])
      expect(hex(pad(Buffer.from(m.payloadText), MAX_HANDSHAKE_PAYLOAD))).toBe(m.paddedHex)
  })

  it('the bare NNpsk0 handshake under generation 1’s psk gives both messages; node:crypto gives generation 2', () => {
    const common = {
      pattern: PATTERNS.NNpsk0,
      prologue: Buffer.concat([
        Buffer.from('pairline/v1/resume'),
        Buffer.from(V1.handshake.sessionId, 'hex'),
      ]),
      psks: [bytes(V1.resume.nextResumePsk)],
    }
    const dapp = new HandshakeState({
      ...common,
      initiator: true,
      e: keyPairFromPrivate(bytes(R.ephemerals.dapp.privateHex)),
    })
    const wallet = new HandshakeState({
      ...common,
      initiator: false,
      e: keyPairFromPrivate(bytes(R.ephemerals.wallet.privateHex)),
    })
    const m1 = dapp.writeMessage(bytes(R.message1.paddedHex))
    expect(`0103${hex(m1)}`).toBe(R.message1.hex)
    expect(hex(wallet.readMessage(m1))).toBe(R.message1.paddedHex)
    const m2 = wallet.writeMessage(bytes(R.message2.paddedHex))
    expect(`0104${hex(m2)}`).toBe(R.message2.hex)
    expect(hex(dapp.readMessage(m2))).toBe(R.message2.paddedHex)
    const out = dapp.split()
    const h = out.handshakeHash
    const ck = out.chainingKey
    expect(hex(h)).toBe(G2.handshakeHash)
    // c1 is initiator -> responder: the dApp started, so c1 carries d2w.
    expect([hex(out.c1.exportKey() as Uint8Array), hex(out.c2.exportKey() as Uint8Array)]).toEqual([
      G2.d2wKey,
      G2.w2dKey,
    ])
    expect(G2.topics).toEqual({
      w2d: b64url(hkdf(ck, h, 'pairline/v1/session-topic/w2d', 32)),
      d2w: b64url(hkdf(ck, h, 'pairline/v1/session-topic/d2w', 32)),
    })
    expect(G2.resumePsk).toBe(hex(hkdf(ck, h, 'pairline/v1/resume-psk', 32)))
    // The session id is not derived again: it is the pairing's, in the prologue (§6.2, §8).
    expect(hex(hkdf(ck, h, 'pairline/v1/session-id', 16))).not.toBe(V1.handshake.sessionId)
  })

  it('each side stores the documented resume state at its commit point (§8.2, §14.4)', () => {
    const psk0 = V1.handshake.resumePsk
    const psk1 = V1.resume.nextResumePsk
    const psk2 = G2.resumePsk
    const wallet = { self: R.devices.wallet, peer: R.devices.dapp }
    const dapp = { self: R.devices.dapp, peer: R.devices.wallet }
    const earlier = {
      msg1: b64url(createHash('sha256').update(bytes(V1.resume.message1Hex)).digest()),
      msg2: b64url(bytes(V1.resume.message2Hex)),
    }
    const answer = {
      msg1: b64url(createHash('sha256').update(bytes(R.message1.hex)).digest()),
      msg2: b64url(bytes(R.message2.hex)),
    }
    const gen = (g: number, topics: { w2d: string; d2w: string }) => ({ gen: g, topics })
    const expected = {
      walletBefore: [
        {
          gen: 1,
          candidate: null,
          attempt: 1,
          peerAttempt: 0,
          answered: null,
          retired: [gen(0, T0)],
          device: wallet,
        },
        psk1 + psk0,
      ],
      dappBefore: [
        {
          gen: 1,
          candidate: null,
          attempt: 2,
          peerAttempt: 1,
          answered: earlier,
          retired: [gen(0, T0)],
          device: dapp,
        },
        psk1 + psk0,
      ],
      // The responder's commit point: generation 2 a candidate beside generation 1, and the answer.
      walletAnswered: [
        {
          gen: 1,
          candidate: { ...gen(2, G2.topics), n: 2 },
          attempt: 1,
          peerAttempt: 2,
          answered: answer,
          retired: [gen(0, T0)],
          device: wallet,
        },
        psk1 + psk2 + psk0,
      ],
      // The initiator's commit point: generation 2 current, 1 and 0 retired (newest first, at most 2).
      dappAdopted: [
        {
          gen: 2,
          candidate: null,
          attempt: 2,
          peerAttempt: 1,
          answered: earlier,
          retired: [gen(1, T1), gen(0, T0)],
          device: dapp,
        },
        psk2 + psk1 + psk0,
      ],
      walletConfirmed: [
        {
          gen: 2,
          candidate: null,
          attempt: 1,
          peerAttempt: 2,
          answered: answer,
          retired: [gen(1, T1), gen(0, T0)],
          device: wallet,
        },
        psk2 + psk1 + psk0,
      ],
    }
    for (const [name, [json, secretsHex]] of Object.entries(expected)) {
      const s = R.stored[name as keyof typeof R.stored]
      expect(s.json, name).toEqual(json)
      expect(s.secretsHex, name).toBe(secretsHex)
    }
  })

  it('the first frame each way under generation 2: counter 0 of each new key; the request keeps its seq, the answer carries its hash', () => {
    const [req, res] = R.frames
    expect([req!.direction, req!.topic, res!.direction, res!.topic]).toEqual([
      'd2w',
      G2.topics.d2w,
      'w2d',
      G2.topics.w2d,
    ])
    const open = (keyHex: string, frameHex: string) => {
      const rx = new FrameReceiver({ key: bytes(keyHex) })
      const opened = rx.open(bytes(frameHex), S.nowSeconds)
      expect([opened.epoch, opened.counter]).toEqual([0, 0])
      return new TextDecoder().decode(opened.plaintext)
    }
    expect(open(G2.d2wKey, req!.frameHex)).toBe(req!.json)
    expect(open(G2.w2dKey, res!.frameHex)).toBe(res!.json)
    // Not under generation 1's keys.
    expect(() =>
      new FrameReceiver({ key: bytes(V1.resume.d2wKey) }).open(bytes(req!.frameHex), S.nowSeconds),
    ).toThrow(expect.objectContaining({ code: 'FRAME_DECRYPT_FAILED' }))
    const request = decodeSessionMessage(Buffer.from(req!.json))
    const response = decodeSessionMessage(Buffer.from(res!.json))
    // seq survives the resume: the unacknowledged request goes again with its seq, acking what the dApp holds.
    expect([request.t, request.seq, request.ack]).toEqual([
      'req',
      R.before.dapp.unacked[0],
      R.before.dapp.recvSeq,
    ])
    expect([response.t, response.seq, response.ack]).toEqual([
      'res',
      R.before.wallet.sendSeq + 1,
      request.seq,
    ])
    expect(request.seq).toBe(R.before.wallet.recvSeq + 1) // the one the wallet was missing
    expect(asResponse(response).req).toBe(requestHash(asRequest(request)))
    for (const f of R.frames) expect(hex(pad(Buffer.from(f.json), 57_344, 256))).toBe(f.paddedHex)
  })
})
