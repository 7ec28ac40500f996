import { Channel } from '../channel/channel.js'
import { createSide } from '../core/side.js'
import { answerPairing } from '../handshakes/walletPairing.js'
import type { Approve } from '../messages/bodies.js'
import { toCaip2 } from '../messages/caip.js'
import { parsePairingUri } from '../protocol/uri.js'
import { AccountSet } from './accounts.js'
import { walletProposal } from './proposal.js'
import { type WalletSessionContext, WalletSessionImpl, type WalletSessionRecord } from './session.js'
import type { Wallet, WalletOptions, WalletProposal } from './types.js'

/** Creates the wallet side. Throws at once on bad options; relay connections open as pairings need them. */
export function createWallet(options: WalletOptions): Wallet {
  const accounts = new AccountSet(options.accounts)
  const side = createSide<WalletSessionImpl>('wallet', options)
  const transports = Object.fromEntries(
    Object.entries(options.transports ?? {}).map(([k, v]) => [toCaip2(/^\d+$/.test(k) ? Number(k) : k), v]),
  )
  const context: WalletSessionContext = {
    accounts,
    transports,
    now: side.now,
    forget: (id) => side.forget(id),
  }

  async function pair(uriText: string): Promise<WalletProposal> {
    side.assertOpen()
    const uri = parsePairingUri(uriText, { nowSeconds: side.now() })
    const relayUrl = uri.relayUrl
    const relay = side.relay(relayUrl)
    const { proposal, result } = await answerPairing({
      relay,
      uri,
      wallet: side.metadata,
      random: side.random,
      now: side.now,
      connectTimeoutMs: side.connectTimeoutMs,
    })
    const sas = result.sas
    let session: WalletSessionImpl | null = null
    const channel = await Channel.fromHandshake(
      result,
      side.channelOptions(relay, () => session),
    )
    const openSession = (approve: Approve) => {
      session = side.sessions.add(
        new WalletSessionImpl(channel, { peer: proposal.dapp, approve, relayUrl }, context),
      )
      return session
    }
    return walletProposal({ channel, proposal, sas, chains: side.chains, accounts, openSession })
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
