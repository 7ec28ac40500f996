import { Channel } from '../channel/channel.js'
import { createSide } from '../core/side.js'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { answerPairing, DEFAULT_ANSWER_TIMEOUT_MS } from '../handshakes/walletPairing.js'
import type { Approve } from '../messages/bodies.js'
import { toCaip2 } from '../messages/caip.js'
import { fromBase64Url } from '../protocol/bytes.js'
import type { Proposal } from '../protocol/payloads.js'
import type { SignInRequest } from '../protocol/signIn.js'
import { pairingTopics } from '../protocol/topics.js'
import { parsePairingUri } from '../protocol/uriParse.js'
import { AccountSet } from './accounts.js'
import { offeredMethods } from './methods.js'
import { walletProposal } from './proposal.js'
import { type WalletSessionContext, WalletSessionImpl, type WalletSessionRecord } from './session.js'
import { signedApproval, walletSignIn } from './signIn.js'
import type { Wallet, WalletOptions, WalletProposal } from './types.js'

/** Creates the wallet side. Throws at once on bad options; relay connections open as pairings need them. */
export function createWallet(options: WalletOptions): Wallet {
  const accounts = new AccountSet(options.accounts)
  const side = createSide<WalletSessionImpl>('wallet', options)
  const transports = Object.fromEntries(
    Object.entries(options.transports ?? {}).map(([k, v]) => [toCaip2(/^\d+$/.test(k) ? Number(k) : k), v]),
  )
  const serving = { transportChains: Object.keys(transports), ethSign: options.ethSign === true }
  const context: WalletSessionContext = {
    accounts,
    transports,
    now: side.now,
    timers: side.timers,
    forget: (id) => side.forget(id),
  }

  const used = usedQrCodes(side.now)
  const signInFor = (r: SignInRequest, p: Proposal) =>
    walletSignIn(r, {
      account: accounts.all[0]?.address as `0x${string}`,
      // the chain approve() defaults to: the first required, else the first optional one served
      chainId:
        p.required.eip155?.chains[0] ??
        p.optional.eip155?.chains.find((ch) => side.chains.includes(ch)) ??
        (side.chains[0] as string),
    })

  async function pair(uriText: string): Promise<WalletProposal> {
    side.assertOpen()
    const uri = parsePairingUri(uriText, { nowSeconds: side.now() })
    const relayUrl = uri.relayUrl
    const relay = side.relay(relayUrl)
    const topics = pairingTopics(uri.psk)
    const release = used.claim(topics.w2d, uri.expiresAt)
    const { proposal, result } = await answerPairing({
      relay,
      uri,
      topics,
      wallet: side.metadata,
      random: side.random,
      now: side.now,
      connectTimeoutMs: side.connectTimeoutMs,
      answerTimeoutMs: options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS,
      timers: side.timers,
    }).catch((err) => {
      release() // no dApp took this wallet's message 1: scanning the code again is harmless
      throw err
    })
    let session: WalletSessionImpl | null = null
    let shown: WalletProposal | null = null
    // The proposal listens before the channel subscribes: the dApp's abort may come at once.
    const dappDevice = proposal.device ? fromBase64Url(proposal.device) : null
    await Channel.fromHandshake(result, await side.channelOptions(relay, () => session), (channel) => {
      if (dappDevice) channel.bindPeerDevice(dappDevice) // authenticated: it came in message 2
      const openSession = (approve: Approve) => {
        session = side.sessions.add(
          new WalletSessionImpl(channel, { peer: proposal.dapp, approve, relayUrl }, context),
        )
        return session
      }
      shown = walletProposal({
        channel,
        proposal,
        sas: result.sas,
        chains: side.chains,
        accounts,
        offer: (proposed, chains) => offeredMethods(proposed, chains, serving),
        timers: side.timers,
        now: side.now,
        confirmTimeoutMs: (options.confirmTimeoutSeconds ?? 300) * 1000,
        onClose: (fn) => side.onClose(fn),
        openSession,
        ...(proposal.signIn ? { signIn: signInFor(proposal.signIn, proposal) } : {}),
        sign: (answer) => signedApproval(proposal.signIn, answer, accounts),
      })
    })
    return shown as unknown as WalletProposal
  }

  const restoreSessions = () =>
    side.restore<WalletSessionRecord & { dapp?: WalletSessionRecord['peer'] }>(
      (record) => side.relay(record.relayUrl),
      // Records written before the rename carry the dApp's metadata as `dapp`.
      (record, channel) =>
        new WalletSessionImpl(channel, { ...record, peer: record.peer ?? record.dapp }, context),
    )

  return {
    pair,
    restoreSessions,
    get sessions() {
      return side.sessions.all
    },
    relays: side.relays,
    close: () => side.close(),
  }
}

/**
 * The QR codes this wallet answered, by pairing topic (public), until they expire. Scanning one
 * again would send a second message 1, which burns a pairing in progress and changes nothing on a
 * spent one (§4.4): refused at once with PAIRING_SPENT instead.
 */
function usedQrCodes(now: () => number) {
  const used = new Map<string, number>()
  return {
    claim(topic: string, expiresAt: number): () => void {
      for (const [t, x] of used) if (x <= now()) used.delete(t)
      if (used.has(topic))
        throw new PairlineError(
          ErrorCode.PairingSpent,
          'This wallet already used this QR code: ask the dApp for a new one.',
          { details: 'a QR code pairs once; scanning it again would cancel the pairing' },
        )
      used.set(topic, expiresAt)
      return () => used.delete(topic)
    },
  }
}
