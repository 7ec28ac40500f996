import { type Account, keccak256, type Transport } from 'viem'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { ProviderRpcError, RpcCode } from '../errors/provider.js'
import type { RpcRequest } from '../messages/bodies.js'
import { type BatchStore, callsStatus } from './batches.js'
import { capabilities } from './capabilities.js'
import type { Inspected } from './requests.js'
import { type SignContext, sendView, signView } from './sign.js'
import { callsIdOf } from './view/calls.js'
import { decodeRequest } from './view/decode.js'
import type { ViewScope } from './view/scope.js'
import type { CallsView, RequestView } from './view/types.js'

type Hex = `0x${string}`

/** What serving a request needs of its session. */
export type ServeHost = {
  readonly methods: readonly string[]
  readonly chains: readonly string[]
  readonly chainId: string
  readonly accounts: readonly Hex[]
  readonly transports: Readonly<Record<string, Transport>>
  readonly batches: BatchStore
  /** the session's accounts as the wallet's viem Accounts */
  signers(): Account[]
  persist(): Promise<boolean>
  switchChain(chainId: string): Promise<void>
}

const noTransport = (chain: string) =>
  new ProviderRpcError(
    RpcCode.ChainDisconnected,
    `This wallet has no RPC transport for chain ${chain.slice(7)}.`,
  )

/**
 * The rules a dApp cannot bend (docs/PROTOCOL.md §14.6), checked before the user sees anything:
 * an offered method, the session's current chain, a view (approved accounts, `domain.chainId` the
 * request's chain, well-formed params), a transport for what needs one. Queries are answered at once.
 */
export function inspectRequest(r: RpcRequest, h: ServeHost): Inspected {
  if (!h.methods.includes(r.method))
    throw new ProviderRpcError(
      RpcCode.UnsupportedMethod,
      `The wallet does not offer ${r.method} in this session.`,
    )
  if (!h.chains.includes(r.chainId))
    throw new ProviderRpcError(RpcCode.UnrecognizedChain, `${r.chainId} is not approved.`)
  if (r.chainId !== h.chainId)
    throw new ProviderRpcError(
      RpcCode.UnrecognizedChain,
      `The request is for ${r.chainId}; the wallet's current chain is ${h.chainId}.`,
    )
  const scope: ViewScope = { accounts: h.accounts, chainId: r.chainId, chains: h.chains }
  if (r.method === 'wallet_getCapabilities') {
    const answer = capabilities(r.params, scope, Object.keys(h.transports))
    return { answer: async () => answer }
  }
  if (r.method === 'wallet_getCallsStatus') {
    const batch = h.batches.get(callsIdOf(r.method, r.params))
    return { answer: () => callsStatus(batch, h.transports[batch.chainId]) }
  }
  const view = decodeRequest(r.method, r.params, scope)
  if ((view.kind === 'transaction' || view.kind === 'calls') && !h.transports[r.chainId])
    throw noTransport(r.chainId)
  if (view.kind === 'calls' && view.id !== undefined && h.batches.has(view.id))
    throw new ProviderRpcError(RpcCode.DuplicateCallsId, 'A batch of calls with that id was already sent.')
  if (view.kind === 'callsStatus') h.batches.get(view.id)
  return { view }
}

/** Carries out what the view shows (and only that), with the session's accounts. */
export function carryOutView(
  r: RpcRequest,
  view: RequestView,
  h: ServeHost,
  beforeBroadcast: (raw: Hex) => Promise<void>,
): Promise<unknown> {
  const ctx: SignContext = { accounts: h.signers(), transport: h.transports[r.chainId], beforeBroadcast }
  switch (view.kind) {
    case 'message':
    case 'typedData':
      return signView(view, ctx)
    case 'transaction':
      return sendView(view, ctx)
    case 'calls':
      return sendCalls(r, view, h, ctx)
    case 'switchChain':
      return h.switchChain(view.chainId).then(() => null)
    case 'addChain':
      return Promise.resolve(null) // an approved chain: the wallet knows it already
    case 'watchAsset':
      return Promise.resolve(true) // the app tracks the token; the user approved it
    case 'callsStatus':
      return Promise.resolve(null) // the app showed it
  }
}

/**
 * wallet_sendCalls with a plain account: each call a transaction, in order, its hash written
 * before it is broadcast. A call that fails before anything was sent fails the request; after
 * some were sent the batch stops there (its status says so: 600) and the dApp gets the id.
 */
async function sendCalls(
  r: RpcRequest,
  view: CallsView,
  h: ServeHost,
  ctx: SignContext,
): Promise<{ id: string }> {
  const id = view.id ?? r.id
  const batch = h.batches.add({ id, chainId: r.chainId, count: view.calls.length, hashes: [] })
  for (const call of view.calls) {
    const tx = {
      kind: 'transaction',
      method: 'eth_sendTransaction',
      account: view.account,
      chainId: view.chainId,
      ...call,
    } as const
    try {
      await sendView(tx, {
        ...ctx,
        beforeBroadcast: async (raw) => {
          batch.hashes.push(keccak256(raw))
          if (await h.persist()) return
          batch.hashes.pop()
          throw new PairlineError(
            ErrorCode.StorageFailed,
            'The call could not be recorded, so it was not sent.',
          )
        },
      })
    } catch (err) {
      if (batch.hashes.length === 0) {
        h.batches.drop(id)
        throw err
      }
      batch.stopped = true
      await h.persist()
      break
    }
  }
  return { id }
}
