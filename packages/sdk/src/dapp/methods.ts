/** Methods the wallet answers; each must be among the methods the wallet approved. */
export const WALLET_METHODS = [
  'personal_sign',
  'eth_signTypedData_v4',
  'eth_signTypedData_v3',
  'eth_sendTransaction',
  'eth_signTransaction',
  'wallet_switchEthereumChain',
  'wallet_addEthereumChain',
  'wallet_watchAsset',
  'wallet_getCapabilities',
  'wallet_sendCalls',
  'wallet_getCallsStatus',
  'wallet_showCallsStatus',
  // offered only by wallets that enable it (blind signing, docs/PROTOCOL.md §14.6)
  'eth_sign',
] as const satisfies readonly string[]
Object.freeze(WALLET_METHODS)

/** Read-only methods: answered by the dApp's own RPC endpoint, never sent to the wallet. */
export const READ_ONLY_METHODS: readonly string[] = Object.freeze([
  'eth_blockNumber',
  'eth_call',
  'eth_estimateGas',
  'eth_feeHistory',
  'eth_gasPrice',
  'eth_getBalance',
  'eth_getBlockByHash',
  'eth_getBlockByNumber',
  'eth_getCode',
  'eth_getLogs',
  'eth_getStorageAt',
  'eth_getTransactionByHash',
  'eth_getTransactionCount',
  'eth_getTransactionReceipt',
  'eth_maxPriorityFeePerGas',
  'eth_blobBaseFee',
  'net_listening',
  'web3_clientVersion',
])
const READ_ONLY = new Set(READ_ONLY_METHODS)

/** True for a method answered by the dApp's own RPC endpoint. */
export const isReadOnly = (method: string): boolean => READ_ONLY.has(method)
