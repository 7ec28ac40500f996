// A dApp-only Node process (run by startup.ts, plain node, no loader): imports the bundled SDK,
// pairs through the relay in RELAY_URL with the bench's wallet, and reports when the session was
// approved, in ms since this process started (performance.now()).
const booted = performance.now()
const { createDapp } = await import(process.env.SDK_BUNDLE)
const imported = performance.now()
const dapp = createDapp({
  relayUrl: process.env.RELAY_URL,
  metadata: { name: 'cold', url: 'https://cold.example' },
  chains: [1],
})
const pairing = await dapp.pair()
process.stdout.write(`${JSON.stringify({ uri: pairing.uri })}\n`)
await pairing.sas
await pairing.confirm()
const approved = performance.now()
process.stdout.write(`${JSON.stringify({ booted, imported, approved })}\n`)
await dapp.close()
process.exit(0)
