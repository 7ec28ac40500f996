import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { hashMessage, recoverMessageAddress } from 'viem'
import { createSiweMessage } from 'viem/siwe'
import { describe, expect, it } from 'vitest'
import V from '../../../../docs/vectors/pairline-v1-session.json' with { type: 'json' }
import { buildSessionVectors } from '../../scripts/sessionVectors.js'
import { checkSignIn } from '../dapp/signIn.js'
import { FRAME_HEADER_LEN, FRAME_MIN_PADDED } from '../protocol/frame.js'
import { FrameReceiver } from '../protocol/frameCipher.js'
import { aeadDecrypt, chachaNonce } from '../protocol/noise/suite.js'
import { unpad } from '../protocol/padding.js'
import { decodeProposal, encodeProposal } from '../protocol/payloads.js'
import { signInMessage } from '../protocol/signIn.js'
import { siweVerifier } from '../siwe/index.js'
import { asAbort, asApprove, asClose, asEvent, asExtend, asReject, asRequest, asResponse } from './bodies.js'
import { decodeSessionMessage, encodeSessionMessage, isReliable, type SessionMessage } from './envelope.js'
import { requestHash } from './requestId.js'

/**
 * docs/vectors/pairline-v1-session.json (PROTOCOL.md §14): recomputed here from the spec's rules
 * with independent code where it exists (node:crypto for SHA-256 and the keys, the bare AEAD), so a
 * second implementation can check its session layer, not only its handshake.
 */
const FILE = new URL('../../../../docs/vectors/pairline-v1-session.json', import.meta.url)
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'))
const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest()
type Dir = 'w2d' | 'd2w'

/** The type-specific check each side applies (§14.2); what it returns is what the side uses. */
const VALIDATORS: Record<string, ((m: SessionMessage) => unknown) | null> = {
  approve: asApprove,
  confirm: null,
  abort: asAbort,
  reject: asReject,
  req: asRequest,
  res: asResponse,
  event: asEvent,
  extend: asExtend,
  ping: null,
  pong: null,
  ack: null,
  close: asClose,
}

describe('docs/vectors/pairline-v1-session.json', () => {
  it('is exactly what `pnpm vectors` generates', () => {
    expect(readFileSync(FILE, 'utf8')).toBe(`${JSON.stringify(buildSessionVectors(), null, 2)}\n`)
  })

  it('the keys are SHA-256 of their labels', () => {
    for (const d of ['w2d', 'd2w'] as Dir[]) expect(sha(V.keys[d]).toString('hex')).toBe(V.keysHex[d])
  })

  it('a verified session carries a message of every type but abort and reject; those two come before verification', () => {
    const types = V.conversation.map((m) => m.t)
    expect(new Set(types)).toEqual(
      new Set(Object.keys(VALIDATORS).filter((t) => t !== 'abort' && t !== 'reject')),
    )
    expect(V.beforeVerification.messages.map((m) => m.t)).toEqual(['abort', 'reject'])
    expect(types[0]).toBe('approve') // always the wallet's first message
    expect(V.conversation[1]).toMatchObject({ direction: 'd2w', t: 'confirm' }) // the dApp's first
  })

  it('every frame opens with its direction’s key (FrameReceiver and the bare AEAD) to the exact JSON text', () => {
    const receivers = {
      w2d: new FrameReceiver({ key: bytes(V.keysHex.w2d) }),
      d2w: new FrameReceiver({ key: bytes(V.keysHex.d2w) }),
    }
    const counters = { w2d: 0, d2w: 0 }
    for (const m of V.conversation) {
      const d = m.direction as Dir
      const frame = bytes(m.frameHex)
      const opened = receivers[d].open(frame, V.nowSeconds)
      expect([opened.epoch, opened.counter]).toEqual([0, counters[d]++])
      expect(new TextDecoder().decode(opened.plaintext)).toBe(m.json)
      const padded = aeadDecrypt(
        bytes(V.keysHex[d]),
        chachaNonce(opened.counter),
        frame.subarray(0, FRAME_HEADER_LEN),
        frame.subarray(FRAME_HEADER_LEN),
      )
      expect(Buffer.from(padded).toString('hex')).toBe(m.paddedHex)
      expect(new TextDecoder().decode(unpad(padded, FRAME_MIN_PADDED))).toBe(m.json)
    }
  })

  it('every message decodes, passes its type’s checks, and re-encodes to the same bytes', () => {
    for (const m of [...V.conversation, ...V.beforeVerification.messages]) {
      const decoded = decodeSessionMessage(new TextEncoder().encode(m.json))
      expect([decoded.v, decoded.t, decoded.seq, decoded.ack]).toEqual([1, m.t, m.seq, m.ack])
      const validate = VALIDATORS[m.t]
      expect(validate).not.toBeUndefined()
      const { v: _v, seq: _s, ack: _a, ...fields } = JSON.parse(m.json)
      if (validate) expect(validate(decoded)).toEqual(fields) // nothing lost or added by the check
      expect(new TextDecoder().decode(encodeSessionMessage(decoded))).toBe(m.json)
    }
  })

  it('seq counts reliable messages per direction from 1 (0 for ack and pong); ack is the other side’s last seq received in order', () => {
    const sent = { w2d: 0, d2w: 0 }
    for (const m of V.conversation) {
      const d = m.direction as Dir
      const other: Dir = d === 'w2d' ? 'd2w' : 'w2d'
      expect(m.seq).toBe(isReliable(m.t as never) ? ++sent[d] : 0)
      expect(m.ack).toBe(sent[other])
    }
    for (const m of V.beforeVerification.messages) expect([m.seq, m.ack]).toEqual([1, 0])
  })

  it('each response carries the hash of its request: base64url(SHA-256(JCS of id, method, params, chainId, expiresAt))', () => {
    const requests = V.conversation.filter((m) => m.t === 'req').map((m) => JSON.parse(m.json))
    expect(requests).toHaveLength(V.exchange.length)
    for (const [i, r] of requests.entries()) {
      const x = V.exchange[i]!
      expect(x.id).toBe(r.id)
      // JCS (RFC 8785) of these values: keys sorted, no whitespace, numbers as integers.
      const { chainId, expiresAt, id, method, params } = r
      expect(x.jcs).toBe(JSON.stringify({ chainId, expiresAt, id, method, params }))
      expect(x.hash).toBe(sha(x.jcs).toString('base64url'))
      expect(requestHash(asRequest(r))).toBe(x.hash)
      expect(Buffer.from(x.id, 'base64url')).toHaveLength(16)
      const res = V.conversation.find((m) => m.t === 'res' && JSON.parse(m.json).id === r.id)
      expect(JSON.parse(res!.json).req).toBe(x.hash)
    }
  })

  it('an unknown type (such as the never specified `update`) is PAYLOAD_MALFORMED; an unknown field is ignored', () => {
    const close = JSON.parse(V.conversation.at(-1)!.json)
    const refused = () =>
      decodeSessionMessage(new TextEncoder().encode(JSON.stringify({ ...close, t: 'update' })))
    expect(refused).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_MALFORMED', details: 't must be a known message type' }),
    )
    const extra = decodeSessionMessage(new TextEncoder().encode(JSON.stringify({ ...close, later: [1] })))
    expect(asClose(extra)).toEqual({ t: 'close', code: 4900, message: 'The dApp ended the session.' })
  })

  it('sign-in at connect (§14.7): the message is viem’s EIP-4361 text for the request, signed by the address; the approve carries it and the dApp accepts it', async () => {
    const { request, address, chainId, message, eip191Hash, signature, approveJson } = V.signIn
    // the request is a valid proposal field, decoded as it is written
    const sample = {
      v: 1,
      dapp: { name: 'Test dApp', url: 'https://dapp.example' },
      required: {},
      optional: {},
    }
    const text = JSON.stringify({ ...sample, expiresAt: V.nowSeconds + 86400, signIn: request })
    const proposal = decodeProposal(new TextEncoder().encode(text))
    expect(proposal.signIn).toEqual(request)
    expect(JSON.parse(new TextDecoder().decode(encodeProposal(proposal))).signIn).toEqual(request)
    // independent code: viem's createSiweMessage, hashMessage and recovery
    const dates = { issuedAt: new Date(request.issuedAt), expirationTime: new Date(request.expirationTime) }
    const siwe = createSiweMessage({
      ...request,
      ...dates,
      address: address as `0x${string}`,
      chainId,
      version: '1',
    })
    expect(message).toBe(siwe)
    expect(signInMessage(request, address, chainId)).toBe(message)
    expect(hashMessage(message)).toBe(eip191Hash)
    expect(await recoverMessageAddress({ message, signature: signature as `0x${string}` })).toBe(address)
    const decoded = decodeSessionMessage(new TextEncoder().encode(approveJson))
    expect([decoded.t, decoded.seq, decoded.ack]).toEqual(['approve', 1, 0])
    const approve = asApprove(decoded)
    expect(approve.signIn).toEqual({ message, signature })
    await expect(checkSignIn(request, approve, siweVerifier(), V.nowSeconds)).resolves.toEqual({
      message,
      signature,
      address,
      chainId,
    })
  })
})
