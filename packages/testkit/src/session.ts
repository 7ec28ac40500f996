import { createDapp, type DappOptions, type DappSession } from '@pairline/sdk/dapp'
import {
  type ApproveOptions,
  createWallet,
  type Wallet,
  type WalletOptions,
  type WalletSession,
} from '@pairline/sdk/wallet'
import type { RelayFixture } from './relay/inProcess.js'

export interface PairedSessions {
  dapp: ReturnType<typeof createDapp>
  wallet: Wallet
  /** The wallet's side of the approved session. */
  wsession: WalletSession
  /** The dApp's side of the approved session. */
  session: DappSession
}

/**
 * A dApp and a wallet on the fixture's relay, paired and approved (both screens agree), closed by the
 * fixture's clean-up after the test. `dapp` and `wallet` are the options each side is created with
 * (the dApp's `relayUrl` is the fixture's); `approve` is what the wallet approves with.
 */
export async function pairSessions(
  relay: RelayFixture,
  o: { dapp: Omit<DappOptions, 'relayUrl'>; wallet: WalletOptions; approve?: ApproveOptions },
): Promise<PairedSessions> {
  const dapp = createDapp({ relayUrl: relay.url, ...o.dapp })
  const wallet = createWallet(o.wallet)
  relay.cleanup.push(
    () => dapp.close(),
    () => wallet.close(),
  )
  const pairing = await dapp.pair()
  const proposal = await wallet.pair(pairing.uri)
  const [wsession, session] = await Promise.all([proposal.approve(o.approve ?? {}), pairing.confirm()])
  return { dapp, wallet, wsession, session }
}
