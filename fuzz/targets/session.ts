import * as fc from 'fast-check'
import {
  asAbort,
  asApprove,
  asClose,
  asEvent,
  asExtend,
  asReject,
  asRequest,
  asResponse,
} from '../../packages/sdk/src/messages/bodies.js'
import {
  decodeSessionMessage,
  encodeSessionMessage,
  type SessionMessage,
} from '../../packages/sdk/src/messages/envelope.js'
import { requestHash } from '../../packages/sdk/src/messages/requestId.js'
import { decodeRecord, encodeRecord } from '../../packages/sdk/src/records/record.js'
import { transactionView } from '../../packages/sdk/src/wallet/view/transaction.js'
import type { Target } from '../harness/types.js'
import { bytesOf, must, SDK } from './shared.js'

const utf8 = new TextEncoder()
const json = (v: unknown) => utf8.encode(JSON.stringify(v))
const ADDRESS = `0x${'11'.repeat(20)}`
const env = { v: 1, seq: 3, ack: 2 }
/** A request id: 16 bytes, base64url (§14.5); ids are strings since issue 10. */
const ID = 'AAECAwQFBgcICQoLDA0ODw'
const req = (method: string, params: unknown) => ({
  ...env,
  t: 'req',
  id: ID,
  method,
  params,
  chainId: 'eip155:1',
  expiresAt: 1_800_000_300,
})
const TX = { from: ADDRESS, to: ADDRESS, value: '0x1', data: '0xabcdef', gas: '0x5208', nonce: '0x0' }

/** The hash (§14.5) a `res` carries: of the personal_sign request below. */
const HASH = requestHash(req('personal_sign', ['0x68656c6c6f', ADDRESS]))

/** One message of every type, and JSON-RPC bodies the wallet decodes (§14.2). */
const APPROVE = {
  ...env,
  t: 'approve',
  accounts: [`eip155:1:${ADDRESS}`],
  chains: ['eip155:1'],
  methods: ['personal_sign'],
  events: ['chainChanged'],
  chainId: 'eip155:1',
  expiresAt: 1_800_604_800,
}

const SESSION_SEEDS = [
  APPROVE,
  // with the wallet's device key (§8.3) and a sign-in at connect (§14.7)
  {
    ...APPROVE,
    device: `BA${'A'.repeat(85)}`,
    signIn: {
      message: `dapp.example wants you to sign in with your Ethereum account:\n${ADDRESS}\n\nURI: https://dapp.example\nVersion: 1\nChain ID: 1\nNonce: 0123456789abcdef\nIssued At: 2027-01-15T08:00:00.000Z`,
      signature: `0x${'cd'.repeat(65)}`,
    },
  },
  { ...env, t: 'reject', code: 4001, message: 'User rejected' },
  req('personal_sign', ['0x68656c6c6f', ADDRESS]),
  req('eth_sendTransaction', [TX]),
  req('eth_signTypedData_v4', [
    ADDRESS,
    JSON.stringify({ types: { EIP712Domain: [] }, primaryType: 'EIP712Domain', domain: {}, message: {} }),
  ]),
  { ...env, t: 'res', id: ID, req: HASH, result: `0x${'ab'.repeat(65)}` },
  {
    ...env,
    t: 'res',
    id: ID,
    req: HASH,
    error: { code: 4001, message: 'User rejected the request.', data: { x: 1 } },
  },
  { ...env, t: 'confirm' },
  { ...env, t: 'abort', reason: 'burned' },
  { ...env, t: 'abort', reason: 'sign-in-failed' },
  { ...env, t: 'event', name: 'chainChanged', data: '0x1' },
  { ...env, t: 'event', name: 'accountsChanged', data: [ADDRESS] },
  { ...env, t: 'extend', expiresAt: 1_800_700_000 },
  { ...env, t: 'ping' },
  { v: 1, t: 'pong', seq: 0, ack: 3 },
  { v: 1, t: 'ack', seq: 0, ack: 3 },
  { ...env, t: 'close', code: 4900, message: 'The dApp disconnected.' },
]

const BODIES: Record<string, (m: SessionMessage) => unknown> = {
  abort: asAbort,
  approve: asApprove,
  reject: asReject,
  req: asRequest,
  res: asResponse,
  event: asEvent,
  extend: asExtend,
  close: asClose,
}

/**
 * Session messages after decryption (§14): the envelope, then the body of its type. What is
 * accepted must also be storable: the sides persist received requests with the session record.
 */
export { SESSION_SEEDS }
export const sessionMessageTarget: Target = {
  name: 'session-message',
  files: [`${SDK}/messages/envelope.ts`, `${SDK}/messages/bodies.ts`, `${SDK}/protocol/json.ts`],
  kind: 'json',
  maxLength: 60_000,
  rejects: ['PAYLOAD_MALFORMED'],
  seeds: () => SESSION_SEEDS.map(json),
  generate: fc.constantFrom(...SESSION_SEEDS).chain((m) =>
    fc.record({ seq: fc.nat(), ack: fc.nat(), extra: fc.jsonValue({ maxDepth: 3 }) }).map((o) =>
      json({
        ...m,
        seq: o.seq,
        ack: o.ack,
        ...(m.t === 'req' ? { params: [o.extra] } : { data: o.extra }),
      }),
    ),
  ),
  setup: () => ({
    check(input) {
      const m = decodeSessionMessage(bytesOf(input))
      const body = BODIES[m.t]?.(m) ?? m
      encodeRecord({ message: m, body }, new Uint8Array(32))
      encodeSessionMessage(m)
      return `accepted ${m.t}`
    },
  }),
}

/** An eth_sendTransaction's transaction, as the wallet decodes it into the view it shows and signs (§14.6). */
export const rpcTransactionTarget: Target = {
  name: 'rpc-transaction',
  files: [`${SDK}/wallet/view/transaction.ts`],
  kind: 'json',
  maxLength: 4000,
  // malformed, or a `from` the session did not approve
  rejects: ['rpc:-32602', 'rpc:4100'],
  seeds: () => [
    json(TX),
    json({ to: null, data: '0x', value: '0x0' }),
    json({ maxFeePerGas: '0x1', maxPriorityFeePerGas: '0x1', gasPrice: '0x2' }),
  ],
  setup: () => ({
    check(input) {
      let params: unknown
      try {
        params = JSON.parse(new TextDecoder().decode(bytesOf(input)))
      } catch {
        return 'not JSON (never reaches the wallet: the session message would not decode)'
      }
      const scope = { accounts: [ADDRESS as `0x${string}`], chainId: 'eip155:1', chains: ['eip155:1'] }
      const view = transactionView('eth_sendTransaction', [params], scope)
      must(view.chainId === 1 && view.account === ADDRESS, 'a view for another chain or account')
      must(/^0x([0-9a-f]{2})*$/.test(view.data), 'calldata that is not whole bytes')
      return 'accepted'
    },
  }),
}

/** The stored session record (§14.4): u32be(n) ‖ JSON ‖ resume psk, after unsealing. */
export const recordTarget: Target = {
  name: 'record',
  files: [`${SDK}/records/record.ts`],
  kind: 'bytes',
  maxLength: 70_000,
  rejects: ['STORAGE_FAILED'],
  seeds: () => [
    encodeRecord(
      { channel: { role: 'wallet', sendSeq: 1, unacked: [] }, expiresAt: 1_800_604_800 },
      new Uint8Array(32).fill(9),
    ),
    encodeRecord({}, new Uint8Array(32)),
    // current, candidate and one retired resume psk (§14.4)
    encodeRecord({ channel: { resume: { gen: 1 } } }, new Uint8Array(96).fill(5)),
  ],
  setup: () => ({
    check(input) {
      const b = bytesOf(input)
      const { json: value, secret } = decodeRecord<unknown>(b)
      must(secret.length >= 32 && secret.length % 32 === 0, 'a record without its 32-byte resume psks')
      must(value !== undefined, 'a record without JSON')
      return 'accepted'
    },
  }),
}
