import { describe, expect, it } from 'vitest'
import cacophony from '../../../vectors/noise/cacophony-selected.json' with { type: 'json' }
import noiseC from '../../../vectors/noise/noise-c-selected.json' with { type: 'json' }
import snow from '../../../vectors/noise/snow-selected.json' with { type: 'json' }
import type { CipherState } from './cipherState.js'
import { keyPairFromPrivate } from './dh.js'
import { HandshakeState } from './handshakeState.js'
import { PATTERNS, type PatternName } from './patterns.js'
import { BLAKE2S, SHA256 } from './suite.js'

type Vector = {
  protocol_name?: string
  name?: string
  init_prologue: string
  init_psks?: string[]
  init_static?: string
  init_ephemeral: string
  init_remote_static?: string
  resp_prologue: string
  resp_psks?: string[]
  resp_static?: string
  resp_ephemeral: string
  handshake_hash?: string
  messages: { payload: string; ciphertext: string }[]
}

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex')

function run(v: Vector) {
  const name = (v.protocol_name ?? v.name) as string
  const [, patternName, dhName, cipherName, hashName] = name.split('_') as [
    string,
    PatternName,
    string,
    string,
    string,
  ]
  expect(dhName).toBe('25519')
  expect(cipherName).toBe('ChaChaPoly')
  const pattern = PATTERNS[patternName]
  const hash = hashName === 'BLAKE2s' ? BLAKE2S : SHA256
  const key = (k?: string) => (k ? keyPairFromPrivate(hex(k)) : undefined)
  const opt = <T>(k: string, value: T | undefined) => (value === undefined ? {} : { [k]: value })
  const init = new HandshakeState({
    pattern,
    initiator: true,
    hash,
    prologue: hex(v.init_prologue),
    psks: (v.init_psks ?? []).map(hex),
    ...opt('s', key(v.init_static)),
    ...opt('e', key(v.init_ephemeral)),
    ...opt('rs', v.init_remote_static ? hex(v.init_remote_static) : undefined),
  })
  const resp = new HandshakeState({
    pattern,
    initiator: false,
    hash,
    prologue: hex(v.resp_prologue),
    psks: (v.resp_psks ?? []).map(hex),
    ...opt('s', key(v.resp_static)),
    ...opt('e', key(v.resp_ephemeral)),
  })
  expect(init.protocolName).toBe(name)
  let i = 0
  let checked = 0
  // Handshake phase: the writer alternates, starting with the initiator.
  for (; i < pattern.messages.length; i++) {
    const m = v.messages[i]!
    const [writer, reader] = i % 2 === 0 ? [init, resp] : [resp, init]
    const ct = writer.writeMessage(hex(m.payload))
    expect(toHex(ct)).toBe(m.ciphertext)
    expect(toHex(reader.readMessage(ct))).toBe(m.payload)
    checked++
  }
  const hashes = [toHex(init.handshakeHash), toHex(resp.handshakeHash)]
  const a = init.split()
  const b = resp.split()
  if (v.handshake_hash) {
    expect(hashes).toEqual([v.handshake_hash, v.handshake_hash])
    checked++
  }
  // Transport phase: messages keep alternating from where the handshake left off.
  const send: Record<'init' | 'resp', CipherState> = { init: a.c1, resp: b.c2 }
  const recv: Record<'init' | 'resp', CipherState> = { init: b.c1, resp: a.c2 }
  for (; i < v.messages.length; i++) {
    const m = v.messages[i]!
    const who = i % 2 === 0 ? 'init' : 'resp'
    const ct = send[who].encryptWithAd(new Uint8Array(0), hex(m.payload))
    expect(toHex(ct)).toBe(m.ciphertext)
    expect(toHex(recv[who].decryptWithAd(new Uint8Array(0), ct))).toBe(m.payload)
    checked++
  }
  return checked
}

const sources = [
  ['cacophony', cacophony.vectors as Vector[]],
  ['snow', snow.vectors as Vector[]],
  ['noise-c', noiseC.vectors as Vector[]],
] as const

describe('official Noise vectors', () => {
  for (const [source, vectors] of sources) {
    for (const v of vectors) {
      it(`${source}: ${v.protocol_name ?? v.name}`, () => {
        const checks = run(v)
        expect(checks).toBe(v.messages.length + (v.handshake_hash ? 1 : 0))
      })
    }
  }

  it('covers every vector in the files (7 + 2 + 2)', () => {
    expect(sources.map(([, v]) => v.length)).toEqual([7, 2, 2])
  })
})
