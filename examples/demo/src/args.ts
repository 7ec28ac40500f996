export type DemoArgs = {
  interactive: boolean
  /** An external relay (ws:// or wss://); undefined: start the embedded one. */
  relay: string | undefined
  help: boolean
}

export const USAGE = `Usage: pnpm demo [options]      (also: pnpm demo -- [options])

A dApp and a wallet, both in this process, pair through a Pairline relay (QR code + 6-digit code),
then the dApp signs a message and typed data, sends a transaction and switches chain through viem,
on two local anvil chains (31337 and 31338). Nothing leaves your machine.

Options:
  --interactive      you play the wallet's user: approve the pairing and each request (y/n)
  --relay <ws-url>   use a running relay (e.g. ws://127.0.0.1:8787) instead of the embedded one
  --help             show this help

Exit code 0 when every step was verified, 1 when one failed, 2 on bad options.`

export class UsageError extends Error {
  override name = 'UsageError'
}

/** Parses the demo's flags. `pnpm demo -- --x` may pass a leading `--`: it is skipped. */
export function parseArgs(argv: readonly string[]): DemoArgs {
  const out: DemoArgs = { interactive: false, relay: undefined, help: false }
  const args = [...argv]
  while (args.length > 0) {
    const arg = args.shift() as string
    if (arg === '--') continue
    if (arg === '--help' || arg === '-h') out.help = true
    else if (arg === '--interactive' || arg === '-i') out.interactive = true
    else if (arg === '--relay' || arg.startsWith('--relay=')) {
      const value = arg === '--relay' ? args.shift() : arg.slice('--relay='.length)
      if (!value || value.startsWith('--'))
        throw new UsageError('--relay needs a URL, e.g. --relay ws://127.0.0.1:8787')
      out.relay = checkRelayUrl(value)
    } else throw new UsageError(`Unknown option: ${arg}`)
  }
  return out
}

function checkRelayUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UsageError(`--relay: not a URL: ${value}`)
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    throw new UsageError(`--relay must be a ws:// or wss:// URL, got ${value}`)
  return value
}
