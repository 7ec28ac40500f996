import { main } from './cli.js'

main().catch((err: Error) => {
  process.stderr.write(`pairline-relay: ${err.message}\n`)
  process.exit(2)
})
