import { ProviderRpcError, RpcCode } from '../errors/provider.js'

/** Sends a read-only call to the dApp's own JSON-RPC endpoint (never to the wallet). */
export async function forward(url: string, method: string, params: unknown): Promise<unknown> {
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: params ?? [] }),
    })
  } catch (cause) {
    throw new ProviderRpcError(RpcCode.ChainDisconnected, 'The dApp’s RPC endpoint could not be reached.', {
      cause,
    })
  }
  const body = (await response.json().catch(() => null)) as {
    result?: unknown
    error?: { code: number; message: string; data?: unknown }
  } | null
  if (!body)
    throw new ProviderRpcError(RpcCode.Internal, `The RPC endpoint answered HTTP ${response.status}.`)
  if (body.error) throw new ProviderRpcError(body.error.code, body.error.message, { data: body.error.data })
  return body.result
}
