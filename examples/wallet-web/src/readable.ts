import type { RequestView, WalletRequest } from '@pairline/sdk/wallet'
import { formatEther, formatGwei } from 'viem'

export type Readable = { summary: string; details: [string, string][] }

function fieldText(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint'
    ? String(v)
    : JSON.stringify(v)
}

/**
 * The request as a person should see it before approving, from the SDK's decoded view: exactly
 * what `approve()` signs (docs/PROTOCOL.md §14.6). Nothing here parses the dApp's params.
 */
export function readable(r: WalletRequest, chainLabel: (caip2: string) => string): Readable {
  const v: RequestView = r.view
  switch (v.kind) {
    case 'message':
      return {
        summary: v.text !== undefined ? `Sign the message “${v.text}”` : 'Sign binary data',
        details: [
          ['message', v.text ?? v.raw],
          ...(v.hashLike
            ? ([['warning', '32 bytes: this may be the hash of a transaction or an order']] as [
                string,
                string,
              ][])
            : []),
          ['account', v.account],
        ],
      }
    case 'typedData':
      return {
        summary: `Sign typed data: ${v.primaryType}`,
        details: [
          ['primaryType', v.primaryType],
          ...Object.entries(v.message).map(([k, x]): [string, string] => [k, fieldText(x)]),
          ...Object.entries(v.domain).map(([k, x]): [string, string] => [`domain.${k}`, fieldText(x)]),
          ['account', v.account],
        ],
      }
    case 'transaction': {
      const value = formatEther(v.value)
      const verb = v.method === 'eth_sendTransaction' ? 'Send' : 'Sign a transaction sending'
      const details: [string, string][] = [
        ['to', v.to ?? '(contract creation)'],
        ['value', `${value} ETH`],
        ['chain', chainLabel(`eip155:${v.chainId}`)],
        ['from', v.account],
      ]
      if (v.data !== '0x') details.push(['data', v.data])
      if (v.gas !== undefined) details.push(['gas', String(v.gas)])
      if (v.maxFeePerGas !== undefined) details.push(['maxFeePerGas', `${formatGwei(v.maxFeePerGas)} gwei`])
      if (v.gasPrice !== undefined) details.push(['gasPrice', `${formatGwei(v.gasPrice)} gwei`])
      return { summary: `${verb} ${value} ETH to ${v.to ?? 'a new contract'}`, details }
    }
    case 'switchChain':
      return { summary: `Switch to chain ${chainLabel(v.chainId)}`, details: [['chainId', v.chainId]] }
    case 'addChain':
      return {
        summary: `Add chain ${v.chainName ?? chainLabel(v.chainId)}`,
        details: [
          ['chainId', v.chainId],
          ['rpcUrls', v.rpcUrls.join(', ')],
        ],
      }
    case 'watchAsset':
      return {
        summary: `Watch the token ${v.symbol} (as the dApp describes it)`,
        details: [
          ['address', v.address],
          ['symbol', v.symbol],
          ['decimals', String(v.decimals)],
        ],
      }
    case 'calls':
      return {
        summary: `Send ${v.calls.length} calls, one by one`,
        details: [
          ['from', v.account],
          ['chain', chainLabel(`eip155:${v.chainId}`)],
          ...v.calls.map((c, i): [string, string] => [
            `call ${i + 1}`,
            `${formatEther(c.value)} ETH to ${c.to ?? '(contract creation)'}${c.data !== '0x' ? ` with data ${c.data}` : ''}`,
          ]),
        ],
      }
    case 'callsStatus':
      return { summary: 'Show the status of sent calls', details: [['id', v.id]] }
  }
}
