import type { Channel } from '../channel/channel.js'
import { MAX_SESSION_SECONDS } from '../core/lifetime.js'
import { createSide } from '../core/side.js'
import type { Approve } from '../messages/bodies.js'
import { toCaip2 } from '../messages/caip.js'
import { toBase64Url } from '../protocol/bytes.js'
import { assertProposalFits } from '../protocol/handshake.js'
import type { Metadata, Proposal } from '../protocol/payloads.js'
import { DEFAULT_PAIRING_TTL_SECONDS, invalidArgument } from '../protocol/uri.js'
import { WALLET_METHODS } from './methods.js'
import { startPairing } from './pairing.js'
import { ANSWER_GRACE_SECONDS } from './requests.js'
import { type DappSessionContext, DappSessionImpl, type DappSessionRecord } from './session.js'
import { signInRequest } from './signIn.js'
import type { Dapp, DappOptions, Pairing, PairOptions } from './types.js'

const DEFAULT_SESSION_TTL = MAX_SESSION_SECONDS

/** Creates the dApp side. Throws at once on bad options; the relay connection opens in the background. */
export function createDapp(options: DappOptions): Dapp {
  const side = createSide<DappSessionImpl>('dapp', options)
  const chains = side.chains
  const optionalChains = (options.optionalChains ?? []).map(toCaip2).filter((c) => !chains.includes(c))
  const methods = [...(options.methods ?? WALLET_METHODS)]
  const events = [...(options.events ?? ['accountsChanged', 'chainChanged'])]
  const rpcUrls = Object.fromEntries(
    Object.entries(options.rpcUrls ?? {}).map(([k, v]) => [toCaip2(/^\d+$/.test(k) ? Number(k) : k), v]),
  )
  const sessionTtl = options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL
  if (!Number.isSafeInteger(sessionTtl) || sessionTtl < 1 || sessionTtl > MAX_SESSION_SECONDS)
    throw invalidArgument('sessionTtlSeconds must be 1 to 604800 (7 days).', `got ${sessionTtl}`)
  const relay = side.relay(options.relayUrl)
  const context: DappSessionContext = {
    now: side.now,
    timers: side.timers,
    requestTtlSeconds: options.requestTtlSeconds ?? 300,
    answerGraceSeconds: options.answerGraceSeconds ?? ANSWER_GRACE_SECONDS,
    rpcUrls,
    random: side.random,
    invoker: side.metadata.url,
    forget: (id) => side.forget(id),
  }

  const proposal = (device: string): Proposal => ({
    v: 1,
    dapp: side.metadata,
    required: { eip155: { chains: [...chains], methods, events } },
    optional: optionalChains.length ? { eip155: { chains: optionalChains, methods, events } } : {},
    expiresAt: Math.floor(side.now()) + sessionTtl,
    device,
  })
  // Refuse at construction, not after a wallet answered: message 2 cannot carry more (§4.2). The
  // device key (87 characters) is measured with a placeholder of its exact length.
  assertProposalFits(proposal(`B${'A'.repeat(86)}`))

  const approvalTimeoutSeconds = options.approvalTimeoutSeconds ?? 300
  const verify = options.signInVerifier

  async function pair(o: PairOptions = {}): Promise<Pairing> {
    side.assertOpen()
    if (o.signIn && !verify)
      throw invalidArgument(
        'pair({ signIn }) needs signInVerifier in createDapp’s options (siweVerifier() from @pairline/sdk/siwe).',
      )
    const p = proposal(toBase64Url((await side.device()).publicKey))
    if (o.signIn) {
      p.signIn = signInRequest(o.signIn, side.metadata.url, side.random, side.now(), approvalTimeoutSeconds)
      assertProposalFits(p)
    }
    return startPairing({
      side,
      relay,
      relayUrl: options.relayUrl,
      proposal: p,
      ...(p.signIn && verify ? { signIn: { request: p.signIn, verify } } : {}),
      expiresAt: Math.floor(side.now()) + (options.pairingTtlSeconds ?? DEFAULT_PAIRING_TTL_SECONDS),
      approvalTimeoutSeconds,
      openSession: (channel: Channel, peer: Metadata, approve: Approve) =>
        new DappSessionImpl(channel, { peer, approve }, context),
    })
  }

  const restoreSessions = () =>
    side.restore<DappSessionRecord>(
      () => relay,
      (record, channel) => new DappSessionImpl(channel, record, context),
    )

  return {
    pair,
    restoreSessions,
    get sessions() {
      return side.sessions.all
    },
    relay,
    close: () => side.close(),
  }
}
