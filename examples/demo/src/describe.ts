import type { RequestView, WalletRequest } from '@pairline/sdk/wallet'
import { formatEther, formatGwei } from 'viem'

/**
 * What a wallet shows its user before approving a request, from the SDK's decoded view: exactly
 * what `approve()` signs (docs/PROTOCOL.md §14.6). Nothing here parses the dApp's params.
 */
export function describeRequest(req: WalletRequest): string[] {
  return [`${req.method} on ${req.chainId}`, ...describeView(req.view)]
}

function describeView(v: RequestView): string[] {
  switch (v.kind) {
    case 'message':
      return [
        v.text !== undefined
          ? `sign the text ${quote(v.text)}`
          : `sign ${(v.raw.length - 2) / 2} bytes ${truncate(v.raw)}`,
        ...(v.hashLike ? ['warning: 32 bytes, may be the hash of a transaction or an order'] : []),
        `as ${v.account}`,
      ]
    case 'typedData': {
      const d = v.domain
      return [
        `sign typed data ${v.primaryType} for ${d.name ?? '?'} v${d.version ?? '?'} (chain ${d.chainId ?? '-'}, contract ${d.verifyingContract ?? '-'})`,
        ...Object.entries(v.message).map(([k, x]) => `  ${k}: ${fieldText(x)}`),
        `as ${v.account}`,
      ]
    }
    case 'transaction': {
      const fees = [
        v.gas !== undefined ? `gas ${v.gas}` : '',
        v.maxFeePerGas !== undefined ? `max fee ${formatGwei(v.maxFeePerGas)} gwei` : '',
        v.gasPrice !== undefined ? `gas price ${formatGwei(v.gasPrice)} gwei` : '',
      ].filter(Boolean)
      const bytes = (v.data.length - 2) / 2
      return [
        v.contractCreation
          ? `create a contract (${bytes} bytes of code), sending ${formatEther(v.value)} ETH`
          : `send ${formatEther(v.value)} ETH to ${v.to}`,
        `from ${v.account} on chain ${v.chainId}${bytes && !v.contractCreation ? `, with ${bytes} bytes of data` : v.contractCreation ? '' : ', no data'}`,
        ...(fees.length ? [fees.join(', ')] : []),
      ]
    }
    case 'switchChain':
      return [`switch the session to ${v.chainId}`]
    case 'addChain':
      return [`add ${v.chainName ?? v.chainId} (${v.chainId}), RPC ${v.rpcUrls.join(', ') || '-'}`]
    case 'watchAsset':
      return [`watch the token ${quote(v.symbol)} (${v.decimals} decimals) at ${v.address}, as the dApp says`]
    case 'calls':
      return [
        `send ${v.calls.length} calls one by one from ${v.account} on chain ${v.chainId}:`,
        ...v.calls.map(
          (c, i) =>
            `  ${i + 1}. ${formatEther(c.value)} ETH to ${c.to ?? '(contract creation)'}${c.data !== '0x' ? `, ${(c.data.length - 2) / 2} bytes of data` : ''}`,
        ),
      ]
    case 'callsStatus':
      return [`show the status of the calls ${v.id}`]
  }
}

function fieldText(v: unknown): string {
  return typeof v === 'string' ? quote(v) : truncate(JSON.stringify(v))
}

function quote(text: string): string {
  return JSON.stringify(truncate(text, 200))
}

function truncate(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
