/**
 * `pnpm demo:web`: a relay, two anvil chains and both example pages, on 127.0.0.1. Open the dApp,
 * click Connect, then paste its link into the wallet page (or save the QR code as an image and load it
 * there). Ctrl-C stops everything.
 */
import { startWebStack } from './stack.js'

const stack = await startWebStack({ watch: true, logLevel: 'warn' })

console.log(`
Pairline browser demo

  dApp page     ${stack.dappUrl}
  wagmi dApp    ${stack.wagmiUrl}   (the wagmi connector and the connect modal)
  wallet page   ${stack.walletUrl}

  relay         ${stack.config.relayUrl}
${stack.config.chains.map((c) => `  chain ${c.id}   ${c.rpcUrl}  (${c.name})`).join('\n')}

The wallet signs with anvil's public dev key 0: for local development only.
Press Ctrl-C to stop.
`)

let stopping = false
async function stop(signal: string): Promise<void> {
  if (stopping) {
    console.log('Forcing exit.')
    process.exit(1)
  }
  stopping = true
  console.log(`\n${signal}: stopping the pages, the chains and the relay…`)
  await stack.close()
  process.exit(0)
}
process.on('SIGINT', () => void stop('SIGINT'))
process.on('SIGTERM', () => void stop('SIGTERM'))
