/**
 * A real dApp and wallet (createDapp, createWallet with a viem local account) and one pairing
 * between them, QR to both sessions: what the pairing rows measure, in this process (Node:
 * node:crypto) and in pureJsChild.ts (`--conditions=pairline-pure-js`: noble, as browsers run it).
 */
import { createDapp, type DappSession, type Storage } from '@pairline/sdk'
import { createWallet, type WalletSession } from '@pairline/sdk/wallet'
import { privateKeyToAccount } from 'viem/accounts'

export const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as const
const META = { name: 'bench', url: 'https://bench.example' }

export type Apps = { dapp: ReturnType<typeof createDapp>; wallet: ReturnType<typeof createWallet> }

export type WebSocketConstructor = NonNullable<
  NonNullable<Parameters<typeof createDapp>[0]['relay']>['WebSocket']
>

/** A side's storage and WebSocket, when the caller counts their writes. */
export type Counted = { storage: Storage; socket: WebSocketConstructor }

export function apps(relayUrl: string, dappSide?: Counted, walletSide?: Counted): Apps {
  return {
    dapp: createDapp({
      relayUrl,
      metadata: META,
      chains: [1],
      ...(dappSide ? { storage: dappSide.storage, relay: { WebSocket: dappSide.socket } } : {}),
    }),
    wallet: createWallet({
      metadata: META,
      accounts: [privateKeyToAccount(KEY)],
      chains: [1],
      ...(walletSide ? { storage: walletSide.storage, relay: { WebSocket: walletSide.socket } } : {}),
    }),
  }
}

/** One pairing between apps that already exist (their relay connections open): QR to both sessions. */
export async function pairOnce({ dapp, wallet }: Apps) {
  const pairing = await dapp.pair()
  const proposal = await wallet.pair(pairing.uri)
  const [wsession, session] = await Promise.all([proposal.approve(), pairing.confirm()])
  return { wsession: wsession as WalletSession, session: session as DappSession }
}
