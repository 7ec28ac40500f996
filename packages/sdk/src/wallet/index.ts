/** `@pairline/sdk/wallet`: the wallet side. Signs with the wallet's viem `Account` (viem is a peer). */
export { createWallet, type Wallet, type WalletOptions, type WalletProposal } from './createWallet.js'
export { type WalletRequest, WalletSession, type WalletSessionEvents } from './session.js'
