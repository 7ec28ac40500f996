import * as fc from 'fast-check'
import {
  decodeHello,
  decodeProposal,
  encodeHello,
  encodeProposal,
  type Metadata,
  type Namespaces,
} from '../../packages/sdk/src/protocol/index.js'
import type { Target } from '../harness/types.js'
import { bytesOf, must, SDK, vectors } from './shared.js'

const utf8 = new TextEncoder()
const json = (v: unknown) => utf8.encode(JSON.stringify(v))

const name = fc.string({ minLength: 1, maxLength: 64 })
const url = fc.stringMatching(/^https:\/\/[a-z]{1,20}\.example(\/[\x21-\x7e]{0,30})?$/)
const metadata: fc.Arbitrary<Metadata> = fc.record(
  {
    name,
    url,
    icons: fc.uniqueArray(url, { maxLength: 4 }),
    description: fc.string({ minLength: 1, maxLength: 256 }),
  },
  { requiredKeys: ['name', 'url'] },
)
const ids = (re: RegExp, max: number) => fc.uniqueArray(fc.stringMatching(re), { maxLength: max })
const namespaces: fc.Arbitrary<Namespaces> = fc
  .uniqueArray(fc.stringMatching(/^[-a-z0-9]{3,8}$/), { maxLength: 3 })
  .chain((keys) =>
    fc
      .tuple(
        ...keys.map((ns) =>
          fc.record({
            chains: fc.uniqueArray(
              fc.stringMatching(/^[-_a-zA-Z0-9]{1,32}$/).map((r) => `${ns}:${r}`),
              {
                maxLength: 4,
              },
            ),
            methods: ids(/^[A-Za-z0-9_]{1,64}$/, 4),
            events: ids(/^[A-Za-z0-9_]{1,64}$/, 4),
          }),
        ),
      )
      .map((values) => Object.fromEntries(keys.map((k, i) => [k, values[i]!]))),
  )

const files = [`${SDK}/protocol/payloads.ts`, `${SDK}/protocol/json.ts`, `${SDK}/protocol/signIn.ts`]

/** A proposal's sign-in at connect (§4.3, §14.7), every optional field present. */
const SIGN_IN = {
  domain: 'dapp.example:8443',
  uri: 'https://dapp.example/login',
  statement: 'Sign in to Test dApp.',
  nonce: '0123456789abcdef01234567',
  issuedAt: '2027-01-15T08:00:00.000Z',
  expirationTime: '2027-01-15T08:05:00.000Z',
  notBefore: '2027-01-15T07:59:00.000Z',
  requestId: 'login-1',
  resources: [
    'https://dapp.example/terms',
    'ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
  ],
}
const iso = fc
  .integer({ min: 0, max: 4_102_444_800_000 })
  .map((ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString())
const signIn = fc.record(
  {
    domain: fc.stringMatching(/^[a-z0-9.-]{1,40}(:\d{1,5})?$/),
    uri: url,
    statement: fc.stringMatching(/^[ -~]{1,80}$/),
    nonce: fc.stringMatching(/^[A-Za-z0-9]{8,64}$/),
    issuedAt: iso,
    expirationTime: iso,
    notBefore: iso,
    requestId: fc.stringMatching(/^[ -~]{1,40}$/),
    resources: fc.array(url, { maxLength: 8 }),
  },
  { requiredKeys: ['domain', 'uri', 'nonce', 'issuedAt'] },
)

/** Handshake payloads after the AEAD (§4.3): strict schema, and what decodes re-encodes. */
export const helloPayloadTarget: Target = {
  name: 'hello-payload',
  files,
  kind: 'json',
  maxLength: 9000,
  rejects: ['PAYLOAD_MALFORMED'],
  seeds: () => [
    utf8.encode(vectors.handshake.helloText),
    json({
      v: 1,
      wallet: { name: 'W', url: 'http://w.example', icons: ['https://w.example/i.png'], description: 'd' },
    }),
  ],
  generate: metadata.map((wallet) => json({ v: 1, wallet })),
  setup: () => ({
    check(input) {
      const hello = decodeHello(bytesOf(input))
      const again = decodeHello(encodeHello(hello))
      must(JSON.stringify(again) === JSON.stringify(hello), 'a decoded hello does not survive re-encoding')
      return 'accepted'
    },
  }),
}

export const proposalPayloadTarget: Target = {
  name: 'proposal-payload',
  files,
  kind: 'json',
  maxLength: 9000,
  rejects: ['PAYLOAD_MALFORMED'],
  seeds: () => [
    utf8.encode(vectors.handshake.proposalText),
    json({ ...JSON.parse(vectors.handshake.proposalText), signIn: SIGN_IN }),
  ],
  generate: fc
    .record(
      {
        dapp: metadata,
        required: namespaces,
        optional: namespaces,
        expiresAt: fc.integer({ min: 1, max: 2 ** 40 }),
        signIn,
      },
      { requiredKeys: ['dapp', 'required', 'optional', 'expiresAt'] },
    )
    .map((p) => json({ v: 1, ...p })),
  setup: () => ({
    check(input) {
      const proposal = decodeProposal(bytesOf(input))
      const again = decodeProposal(encodeProposal(proposal))
      must(
        JSON.stringify(again) === JSON.stringify(proposal),
        'a decoded proposal does not survive re-encoding',
      )
      return 'accepted'
    },
  }),
}
