/**
 * The decoded, validated view of a request (docs/PROTOCOL.md §14.6): what the wallet's UI shows,
 * and exactly what the account is asked to sign. The SDK builds it before the `request` event;
 * a request it cannot build a view for is refused and never shown.
 */
type Hex = `0x${string}`
type Address = `0x${string}`

/** personal_sign (and eth_sign, when the wallet enables it): an EIP-191 personal message. */
export type MessageView = {
  readonly kind: 'message'
  readonly method: 'personal_sign' | 'eth_sign'
  /** the approved account that signs */
  readonly account: Address
  /** the bytes signed, after the "\x19Ethereum Signed Message:\n<length>" prefix */
  readonly raw: Hex
  /** `raw` as text, when it is printable UTF-8; otherwise show `raw` */
  readonly text?: string
  /** 32 bytes: it may be the hash of something else (a transaction, an order). Warn the user. */
  readonly hashLike: boolean
}

export type TypedDataField = { readonly name: string; readonly type: string }

/** eth_signTypedData_v4 / _v3: EIP-712 typed data. `domain.chainId`, when set, is the request's chain. */
export type TypedDataView = {
  readonly kind: 'typedData'
  readonly method: 'eth_signTypedData_v4' | 'eth_signTypedData_v3'
  readonly account: Address
  readonly domain: {
    readonly name?: string
    readonly version?: string
    readonly chainId?: number
    readonly verifyingContract?: Address
    readonly salt?: Hex
  }
  readonly primaryType: string
  /** the struct types, without EIP712Domain */
  readonly types: Readonly<Record<string, readonly TypedDataField[]>>
  readonly message: Readonly<Record<string, unknown>>
  /** the EIP-712 digest the account signs */
  readonly hash: Hex
}

/** eth_sendTransaction / eth_signTransaction, with `data` and `input` as one field. */
export type TransactionView = {
  readonly kind: 'transaction'
  readonly method: 'eth_sendTransaction' | 'eth_signTransaction'
  /** `from`, or the session's first account when the request names none */
  readonly account: Address
  /** the chain signed for (the request's chain, §14.6) */
  readonly chainId: number
  /** null: the transaction creates a contract (`contractCreation`) */
  readonly to: Address | null
  readonly contractCreation: boolean
  /** wei */
  readonly value: bigint
  /** the calldata signed ('0x' when none), whichever of `data` and `input` carried it */
  readonly data: Hex
  /** set only when the dApp gave them; the wallet fills the rest before signing */
  readonly gas?: bigint
  readonly gasPrice?: bigint
  readonly maxFeePerGas?: bigint
  readonly maxPriorityFeePerGas?: bigint
  readonly nonce?: number
}

/** wallet_switchEthereumChain: to another approved chain. */
export type SwitchChainView = { readonly kind: 'switchChain' /** CAIP-2 */; readonly chainId: string }

/** wallet_addEthereumChain (EIP-3085), for an approved chain: what the dApp says about it. */
export type AddChainView = {
  readonly kind: 'addChain'
  /** CAIP-2 */
  readonly chainId: string
  readonly chainName?: string
  readonly rpcUrls: readonly string[]
  readonly blockExplorerUrls: readonly string[]
  readonly nativeCurrency?: { readonly name: string; readonly symbol: string; readonly decimals: number }
}

/** wallet_watchAsset (EIP-747): the dApp asks the wallet to track a token. Its claims are unverified. */
export type WatchAssetView = {
  readonly kind: 'watchAsset'
  readonly type: 'ERC20'
  readonly address: Address
  readonly symbol: string
  readonly decimals: number
  readonly image?: string
}

/** One call of a wallet_sendCalls batch, as it is sent (a transaction from the view's account). */
export type CallView = {
  readonly to: Address | null
  readonly contractCreation: boolean
  /** wei */
  readonly value: bigint
  readonly data: Hex
}

/**
 * wallet_sendCalls (EIP-5792): calls the account sends one by one, in order, as transactions on
 * `chainId` (not atomic: a later call can fail after earlier ones were sent).
 */
export type CallsView = {
  readonly kind: 'calls'
  readonly method: 'wallet_sendCalls'
  readonly account: Address
  readonly chainId: number
  readonly calls: readonly CallView[]
  /** the batch id the dApp chose; otherwise the wallet picks one */
  readonly id?: string
}

/** wallet_showCallsStatus: the dApp asks the wallet to show a batch it sent. */
export type CallsStatusView = { readonly kind: 'callsStatus'; readonly id: string }

export type RequestView =
  | MessageView
  | TypedDataView
  | TransactionView
  | SwitchChainView
  | AddChainView
  | WatchAssetView
  | CallsView
  | CallsStatusView
