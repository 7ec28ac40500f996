import * as fc from 'fast-check'
import {
  encodePairingUri,
  type PairingUri,
  pairingPrologue,
  parsePairingUri,
} from '../../packages/sdk/src/protocol/index.js'
import type { Target } from '../harness/types.js'
import { must, SDK, textOf, vectors } from './shared.js'

const host = fc.string({
  unit: fc.constantFrom(..."abcxyz019-._~:/?%@!$&'()*+,;=[]ABC".split('')),
  minLength: 1,
  maxLength: 40,
})

const validUri: fc.Arbitrary<PairingUri> = fc.record(
  {
    version: fc.constant(1 as const),
    responderStatic: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    psk: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    relayUrl: fc
      .tuple(fc.constantFrom('ws://', 'wss://'), host)
      .map(([s, h]) => s + h.replace(/^[/?]+/, 'h')),
    expiresAt: fc.integer({ min: 1, max: 2 ** 40 }),
    chains: fc.uniqueArray(fc.stringMatching(/^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$/), {
      minLength: 1,
      maxLength: 16,
    }),
    methods: fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_]{1,64}$/), { minLength: 1, maxLength: 32 }),
  },
  { requiredKeys: ['version', 'responderStatic', 'psk', 'relayUrl', 'expiresAt'] },
)

function encodeOrEmpty(u: PairingUri): string {
  try {
    return encodePairingUri(u)
  } catch {
    return 'pairline:1?'
  }
}

const base: PairingUri = parsePairingUri(vectors.pairing.uri)

/** The message parsing `text` fails with ('' when it parses). */
function messageOf(text: string): string {
  try {
    parsePairingUri(text)
    return ''
  } catch (err) {
    return err instanceof Error ? err.message : ''
  }
}
const { chains: _, ...withoutChains } = base

/** Pairing URI (§3): strict parse, canonical round trip, and no error message quotes the psk. */
export const uriTarget: Target = {
  name: 'uri',
  files: [`${SDK}/protocol/uri.ts`, `${SDK}/protocol/uriParse.ts`, `${SDK}/protocol/bytes.ts`],
  kind: 'text',
  maxLength: 2200,
  rejects: ['URI_MALFORMED', 'URI_UNSUPPORTED_VERSION', 'URI_NON_CANONICAL'],
  seeds: () => [
    vectors.pairing.uri,
    encodePairingUri({
      ...base,
      chains: ['eip155:1', 'eip155:10'],
      methods: ['personal_sign', 'eth_sendTransaction'],
    }),
    encodePairingUri({ ...withoutChains, relayUrl: 'ws://127.0.0.1:8080/relay?x=1&y=%2' }),
    encodePairingUri({ ...base, relayUrl: `wss://${'r'.repeat(250)}`, expiresAt: 2 ** 40 }),
  ],
  generate: validUri.map(encodeOrEmpty),
  setup: () => ({
    check(input) {
      const text = textOf(input)
      const field = /[?&]k=([^&]*)/.exec(text)
      const psk = field?.[1]
      try {
        const uri = parsePairingUri(text)
        must(encodePairingUri(uri) === text, 'an accepted URI is not canonical (encode(parse(u)) !== u)')
        pairingPrologue(uri)
        return 'accepted'
      } catch (err) {
        if (field && psk && psk.length >= 6 && err instanceof Error && err.message.includes(psk)) {
          // Quoted, or the message's own text (k=pairline: and "must start with pairline:")? The
          // same URI with another psk of the same length must then still say it.
          const start = field.index + 3
          const other = psk.includes('A') ? 'B' : 'A'
          const swapped = `${text.slice(0, start)}${other.repeat(psk.length)}${text.slice(start + psk.length)}`
          must(messageOf(swapped).includes(psk), 'an error message quotes the psk field')
        }
        throw err
      }
    },
  }),
}
